// Placeholder until the mapping language lands: see README.md beside this file.
export type { ApplyContext, CompiledMapping, MappingDocument, MappingProblem, MappingResult, RecordError, SourcePosition } from './types.js';
