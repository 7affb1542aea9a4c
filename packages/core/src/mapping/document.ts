import { MappingFileError } from './errors.js';
import { PositionIndex } from './positions.js';
import type { MappingDocument } from './types.js';
import { validateTree, type ValidatedTree } from './validate-document.js';

/** What the language keeps about a validated document, out of its users' sight. */
export interface DocumentState {
  tree: ValidatedTree;
  positions: PositionIndex;
}

const states = new WeakMap<MappingDocument, DocumentState>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Wraps a validated tree as the opaque, immutable document users pass around. */
export function createDocument(file: string, tree: ValidatedTree, positions: PositionIndex): MappingDocument {
  deepFreeze(tree);
  const document: MappingDocument = Object.freeze({
    file,
    ...(tree.connector === undefined ? {} : { connector: tree.connector }),
    entities: tree.entities as MappingDocument['entities'],
  });
  states.set(document, { tree, positions });
  return document;
}

/**
 * The validated tree of a document. A document that did not come from `parseMapping`/`mergeMapping` (built
 * by hand) is validated here first, its problems pointing at the start of its file.
 */
export function documentState(document: MappingDocument): DocumentState {
  const known = states.get(document);
  if (known) return known;
  const positions = new PositionIndex({ file: document.file, line: 1, col: 1 });
  const raw = { ...(document.connector === undefined ? {} : { connector: document.connector }), entities: document.entities };
  const { tree, problems } = validateTree(raw, positions, document.connector === undefined);
  if (!tree) throw new MappingFileError(problems);
  const state = { tree: deepFreeze(tree), positions };
  states.set(document, state);
  return state;
}
