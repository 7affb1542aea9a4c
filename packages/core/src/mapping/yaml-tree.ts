import { isAlias, isMap, isScalar, isSeq, visit, type Alias, type Document, type LineCounter, type Node } from 'yaml';
import { PositionIndex, type TreePath } from './positions.js';
import type { MappingProblem, SourcePosition } from './types.js';

/** A YAML document read into plain values, with the position of every node and the problems met on the way. */
export interface YamlTree {
  value: unknown;
  positions: PositionIndex;
  problems: MappingProblem[];
}

/**
 * How many nodes a document may expand to once its aliases are followed. A real mapping has a few hundred;
 * a "billion laughs" (each anchor aliasing the one before it several times) would otherwise expand to millions
 * and hold the process for minutes.
 */
export const MAX_EXPANDED_NODES = 50_000;

/** How many aliases a document may use (yaml's own default for `toJS` is 100; mappings rarely use any). */
export const MAX_ALIASES = 1_000;

/** Keys that would reach an object's prototype when used as property names. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What each alias of a document refers to: the last node before it carrying its anchor, found in one walk.
 * (yaml's `Alias.resolve` walks the whole document for every alias: n aliases would cost n².)
 */
function anchorsOf(doc: Document): Map<Alias, Node | undefined> {
  const latest = new Map<string, Node>();
  const resolved = new Map<Alias, Node | undefined>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) resolved.set(node, latest.get(node.source));
      else if (typeof node.anchor === 'string' && node.anchor !== '') latest.set(node.anchor, node);
    },
  });
  return resolved;
}

/** Turns yaml's pretty message ("… at line 3, column 1:\n\n<excerpt>") into one line. */
function oneLine(message: string): string {
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').replace(/\s+/g, ' ').trim();
}

/**
 * Reads a parsed YAML document (or one node of it) into plain values. YAML syntax errors come back as
 * problems and no value; duplicate keys and keys that cannot be property names are problems too, found here
 * so that they name the key and where it was first written.
 */
export function readYamlTree(
  doc: Document,
  lineCounter: LineCounter,
  file: string,
  node: Node | null = doc.contents,
): YamlTree {
  const position = (offset: number | undefined): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { file, line, col };
  };
  const positions = new PositionIndex({ file, line: 1, col: 1 });
  const problems: MappingProblem[] = [];

  const syntax = doc.errors.filter((error) => error.code !== 'DUPLICATE_KEY');
  if (syntax.length > 0) {
    for (const error of syntax) {
      const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
      problems.push({ file, line: at.line, col: at.col, message: `YAML syntax error: ${oneLine(error.message)}` });
    }
    return { value: undefined, positions, problems };
  }

  const anchorOf = anchorsOf(doc);
  const open = new Set<unknown>();
  let expanded = 0;
  let aliases = 0;
  let stopped = false;
  const stop = (at: SourcePosition, message: string): null => {
    if (!stopped) problems.push({ ...at, message });
    stopped = true;
    return null;
  };

  const read = (current: unknown, path: TreePath, depth: number): unknown => {
    if (stopped) return null;
    if (depth > 64) {
      problems.push({ ...positions.at(path, 'value'), message: 'the document nests too deeply' });
      return null;
    }
    if (++expanded > MAX_EXPANDED_NODES) {
      return stop(positions.at(path, 'value'), `the document expands to more than ${MAX_EXPANDED_NODES} values (aliases repeating aliases?); write it out plainly`);
    }
    if (isAlias(current)) {
      const at = position(current.range?.[0]);
      if (++aliases > MAX_ALIASES) return stop(at, `more than ${MAX_ALIASES} aliases; write the values out`);
      const source = anchorOf.get(current);
      if (source === undefined) {
        problems.push({ ...at, message: `alias *${current.source} has no anchor &${current.source} before it` });
        return null;
      }
      if (open.has(source)) {
        problems.push({ ...at, message: `alias *${current.source} refers to a value that contains it` });
        return null;
      }
      return read(source, path, depth + 1);
    }
    if (isMap(current) || isSeq(current)) {
      open.add(current);
      try {
        return readCollection(current, path, depth);
      } finally {
        open.delete(current);
      }
    }
    if (isScalar(current)) return current.value;
    return null;
  };

  const readCollection = (current: unknown, path: TreePath, depth: number): unknown => {
    if (isMap(current)) {
      const out: Record<string, unknown> = {};
      const firstSeen = new Map<string, SourcePosition>();
      for (const pair of current.items) {
        const keyNode = pair.key as Node | null;
        const keyAt = position(keyNode?.range?.[0]);
        const rawKey = isScalar(keyNode) ? keyNode.value : keyNode;
        if (typeof rawKey !== 'string' && typeof rawKey !== 'number' && typeof rawKey !== 'boolean') {
          problems.push({ ...keyAt, message: 'a key must be a plain name, not a list or a mapping' });
          continue;
        }
        const key = String(rawKey);
        if (FORBIDDEN_KEYS.has(key)) {
          problems.push({ ...keyAt, message: `'${key}' cannot be used as a key` });
          continue;
        }
        const first = firstSeen.get(key);
        if (first) {
          problems.push({ ...keyAt, message: `duplicate key '${key}' (first written at line ${first.line}, column ${first.col})` });
          continue;
        }
        firstSeen.set(key, keyAt);
        const valueNode = pair.value as Node | null;
        const childPath = [...path, key];
        positions.set(childPath, { key: keyAt, value: valueNode?.range ? position(valueNode.range[0]) : keyAt });
        out[key] = valueNode === null ? null : read(valueNode, childPath, depth + 1);
      }
      return out;
    }
    if (isSeq(current)) {
      return current.items.map((item, index) => {
        const itemNode = item as Node | null;
        const childPath = [...path, index];
        positions.set(childPath, { value: itemNode?.range ? position(itemNode.range[0]) : positions.at(path, 'value') });
        return itemNode === null ? null : read(itemNode, childPath, depth + 1);
      });
    }
    return null;
  };

  positions.set([], { value: position(node?.range?.[0]) });
  const value = node === null ? null : read(node, [], 0);
  // Anything yaml reports as a duplicate that the walk above did not (a key written two ways) still counts.
  for (const error of doc.errors) {
    const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    if (!problems.some((problem) => problem.line === at.line && problem.col === at.col)) {
      problems.push({ file, line: at.line, col: at.col, message: oneLine(error.message) });
    }
  }
  return { value, positions, problems };
}
