import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How failed Web Connector logins are slowed down and locked out. */
export interface LoginGuardSettings {
  /** Failures in a row answered without delay, per user name and per source address. */
  freeFailures: number;
  /** The wait after the `freeFailures`th failure before the next attempt is checked, doubling with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures in a row that lock the user name (or address) out for `lockoutMs`. */
  lockoutAfter: number;
  lockoutMs: number;
}

export const DEFAULT_LOGIN_GUARD: LoginGuardSettings = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  lockoutAfter: 20,
  lockoutMs: 15 * 60_000,
};

/** Keys tracked at most: past this the oldest are forgotten (a stranger cycling names cannot grow memory). */
const MAX_TRACKED = 10_000;

interface Failures {
  count: number;
  lastAt: number;
  /** No attempt is checked before this (the delay, or the end of a lockout). */
  blockedUntil: number;
  locked: boolean;
}

/** What the guard says about a login attempt before its credentials are compared. */
export type LoginVerdict = { allowed: true } | { allowed: false; why: 'delayed' | 'locked'; waitMs: number; by: 'user' | 'address' };

/** What a failure led to, for the log. */
export interface FailureNote {
  userFailures: number;
  addressFailures: number;
  /** The wait before the next attempt is checked (0 while within the free failures). */
  delayMs: number;
  /** True when this failure started a lockout. */
  lockedOut: boolean;
}

/** Counters for logs and health output. */
export interface LoginStats {
  failed: number;
  /** Attempts refused unchecked: during a delay or a lockout. */
  refused: number;
  lockouts: number;
}

/**
 * Slows down and then locks out repeated failed logins, per user name and per source address: from the
 * `freeFailures`th failure on each one makes the next attempt wait (doubling), after `lockoutAfter` the
 * name or address is locked for `lockoutMs`. An attempt that comes early is refused without its password being
 * compared, so guessing in parallel gains nothing. A success clears the counters of its name and address; a key
 * with no failure for `lockoutMs` is forgotten.
 */
export class LoginGuard {
  readonly #settings: LoginGuardSettings;
  readonly #now: () => number;
  readonly #failures = new Map<string, Failures>();
  readonly #stats: LoginStats = { failed: 0, refused: 0, lockouts: 0 };

  constructor(settings: Partial<LoginGuardSettings> = {}, now: () => number = Date.now) {
    this.#settings = { ...DEFAULT_LOGIN_GUARD, ...settings };
    this.#now = now;
  }

  stats(): LoginStats {
    return { ...this.#stats };
  }

  /** Whether an attempt by `user` from `address` may have its credentials compared now. */
  verdict(user: string, address: string): LoginVerdict {
    const now = this.#now();
    for (const [by, key] of [['user', userKey(user)], ['address', addressKey(address)]] as const) {
      const entry = this.#current(key, now);
      if (entry !== undefined && entry.blockedUntil > now) {
        this.#stats.refused += 1;
        return { allowed: false, why: entry.locked ? 'locked' : 'delayed', waitMs: entry.blockedUntil - now, by };
      }
    }
    return { allowed: true };
  }

  failed(user: string, address: string): FailureNote {
    const now = this.#now();
    this.#stats.failed += 1;
    const byUser = this.#fail(userKey(user), now);
    const byAddress = this.#fail(addressKey(address), now);
    const lockedOut = byUser.lockedOut || byAddress.lockedOut;
    if (lockedOut) this.#stats.lockouts += 1;
    return { userFailures: byUser.count, addressFailures: byAddress.count, delayMs: Math.max(byUser.delayMs, byAddress.delayMs), lockedOut };
  }

  succeeded(user: string, address: string): void {
    this.#failures.delete(userKey(user));
    this.#failures.delete(addressKey(address));
  }

  #current(key: string, now: number): Failures | undefined {
    const entry = this.#failures.get(key);
    if (entry !== undefined && entry.blockedUntil <= now && now - entry.lastAt >= this.#settings.lockoutMs) {
      this.#failures.delete(key);
      return undefined;
    }
    return entry;
  }

  #fail(key: string, now: number): { count: number; delayMs: number; lockedOut: boolean } {
    const { freeFailures, baseDelayMs, maxDelayMs, lockoutAfter, lockoutMs } = this.#settings;
    const entry = this.#current(key, now) ?? { count: 0, lastAt: now, blockedUntil: 0, locked: false };
    entry.count += 1;
    entry.lastAt = now;
    let delayMs = 0;
    let lockedOut = false;
    if (entry.count >= lockoutAfter) {
      lockedOut = !entry.locked || entry.blockedUntil <= now;
      entry.locked = true;
      delayMs = lockoutMs;
    } else if (entry.count >= freeFailures) {
      delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(entry.count - freeFailures, 30));
    }
    entry.blockedUntil = Math.max(entry.blockedUntil, now + delayMs);
    // Re-inserted so the map's order is least recently failed first.
    this.#failures.delete(key);
    this.#failures.set(key, entry);
    while (this.#failures.size > MAX_TRACKED) {
      const oldest = this.#failures.keys().next().value as string;
      this.#failures.delete(oldest);
    }
    return { count: entry.count, delayMs, lockedOut };
  }
}

/** A user name as a key: bounded, so a 16 MiB name costs no more than a short one. */
function userKey(user: string): string {
  return `user:${user.length > 256 ? `${user.slice(0, 256)}#${user.length}` : user}`;
}

function addressKey(address: string): string {
  return `address:${address}`;
}

/**
 * Compares a secret in constant time with no length leak: both sides are reduced to HMAC-SHA256 digests under
 * a key made for this process, which are always 32 bytes, and those are compared with timingSafeEqual.
 */
export class SecretComparer {
  readonly #key = randomBytes(32);

  same(given: string, expected: string): boolean {
    const a = createHmac('sha256', this.#key).update(given, 'utf8').digest();
    const b = createHmac('sha256', this.#key).update(expected, 'utf8').digest();
    return timingSafeEqual(a, b);
  }
}

/**
 * A user name as it may go into a log or a message: at most 64 characters, control and other non-printing
 * characters escaped (no forged log lines, no terminal escapes), and the full length said when cut.
 */
export function displayUserName(user: string): string {
  const chars = Array.from(user.slice(0, 128)).slice(0, 64);
  const shown = chars
    .map((ch) => {
      const code = ch.codePointAt(0) as number;
      if (ch === '\\' || ch === '"') return `\\${ch}`;
      if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0x2028 || code === 0x2029 || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
        return `\\u${code.toString(16).padStart(4, '0')}`;
      }
      return ch;
    })
    .join('');
  const cut = Array.from(user.slice(0, 128)).length > 64 || user.length > 128;
  return cut ? `"${shown}"… (${user.length} characters)` : `"${shown}"`;
}
