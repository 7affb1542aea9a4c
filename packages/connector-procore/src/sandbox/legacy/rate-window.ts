/** One fixed window of Procore's limits: hourly (3,600) or the 10-second spike window. */
interface Window {
  limit: number;
  lengthMs: number;
  startedAt: number;
  used: number;
}

export interface RateReport {
  limit: number;
  remaining: number;
  /** Unix seconds when the reported window resets. */
  reset: number;
  exceeded: boolean;
}

/**
 * Counts one token's requests in both windows and reports, as Procore does, whichever window is closer to running
 * out in `X-Rate-Limit-Limit/Remaining/Reset`.
 */
export class RateWindows {
  private readonly windows: Window[];

  constructor(hourly: number, spike: number, spikeMs: number) {
    this.windows = [
      { limit: hourly, lengthMs: 3_600_000, startedAt: 0, used: 0 },
      { limit: spike, lengthMs: spikeMs, startedAt: 0, used: 0 },
    ];
  }

  count(now: number): RateReport {
    for (const window of this.windows) {
      if (now - window.startedAt >= window.lengthMs) {
        window.startedAt = now;
        window.used = 0;
      }
      window.used++;
    }
    const exceeded = this.windows.some((window) => window.used > window.limit);
    const closest = [...this.windows].sort((a, b) => a.limit - a.used - (b.limit - b.used))[0] as Window;
    return {
      limit: closest.limit,
      remaining: Math.max(0, closest.limit - closest.used),
      reset: Math.ceil((closest.startedAt + closest.lengthMs) / 1000),
      exceeded,
    };
  }
}
