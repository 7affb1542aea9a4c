/**
 * The few cookies of one Acumatica session (`.ASPXAUTH`, `ASP.NET_SessionId`, `UserBranch`, `Locale`...). One
 * site, one session: names and values are enough; paths, domains and flags do not matter here.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /**
   * Takes a `Set-Cookie` header as the HTTP client delivered it: one cookie, or several joined by newlines or
   * by `, ` (what `fetch` does), where the comma inside an `Expires` date is not a separator.
   */
  store(setCookie: string | undefined): void {
    if (setCookie === undefined || setCookie.trim() === '') return;
    for (const cookie of splitSetCookie(setCookie)) {
      const [pair = '', ...attributes] = cookie.split(';');
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      if (value === '' || isExpired(attributes)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get size(): number {
    return this.cookies.size;
  }

  clear(): void {
    this.cookies.clear();
  }
}

function splitSetCookie(header: string): string[] {
  return header
    .split(/\r?\n|,\s*(?=[^;,=\s]+=)/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function isExpired(attributes: string[]): boolean {
  for (const attribute of attributes) {
    const [rawName = '', ...rest] = attribute.split('=');
    const name = rawName.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (name === 'max-age' && Number(value) <= 0) return true;
    if (name === 'expires') {
      const when = Date.parse(value);
      if (!Number.isNaN(when) && when <= Date.now()) return true;
    }
  }
  return false;
}
