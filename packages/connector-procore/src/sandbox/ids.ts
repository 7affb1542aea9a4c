import { SandboxRefusal } from './http-io.js';
import type { IdInput } from './types.js';

/** One id sequence for every table, as Procore's ids are unique enough per kind; given ids move it past them. */
export class IdSequence {
  private next = 1000;

  /** The given id (checked), or the next free one. */
  take(given: IdInput | undefined, what: string): number {
    if (given === undefined) return this.next++;
    const id = toId(given, what);
    if (id >= this.next) this.next = id + 1;
    return id;
  }
}

/** A Procore id from a number or its digits; anything else is refused, naming what it was for. */
export function toId(value: IdInput, what: string): number {
  const id = typeof value === 'number' ? value : /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new SandboxRefusal(422, `${what}: id ${JSON.stringify(value)} is not a positive integer`);
  return id;
}
