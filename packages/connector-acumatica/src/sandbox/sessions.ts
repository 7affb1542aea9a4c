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
}

export type LoginAnswer =
  | { ok: true; cookies: string[] }
  | { ok: false; status: number; body: Record<string, unknown> };

const AUTH_COOKIE = '.ASPXAUTH';

export class Sessions {
  private readonly open = new Map<string, { branch: string }>();
  private counts = { logins: 0, logouts: 0, refusedLogins: 0, maxOpen: 0 };

  constructor(
    private readonly credentials: SandboxCredentials,
    private readonly maxApiUsers: () => number,
  ) {}

  login(body: unknown): LoginAnswer {
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
    this.open.set(token, { branch });
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
    const token = readCookie(cookieHeader, AUTH_COOKIE);
    return token !== undefined && this.open.has(token) ? token : undefined;
  }

  /** Ends the request's session (if any) and answers the cookies that clear it. */
  logout(cookieHeader: string | undefined): string[] {
    const token = readCookie(cookieHeader, AUTH_COOKIE);
    if (token !== undefined && this.open.delete(token)) this.counts.logouts++;
    return [`${AUTH_COOKIE}=; expires=Mon, 11-Oct-1999 21:00:00 GMT; path=/; HttpOnly`, 'ASP.NET_SessionId=; expires=Mon, 11-Oct-1999 21:00:00 GMT; path=/'];
  }

  /** Ends every session as Acumatica's idle timeout would: their cookies are refused from now on (401). */
  expireAll(): void {
    this.open.clear();
  }

  snapshot(): SessionCounts {
    return { open: this.open.size, ...this.counts };
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
