/** What the `X-Rate-Limit-*` headers say after counting one request. */
export interface RateReport {
  limit: number;
  remaining: number;
  /** Unix seconds when the window resets. */
  reset: number;
  /** Milliseconds until the window resets (for `Retry-After`). */
  resetInMs: number;
  exceeded: boolean;
}

/**
 * Procore's per-token limit (3,600 requests an hour by default) as a fixed window per access token. Every API
 * answer carries the window's limit, what remains and when it resets.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { startedAt: number; used: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  count(token: string, now: number): RateReport {
    let window = this.windows.get(token);
    if (window === undefined || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, used: 0 };
      this.windows.set(token, window);
    }
    window.used++;
    const resetAt = window.startedAt + this.windowMs;
    return {
      limit: this.limit,
      remaining: Math.max(0, this.limit - window.used),
      reset: Math.ceil(resetAt / 1000),
      resetInMs: Math.max(0, resetAt - now),
      exceeded: window.used > this.limit,
    };
  }
}
