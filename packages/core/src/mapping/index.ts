// The mapping language: see README.md beside this file.
export { compileMapping, mappingSource } from './compile.js';
export { MappingFileError, formatProblem, formatRecordError } from './errors.js';
export { mergeMapping } from './merge.js';
export { loadMappingFile, mappingFromYaml, parseMapping } from './parse.js';
export type {
  ApplyContext,
  CompileOptions,
  CompiledMapping,
  MappingDocument,
  MappingProblem,
  MappingResult,
  ParseOptions,
  RecordError,
  SourcePosition,
} from './types.js';
