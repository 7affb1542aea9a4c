/**
 * Procore delivers an event more than once (retries, at-least-once queues). The runner's store is where dedupe is
 * decided; this bounded, in-memory LRU of event ids is its fast path, so a burst of repeats costs no store read.
 */
export class WebhookDeduper {
  private readonly seen = new Map<string, true>();

  /** `capacity`: ids remembered; the least recently seen go first. */
  constructor(private readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('a WebhookDeduper remembers at least one id');
  }

  /** True when `eventId` was seen before (and refreshes it); false the first time (and remembers it). */
  isDuplicate(eventId: string): boolean {
    if (this.seen.has(eventId)) {
      this.seen.delete(eventId);
      this.seen.set(eventId, true);
      return true;
    }
    this.seen.set(eventId, true);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return false;
  }

  /** The events not seen before, in order (repeats inside the list count too). */
  fresh<T extends { eventId: string }>(events: readonly T[]): T[] {
    return events.filter((event) => !this.isDuplicate(event.eventId));
  }

  /** Forgets an id, e.g. when handling its event failed and the next delivery must be processed. */
  forget(eventId: string): void {
    this.seen.delete(eventId);
  }

  get size(): number {
    return this.seen.size;
  }
}
