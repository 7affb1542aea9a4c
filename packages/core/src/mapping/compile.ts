import type { Direction, Entity } from '../connector/capabilities.js';
import { validateRecord } from '../model/validate.js';
import { TransformGenerator } from './codegen.js';
import { documentState } from './document.js';
import { MappingFileError } from './errors.js';
import { runtime, type Runtime } from './formats.js';
import { MAPPING_MODELS } from './models.js';
import { isGroup, type FieldsSpec } from './spec.js';
import type { ApplyContext, CompileOptions, CompiledMapping, MappingDocument, MappingResult, RecordError } from './types.js';

type Transform = (
  record: Record<string, unknown>,
  lookups: ApplyContext['lookups'],
  recordId: string | undefined,
) => MappingResult;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notARecord(input: unknown, recordId: string | undefined): MappingResult {
  const error: RecordError = { field: '(record)', message: `expected a record (a JSON object), got ${runtime.describe(input)}` };
  if (recordId !== undefined) error.recordId = recordId;
  return { ok: false, errors: [error] };
}

/** The JavaScript source of a compiled mapping, for reading and debugging (`compileMapping` runs this). */
export function mappingSource(document: MappingDocument, entity: Entity, direction: Direction): string {
  const { tree, positions } = documentState(document);
  const spec = tree.entities[entity]?.[direction];
  if (!spec) {
    const present = Object.entries(tree.entities).flatMap(([name, directions]) => Object.keys(directions ?? {}).map((d) => `${name} ${d}`));
    throw new MappingFileError([
      {
        ...positions.at(['entities', entity], 'key'),
        message: `this mapping has no ${entity} ${direction} section (it has: ${present.join(', ') || 'none'})`,
      },
    ]);
  }
  const model = MAPPING_MODELS[entity][direction];
  if (model === undefined) {
    throw new MappingFileError([{ ...positions.at(['entities', entity, direction], 'key'), message: `ledgerlink has no ${entity} ${direction} direction` }]);
  }
  return new TransformGenerator(direction, model).generate(spec.fields);
}

/** Target field -> source path, for the fields an import maps with `from`: named in schema errors. */
function sourcesOf(fields: FieldsSpec): Map<string, string> {
  const sources = new Map<string, string>();
  for (const [target, spec] of Object.entries(fields)) {
    if (spec && !isGroup(spec) && spec.from !== undefined) sources.set(target, spec.from);
  }
  return sources;
}

/**
 * Compiles one entity and direction of a mapping into a plain function, once. Each call maps one record:
 * `{ ok: true, value }`, or `{ ok: false, errors }` with every error naming the record, the target field
 * and the source path. Export checks the input against the canonical schema first; import checks the
 * result. Never throws for a record.
 */
export function compileMapping(document: MappingDocument, entity: Entity, direction: Direction, options: CompileOptions = {}): CompiledMapping {
  const source = mappingSource(document, entity, direction);
  // mappingSource refused a direction ledgerlink does not have, so the model is there.
  const model = MAPPING_MODELS[entity][direction]!;
  const factory = new Function('h', source) as (h: Runtime) => Transform;
  const transform = factory(runtime);
  const validate = options.validate ?? true;

  if (direction === 'export') {
    const recordIdOf = (input: unknown, context: ApplyContext | undefined): string | undefined => {
      const id = isRecord(input) ? input[model.idField] : undefined;
      return context?.recordId ?? (typeof id === 'string' ? id : undefined);
    };
    const unchecked = (input: unknown, context?: ApplyContext): MappingResult => {
      const recordId = recordIdOf(input, context);
      if (!isRecord(input)) return notARecord(input, recordId);
      return transform(input, context?.lookups, recordId);
    };
    const checkedFirst = (input: unknown, context?: ApplyContext): MappingResult => {
      const recordId = recordIdOf(input, context);
      if (!isRecord(input)) return notARecord(input, recordId);
      const checked = validateRecord(model.schema, input, recordId);
      if (!checked.ok) return checked;
      return transform(checked.value as Record<string, unknown>, context?.lookups, recordId);
    };
    return Object.assign(validate ? checkedFirst : unchecked, { unchecked });
  }

  const { tree } = documentState(document);
  const sources = sourcesOf(tree.entities[entity]?.[direction]?.fields ?? {});
  return (input, context) => {
    if (!isRecord(input)) return notARecord(input, context?.recordId);
    const mapped = transform(input, context?.lookups, context?.recordId);
    if (!mapped.ok || !validate) return mapped;
    const id = mapped.value[model.idField];
    const recordId = context?.recordId ?? (typeof id === 'string' ? id : undefined);
    const checked = validateRecord(model.schema, mapped.value, recordId);
    if (checked.ok) return { ok: true, value: checked.value as Record<string, unknown> };
    return {
      ok: false,
      errors: checked.errors.map((error) => {
        const from = sources.get(error.field);
        const missing = mapped.value[error.field] === undefined;
        return {
          ...error,
          ...(from === undefined ? {} : { source: from }),
          ...(missing ? { message: `${model.label} requires it, but ${from === undefined ? 'the mapping gives no value' : `${from} is missing`}` } : {}),
        };
      }),
    };
  };
}
