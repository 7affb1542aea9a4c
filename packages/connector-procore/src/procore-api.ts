import { ErrorCodes, HttpTransportError, LedgerlinkError, type HttpClient, type HttpResponse, type LaneSignals } from '@ledgerlink/core';
import type { ProcoreConfig } from './config.js';
import { CREDENTIALS_HINT, failureError, readFailure, resetInMs, unreadable, waitOf } from './procore-errors.js';
import type { ProcoreTokens } from './procore-tokens.js';
import { nextLink, parseJson } from './procore-wire.js';

/** A list longer than this many pages is not a list Procore would send: stop rather than loop. */
const MAX_PAGES = 10_000;

export interface ProcoreCall {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** Below the API host: one of `platformPaths`. */
  path: string;
  /** Sent as the `Procore-Company-Id` header: the company context of the call. */
  companyId: string;
  params?: Record<string, string>;
  /** JSON body of a POST/PATCH/PUT. */
  body?: unknown;
  /** Names the call in errors: "reading ERP request 17 of company 4264". */
  doing: string;
}

/** A path that needs no escaping: `/`-separated segments of letters, digits, `-`, `_` and `.`. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9._-]*)+$/;

/**
 * Procore's REST API for the service account: every call carries the bearer token and `Procore-Company-Id` and goes
 * through the lane; a 401 gets a new token once and sends the same request again. The rate-limit headers are read on
 * every answer: when the reported window is spent, the lane pauses until its reset before Procore has to say 429.
 */
export class ProcoreApi {
  constructor(
    private readonly config: ProcoreConfig,
    private readonly http: HttpClient,
    private readonly lane: LaneSignals,
    private readonly tokens: ProcoreTokens,
    private readonly now: () => Date,
  ) {}

  /** Sends a call; any answer comes back (after one new token on a 401). No answer is a retryable LL_ERP_TRANSPORT. */
  async call(call: ProcoreCall): Promise<HttpResponse> {
    const token = await this.tokens.current();
    let response = await this.send(call, token);
    if (response.status === 401) {
      response = await this.send(call, await this.tokens.replace(token));
      if (response.status === 401) {
        const failure = readFailure(response, this.now().getTime());
        throw new LedgerlinkError(
          ErrorCodes.HUB_AUTH,
          `Procore refused a freshly granted access token while ${call.doing} (HTTP 401: ${failure.erp.message}): ${CREDENTIALS_HINT}`,
          { details: { status: 401, erp: failure.erp } },
        );
      }
    }
    return response;
  }

  /** A call that must answer 2xx with JSON; anything else is thrown as a coded error. */
  async json(call: ProcoreCall): Promise<{ body: unknown; response: HttpResponse }> {
    const response = await this.call(call);
    if (response.status < 200 || response.status >= 300) throw this.error(response, call.doing);
    const body = parseJson(response.body);
    if (body === undefined) throw unreadable(call.doing, `HTTP ${response.status} but no JSON body`, { status: response.status });
    return { body, response };
  }

  /** A call whose 404 means "no such object" (`undefined`); other failures are thrown. */
  async jsonOrMissing(call: ProcoreCall): Promise<unknown> {
    const response = await this.call(call);
    if (response.status === 404) return undefined;
    if (response.status < 200 || response.status >= 300) throw this.error(response, call.doing);
    const body = parseJson(response.body);
    if (body === undefined) throw unreadable(call.doing, `HTTP ${response.status} but no JSON body`, { status: response.status });
    return body;
  }

  /** A paged list (`page`, `per_page`), page by page, until a page is short or carries no `rel="next"`. */
  async *pages(call: ProcoreCall, perPage: number): AsyncGenerator<unknown[]> {
    for (let page = 1; ; page++) {
      if (page > MAX_PAGES) throw unreadable(call.doing, `more than ${MAX_PAGES} pages; the list is not read further`);
      const { body, response } = await this.json({ ...call, params: { ...call.params, page: String(page), per_page: String(perPage) } });
      if (!Array.isArray(body)) throw unreadable(call.doing, 'something that is not a list', { page });
      if (body.length === 0) return;
      yield body;
      // Procore sends `Link: rel="next"` while more remain; without the header a short page is the last.
      if (nextLink(response.headers.link) === undefined && body.length < perPage) return;
    }
  }

  /** The coded error of a failed answer. */
  error(response: HttpResponse, doing: string): LedgerlinkError {
    return failureError(readFailure(response, this.now().getTime()), doing);
  }

  private async send(call: ProcoreCall, token: string): Promise<HttpResponse> {
    const url = this.urlOf(call);
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'procore-company-id': call.companyId,
    };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    let response: HttpResponse;
    try {
      response = await this.http({
        method: call.method,
        url,
        headers,
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      });
    } catch (error) {
      if (error instanceof HttpTransportError) {
        throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `Procore did not answer while ${call.doing}: ${error.message}`, {
          disposition: 'retryable',
          cause: error,
          details: { committed: error.committed, reason: error.reason },
        });
      }
      throw error;
    }
    this.observe(response);
    return response;
  }

  /** The base URL without its trailing slashes, worked out once. */
  #base: string | undefined;

  /**
   * The call's URL. A path of plain segments (letters, digits, `-`, `_`, `.`, `/`, no `..`), as every path of
   * `platformPaths` is, is joined to the base as it is; anything else goes through WHATWG's URL, which escapes it.
   * Query parameters are form-encoded, as `URLSearchParams` writes them. (A URL object per call was a percent of
   * the runner's CPU per payment.)
   */
  private urlOf(call: ProcoreCall): string {
    this.#base ??= this.config.apiBaseUrl.replace(/\/+$/, '');
    const plain = PLAIN_PATH.test(call.path) && !call.path.includes('..');
    const params = call.params === undefined ? '' : new URLSearchParams(call.params).toString();
    if (plain) return params === '' ? `${this.#base}${call.path}` : `${this.#base}${call.path}?${params}`;
    const url = new URL(`${this.#base}${call.path}`);
    for (const [name, value] of Object.entries(call.params ?? {})) url.searchParams.set(name, value);
    return url.toString();
  }

  /**
   * The lane already pauses on a 429 (without a delay of its own when Procore names only the reset time) and on a
   * 503 with Retry-After; this names the real wait, and pauses ahead of time when the window Procore reports has no
   * requests left.
   */
  private observe(response: HttpResponse): void {
    const now = this.now().getTime();
    if (response.status === 429) {
      const wait = waitOf(response, now);
      if (wait !== undefined) this.lane.throttled(wait);
      return;
    }
    if (response.headers['x-rate-limit-remaining'] === '0') {
      const wait = resetInMs(response, now);
      if (wait !== undefined && wait > 0) this.lane.throttled(wait);
    }
  }
}
