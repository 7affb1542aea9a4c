import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  compileMapping,
  Direction,
  Entity,
  formatRecordError,
  isLedgerlinkError,
  loadMappingFile,
  MappingFileError,
  formatProblem,
} from '@ledgerlink/core';
import { parseArgs } from 'node:util';
import { UsageError, type CliIo } from './io.js';

export const MAPPING_USAGE = `ledgerlink mapping check FILE
ledgerlink mapping apply FILE --entity payment --direction export|import [--lookups tables.json] < record.json`;

/** `mapping check FILE`: exit 0, or exit 1 with one line per problem, `FILE:LINE:COL message`. */
export function mappingCheck(args: string[], io: CliIo): number {
  const [file, ...rest] = args;
  if (file === undefined || rest.length > 0) throw new UsageError(`mapping check takes one FILE\n${MAPPING_USAGE}`);
  try {
    const document = loadMappingFile(resolve(io.cwd, file));
    // Compiling proves each direction the file has: model paths, formats, lookups.
    for (const entity of Object.keys(document.entities) as Entity[]) {
      for (const direction of Object.keys(document.entities[entity] ?? {}) as Direction[]) compileMapping(document, entity, direction);
    }
    io.out(`${file}: ok`);
    return 0;
  } catch (error) {
    return reportMappingError(error, file, io);
  }
}

/** `mapping apply FILE`: a canonical record (export) or an ERP record (import) on stdin, the mapped JSON out. */
export async function mappingApply(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { entity: { type: 'string', default: 'payment' }, direction: { type: 'string' }, lookups: { type: 'string' } },
  });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) throw new UsageError(`mapping apply takes one FILE\n${MAPPING_USAGE}`);
  const entity = Entity.safeParse(values.entity);
  const direction = Direction.safeParse(values.direction);
  if (!entity.success) throw new UsageError(`--entity must be one of ${Entity.options.join(', ')}`);
  if (!direction.success) throw new UsageError('--direction must be export or import');

  let lookups: Record<string, Record<string, string>> = {};
  if (values.lookups !== undefined) {
    try {
      lookups = JSON.parse(readFileSync(resolve(io.cwd, values.lookups), 'utf8')) as Record<string, Record<string, string>>;
    } catch (error) {
      io.err(`${values.lookups}: cannot read the lookup tables: ${(error as Error).message}`);
      return 1;
    }
  }
  const text = await io.readStdin();
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    io.err(`stdin: not JSON: ${(error as Error).message}`);
    return 1;
  }
  let mapping;
  try {
    mapping = compileMapping(loadMappingFile(resolve(io.cwd, file)), entity.data, direction.data);
  } catch (error) {
    return reportMappingError(error, file, io);
  }
  const records = Array.isArray(input) ? input : [input];
  const out: unknown[] = [];
  let failed = false;
  records.forEach((record, index) => {
    const recordId = typeof (record as { id?: unknown })?.id === 'string' ? (record as { id: string }).id : `#${index + 1}`;
    const result = mapping(record, { lookups, recordId });
    if (result.ok) out.push(result.value);
    else {
      failed = true;
      for (const error of result.errors) io.err(formatRecordError({ ...error, recordId: error.recordId ?? recordId }));
    }
  });
  if (failed) return 1;
  io.out(JSON.stringify(Array.isArray(input) ? out : out[0], null, 2));
  return 0;
}

function reportMappingError(error: unknown, file: string, io: CliIo): number {
  if (error instanceof MappingFileError) {
    for (const problem of error.problems) io.err(formatProblem(problem));
    return 1;
  }
  if (isLedgerlinkError(error)) {
    io.err(`${file}:1:1 ${error.message}`);
    return 1;
  }
  throw error;
}
