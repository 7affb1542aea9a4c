import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ErrorCodes, LedgerlinkError } from '../errors.js';
import { createDocument } from './document.js';
import { MappingFileError } from './errors.js';
import type { MappingDocument, ParseOptions } from './types.js';
import { validateTree } from './validate-document.js';
import { readYamlTree } from './yaml-tree.js';

/**
 * Reads a mapping from a YAML document that is already parsed, e.g. the `mapping:` block of a runner config
 * file, so that problems point into that file. `node` defaults to the whole document.
 */
export function mappingFromYaml(
  doc: Document,
  lineCounter: LineCounter,
  file: string,
  options: ParseOptions & { node?: Node | null } = {},
): MappingDocument {
  const read = readYamlTree(doc, lineCounter, file, options.node === undefined ? doc.contents : options.node);
  if (read.value === undefined) throw new MappingFileError(read.problems);
  const result = validateTree(read.value, read.positions, options.override ?? false);
  const problems = [...read.problems, ...result.problems];
  if (problems.length > 0 || !result.tree) throw new MappingFileError(problems);
  return createDocument(file, result.tree, read.positions);
}

/**
 * Parses and validates a mapping file. Throws `MappingFileError` with every problem found, each as
 * `file:line:col message`.
 */
export function parseMapping(text: string, file: string, options: ParseOptions = {}): MappingDocument {
  const lineCounter = new LineCounter();
  // Duplicate keys are found by readYamlTree in one pass; yaml's own check compares every key with every other.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true });
  return mappingFromYaml(doc, lineCounter, file, options);
}

/** A mapping is a few kilobytes; a file this large is not one. */
const MAX_MAPPING_BYTES = 4 * 1024 * 1024;

/** How many parsed mapping files are remembered (a deployment has a few connectors and overrides). */
const MAX_REMEMBERED = 64;

/**
 * Mapping files already parsed, by path and kind, with the text each was parsed from. A runner builds a tenant's
 * runtime on every lease it takes (at start, on a takeover, when replicas rebalance), and parsing the same few
 * kilobytes of YAML again was most of that work. A document is deeply frozen, so tenants can share one; a file
 * whose text changed is parsed again.
 */
const remembered = new Map<string, { text: string; document: MappingDocument }>();

/** Reads and parses a mapping file; `path` is how problems name the file. */
export function loadMappingFile(path: string, options: ParseOptions = {}): MappingDocument {
  let text: string;
  try {
    // Only a plain file of sensible size is read: a FIFO or /dev/zero named by mistake would never end.
    const stat = statSync(path);
    if (stat.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    if (!stat.isFile()) throw new Error('it is not a regular file');
    if (stat.size > MAX_MAPPING_BYTES) throw new Error(`it is larger than ${MAX_MAPPING_BYTES / 1024 / 1024} MB`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new LedgerlinkError(ErrorCodes.MAPPING_INVALID, `cannot read mapping file ${path}: ${reason}`, { cause: error });
  }
  const key = `${options.override === true ? 'override' : 'mapping'}:${path}`;
  const known = remembered.get(key);
  if (known !== undefined && known.text === text) return known.document;
  const document = parseMapping(text, path, options);
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(key, { text, document });
  return document;
}
