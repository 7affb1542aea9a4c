import type { SourcePosition } from './types.js';

/** A path into the document tree: keys of mappings, indexes of lists. */
export type TreePath = readonly (string | number)[];

/** Where one node of the tree was written: its key (when it is a mapping entry) and its value. */
export interface NodePosition {
  key?: SourcePosition;
  value: SourcePosition;
}

function keyOf(path: TreePath): string {
  return JSON.stringify(path);
}

function startsWith(path: TreePath, prefix: TreePath): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}

/**
 * Positions of every node of a mapping document, so that problems found after parsing (on merge, on compile)
 * still point into the file, and into the right file after an override is merged.
 */
export class PositionIndex {
  private readonly entries = new Map<string, { path: TreePath; position: NodePosition }>();

  constructor(readonly fallback: SourcePosition) {}

  set(path: TreePath, position: NodePosition): void {
    this.entries.set(keyOf(path), { path, position });
  }

  get(path: TreePath): NodePosition | undefined {
    return this.entries.get(keyOf(path))?.position;
  }

  /**
   * Where to report a problem about `path`: its key or its value as asked; for a node that is not in the file
   * (a missing key), the nearest enclosing entry's key.
   */
  at(path: TreePath, which: 'key' | 'value'): SourcePosition {
    const own = this.get(path);
    if (own) return which === 'key' ? (own.key ?? own.value) : own.value;
    for (let length = path.length - 1; length >= 0; length--) {
      const parent = this.get(path.slice(0, length));
      if (parent) return parent.key ?? parent.value;
    }
    return this.fallback;
  }

  /** A copy where everything under `prefix` comes from `source` instead (an override's field). */
  replaceUnder(prefix: TreePath, source: PositionIndex): PositionIndex {
    const result = this.copy();
    for (const [key, entry] of this.entries) if (startsWith(entry.path, prefix)) result.entries.delete(key);
    for (const [key, entry] of source.entries) if (startsWith(entry.path, prefix)) result.entries.set(key, entry);
    return result;
  }

  /** A copy that also takes `source`'s positions for the given exact paths (the override's own keys). */
  withEntries(paths: readonly TreePath[], source: PositionIndex): PositionIndex {
    const result = this.copy();
    for (const path of paths) {
      const position = source.get(path);
      if (position) result.set(path, position);
    }
    return result;
  }

  copy(): PositionIndex {
    const result = new PositionIndex(this.fallback);
    for (const [key, entry] of this.entries) result.entries.set(key, entry);
    return result;
  }
}
