import type { Direction, Entity } from '../connector/capabilities.js';

/** Where a problem is in a file: 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** One problem in a mapping file, printed as `file:line:col message`. */
export interface MappingProblem extends SourcePosition {
  message: string;
}

/** One problem mapping one record: which record, which target field, from which source path. */
export interface RecordError {
  recordId?: string;
  /** Target field path (e.g. `CheckPayment.BankAccountRef.value`). */
  field: string;
  /** Source path, when the field has one. */
  source?: string;
  message: string;
}

export type MappingResult = { ok: true; value: Record<string, unknown> } | { ok: false; errors: RecordError[] };

export interface ApplyContext {
  /** Per-customer lookup tables (`lookup:` operator). */
  lookups?: Record<string, Record<string, string>>;
  /** Named in errors. */
  recordId?: string;
}

/** A compiled mapping: a plain function, built once. */
export interface CompiledMapping {
  (input: unknown, context?: ApplyContext): MappingResult;
  /**
   * An export mapping's transform without its canonical check first: for a caller that has just validated the record
   * against the entity's model itself (the runtime's export paths), so a record is checked once, not twice. The
   * mapping still refuses values of the wrong type. Absent on an import mapping.
   */
  readonly unchecked?: (input: unknown, context?: ApplyContext) => MappingResult;
}

/**
 * A validated mapping document (opaque to users of the language). It keeps the positions of its fields so
 * errors found later (on merge, on compile) still point into the file.
 */
export interface MappingDocument {
  readonly file: string;
  readonly connector?: string;
  /** The raw validated tree; see mapping/README.md. */
  readonly entities: Partial<Record<Entity, Partial<Record<Direction, unknown>>>>;
}

/** Options of `parseMapping` / `loadMappingFile`. */
export interface ParseOptions {
  /**
   * A customer's override rather than a connector's mapping.yaml: `connector` may be omitted, a direction
   * may hold only the fields it changes, and `null` removes a field. The merged result is checked in full.
   */
  override?: boolean;
}

/** Options of `compileMapping`. */
export interface CompileOptions {
  /**
   * Check each record against the canonical schema: the input before an export mapping (`Payment`), the
   * result after an import mapping (`PaymentIssued`). Default true. Turn it off only where the caller has
   * validated the record already; the mapping itself still refuses values of the wrong type.
   */
  validate?: boolean;
}
