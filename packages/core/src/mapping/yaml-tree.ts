import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { PositionIndex, type TreePath } from './positions.js';
import type { MappingProblem, SourcePosition } from './types.js';

/** A YAML document read into plain values, with the position of every node and the problems met on the way. */
export interface YamlTree {
  value: unknown;
  positions: PositionIndex;
  problems: MappingProblem[];
}

/** Keys that would reach an object's prototype when used as property names. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

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

  const read = (current: unknown, path: TreePath, depth: number): unknown => {
    if (depth > 64) {
      problems.push({ ...positions.at(path, 'value'), message: 'the document nests too deeply' });
      return null;
    }
    if (isAlias(current)) return read(current.resolve(doc), path, depth + 1);
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
    if (isScalar(current)) return current.value;
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
