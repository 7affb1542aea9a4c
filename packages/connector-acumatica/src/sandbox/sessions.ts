/**
 * Sign-in sessions as Acumatica keeps them: `POST /entity/auth/login` sets the session cookies, every later
 * call sends them, `POST /entity/auth/logout` ends the session; the licence caps the signed-in API users.
 */
import { randomBytes } from 'node:crypto';

export interface SandboxCredentials {
  username: string;
  password: string;
  tenant: string;
  /** Branches the user may sign in to; the first is its default. */
  branches: string[];
}

export interface SessionCounts {
  /** Sessions signed in and not signed out. */
  open: number;
  /** Successful sign-ins. */
  logins: number;
  /** Sign-outs of an open session. */
  logouts: number;
  /** Sign-ins refused: wrong credentials or the licence's user cap. */
  refusedLogins: number;
  /** Most sessions open at once. */
  maxOpen: number;
  /** Sessions ended by the idle timeout (never signed out). */
  timedOut: number;
}

export type LoginAnswer =
  | { ok: true; cookies: string[] }
  | { ok: false; status: number; body: Record<string, unknown> };

const AUTH_COOKIE = '.ASPXAUTH';

/** How long a session may sit unused before Acumatica ends it, as the sandbox's default (10 minutes). */
export const DEFAULT_SESSION_IDLE_MS = 600_000;

export class Sessions {
  private readonly open = new Map<string, { branch: string; lastUsed: number }>();
  private counts = { logins: 0, logouts: 0, refusedLogins: 0, maxOpen: 0, timedOut: 0 };

  /**
   * @param idleTimeoutMs a session not used for this long is ended, as Acumatica's idle timeout does: its seat is
   *   free again and its cookie gets 401. This is the only way a session that was never signed out frees its seat.
   */
  constructor(
    private readonly credentials: SandboxCredentials,
    private readonly maxApiUsers: () => number,
    private readonly idleTimeoutMs: () => number = () => DEFAULT_SESSION_IDLE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  login(body: unknown): LoginAnswer {
    this.endIdle();
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const { username, password, tenant, branches } = this.credentials;
    const branch = typeof fields.branch === 'string' ? fields.branch : branches[0] ?? '';
    const valid =
      fields.name === username &&
      fields.password === password &&
      typeof fields.tenant === 'string' &&
      fields.tenant.toLowerCase() === tenant.toLowerCase() &&
      branches.some((known) => known.toLowerCase() === branch.toLowerCase());
    if (!valid) {
      this.counts.refusedLogins++;
      return { ok: false, status: 500, body: pxError('Invalid credentials. Please try again.', 'PX.Data.PXException') };
    }
    if (this.open.size >= this.maxApiUsers()) {
      this.counts.refusedLogins++;
      return { ok: false, status: 500, body: pxError('API Login Limit', 'PX.Data.PXException') };
    }
    const token = randomBytes(24).toString('hex');
    this.open.set(token, { branch, lastUsed: this.now() });
    this.counts.logins++;
    this.counts.maxOpen = Math.max(this.counts.maxOpen, this.open.size);
    const expires = new Date(Date.now() + 3_600_000).toUTCString();
    return {
      ok: true,
      cookies: [
        `ASP.NET_SessionId=${randomBytes(12).toString('hex')}; path=/; HttpOnly; SameSite=Lax`,
        `${AUTH_COOKIE}=${token}; expires=${expires}; path=/; HttpOnly`,
        `UserBranch=${encodeURIComponent(branch)}; path=/`,
        `Locale=Culture=en-US&TimeZone=GMTM0000; path=/`,
      ],
    };
  }

  /** The session a request belongs to, from its `Cookie` header; undefined when not signed in. */
  sessionOf(cookieHeader: string | undefined): string | undefined {
    this.endIdle();
    const token = readCookie(cookieHeader, AUTH_COOKIE);
    const session = token === undefined ? undefined : this.open.get(token);
    if (session === undefined) return undefined;
    session.lastUsed = this.now();
    return token;
  }

  /** Ends the request's session (if any) and answers the cookies that clear it. */
  logout(cookieHeader: string | undefined): string[] {
    this.endIdle();
    const token = readCookie(cookieHeader, AUTH_COOKIE);
    if (token !== undefined && this.open.delete(token)) this.counts.logouts++;
    return [`${AUTH_COOKIE}=; expires=Mon, 11-Oct-1999 21:00:00 GMT; path=/; HttpOnly`, 'ASP.NET_SessionId=; expires=Mon, 11-Oct-1999 21:00:00 GMT; path=/'];
  }

  /** Ends every session as Acumatica's idle timeout would: their cookies are refused from now on (401). */
  expireAll(): void {
    this.open.clear();
  }

  snapshot(): SessionCounts {
    this.endIdle();
    return { open: this.open.size, ...this.counts };
  }

  /** Ends the sessions idle for longer than the timeout (checked lazily, on every use: no timer keeps the process up). */
  private endIdle(): void {
    const cutoff = this.now() - this.idleTimeoutMs();
    for (const [token, session] of this.open) {
      if (session.lastUsed <= cutoff) {
        this.open.delete(token);
        this.counts.timedOut++;
      }
    }
  }
}

export function pxError(exceptionMessage: string, exceptionType: string): Record<string, unknown> {
  return { message: 'An error has occurred.', exceptionMessage, exceptionType, stackTrace: null };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0 && part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}
