import type { RecordError } from '../mapping/types.js';

/** `field (from source): message; …`: one line naming every failing field, for an outcome's message. */
export function describeRecordErrors(errors: RecordError[]): string {
  return errors.map((error) => `${error.field}${error.source === undefined ? '' : ` (from ${error.source})`}: ${error.message}`).join('; ');
}

/** Drops keys whose value is undefined, so a partial override does not blank out a default. */
export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
