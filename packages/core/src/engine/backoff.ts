import type { RetryPolicy } from './types.js';

/** What a back-off needs: the policy's delays, and how long the ERP asked us to wait, when it did. */
export interface BackoffInput extends Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> {
  /** The ERP's Retry-After, in milliseconds: the delay is never shorter than this. */
  retryAfterMs?: number;
}

/**
 * The wait before the attempt after `attempt` (1-based: the first attempt failed, so `attempt` is 1):
 * exponential back-off with full jitter, `random(0, min(maxDelayMs, baseDelayMs * 2^(attempt-1)))`, in whole
 * milliseconds. Full jitter spreads the retries of many items that failed together, so they do not return as
 * one burst. A larger `retryAfterMs` wins: the ERP said how long to wait, and asking sooner only earns
 * another throttle.
 */
export function backoffDelay(attempt: number, policy: BackoffInput, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2^exponent grows past any sane cap quickly; stop before it overflows to Infinity.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 52));
  const fraction = Math.min(Math.max(random(), 0), 1);
  const jittered = Math.floor(fraction * Math.max(0, ceiling));
  return Math.max(jittered, Math.ceil(policy.retryAfterMs ?? 0));
}
