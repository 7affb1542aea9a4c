import type { ProcoreApi } from './procore-api.js';

/** How long a hub object read for one payment is reused for the next ones (vendors and projects repeat in a batch). */
const REUSE_MS = 5_000;

/**
 * Reads of hub objects that many contract payments share (a vendor, a project): concurrent reads of one object share
 * one call, and a successful read is reused for a short while. Short, because an object's `origin_id` changes when
 * the accountant links it, and a stale one would be worse than a second read.
 */
export class HubReads {
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();
  /** When the cache was last swept of stale reads. */
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly api: ProcoreApi,
    private readonly now: () => Date,
  ) {}

  /** `GET path` (with params), `undefined` on a 404, shared and briefly reused. */
  read(companyId: string, path: string, params: Record<string, string>, doing: string): Promise<unknown> {
    const key = `${companyId} ${path} ${JSON.stringify(params)}`;
    const at = this.now().getTime();
    const hit = this.cache.get(key);
    if (hit !== undefined && at - hit.at < REUSE_MS) return hit.value;
    const value = this.api.jsonOrMissing({ method: 'GET', path, companyId, params, doing });
    this.cache.set(key, { at, value });
    // A failed read is not remembered: the next payment asks again.
    value.catch(() => {
      if (this.cache.get(key)?.value === value) this.cache.delete(key);
    });
    // Swept at most once per reuse window (or when the clock went back): a requisition is read once per payment,
    // so above a thousand payments in the window a sweep on every read walked the whole map each time.
    if (this.cache.size > 1000 && (at - this.prunedAt >= REUSE_MS || at < this.prunedAt)) this.prune(at);
    return value;
  }

  private prune(at: number): void {
    this.prunedAt = at;
    for (const [key, entry] of this.cache) if (at - entry.at >= REUSE_MS) this.cache.delete(key);
  }
}
