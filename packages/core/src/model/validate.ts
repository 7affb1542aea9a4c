import type { z } from 'zod';
import type { RecordError } from '../mapping/types.js';

export type RecordValidation<T> = { ok: true; value: T } | { ok: false; errors: RecordError[] };

/**
 * Checks a record against a canonical schema and names, for each problem, the record and the field:
 * `payment P-17: amountCents: amount must be greater than zero`.
 */
export function validateRecord<T>(schema: z.ZodType<T>, input: unknown, recordId?: string): RecordValidation<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const id =
    recordId ??
    (typeof input === 'object' && input !== null && typeof (input as { id?: unknown }).id === 'string'
      ? (input as { id: string }).id
      : undefined);
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => ({
      ...(id === undefined ? {} : { recordId: id }),
      field: issue.path.map(String).join('.') || '(record)',
      message: issue.message,
    })),
  };
}
