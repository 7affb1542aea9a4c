import {
  ErrorCodes,
  HttpTransportError,
  LedgerlinkError,
  parseRetryAfter,
  type ErpAnswer,
  type HttpClient,
  type HttpResponse,
} from '@ledgerlink/core';
import type { QboConfig } from './config.js';
import { erpAnswerOf, excerpt, faultIn, readJsonFault, readXmlFault, type QboFault } from './qbo-fault.js';
import { RECONNECT_HINT, type QboTokens } from './qbo-tokens.js';
import { parseJson, property } from './qbo-wire.js';

export interface QboCall {
  method: 'GET' | 'POST';
  /** Below `/v3/company/{realmId}/`, e.g. `billpayment` or `query`. */
  path: string;
  /** Query parameters besides `minorversion`, which every call carries. */
  params?: Record<string, string>;
  /** JSON body of a POST. */
  body?: unknown;
}

/** A QuickBooks answer that is not a success, read into its parts. */
export interface QboFailure {
  status: number;
  /** The Fault envelope (JSON, or the XML one of a 429), when the body held one. */
  fault: QboFault | undefined;
  erp: ErpAnswer;
  retryAfterMs: number | undefined;
}

/**
 * The Accounting API of one company: every call carries the bearer token and `minorversion`, and a 401 refreshes
 * the token once and sends the same request again (same `requestid`, so a replay cannot post twice). A second 401
 * means the connection itself is gone: that is thrown as `LL_ERP_AUTH`, never returned as a record's outcome.
 */
export class QboApi {
  constructor(
    private readonly config: QboConfig,
    private readonly http: HttpClient,
    private readonly tokens: QboTokens,
    private readonly now: () => Date,
  ) {}

  async call(call: QboCall): Promise<HttpResponse> {
    let token = await this.tokens.current();
    let response = await this.send(call, token);
    if (response.status !== 401) return response;
    token = await this.tokens.refresh(token);
    response = await this.send(call, token);
    if (response.status !== 401) return response;
    const failure = this.failure(response);
    throw new LedgerlinkError(
      ErrorCodes.ERP_AUTH,
      `QuickBooks refused a freshly refreshed access token (${failure.erp.code ?? 'HTTP 401'} ${failure.erp.message}): ${RECONNECT_HINT}`,
      { details: { status: 401, ...(failure.erp.code === undefined ? {} : { erpCode: failure.erp.code }) } },
    );
  }

  /**
   * Runs a query and returns the `QueryResponse` rows of `entity`. Failures are thrown as coded errors that say
   * whether to retry; callers that owe an outcome turn them into one.
   */
  async query<T>(statement: string, entity: string): Promise<T[]> {
    let response: HttpResponse;
    try {
      response = await this.call({ method: 'GET', path: 'query', params: { query: statement } });
    } catch (error) {
      // A read never commits anything: a lost connection is retryable, as a coded error like every other.
      if (error instanceof HttpTransportError) {
        throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `no answer from QuickBooks to a query: ${error.message}`, {
          disposition: 'retryable',
          cause: error,
          details: { query: statement },
        });
      }
      throw error;
    }
    const body = parseJson(response.body);
    // The body parsed once: an import page's thousand payments were parsed a second time only to look for a Fault.
    const fault = response.status === 200 ? faultIn(body) : undefined;
    if (response.status !== 200 || fault !== undefined || body === undefined) {
      throw this.queryError(response, statement);
    }
    const rows = property(property(body, 'QueryResponse'), entity);
    return Array.isArray(rows) ? (rows as T[]) : [];
  }

  /** Reads a failed answer: its Fault (JSON, or the XML one a 429 carries), the ERP's words, Retry-After. */
  failure(response: HttpResponse): QboFailure {
    const fault = readJsonFault(response.body) ?? readXmlFault(response.body);
    return {
      status: response.status,
      fault,
      erp: erpAnswerOf(fault, response.status, `HTTP ${response.status}: ${excerpt(response.body)}`),
      retryAfterMs: parseRetryAfter(response.headers['retry-after'], this.now().getTime()),
    };
  }

  private queryError(response: HttpResponse, statement: string): LedgerlinkError {
    const failure = this.failure(response);
    const said = `${failure.erp.code ?? `HTTP ${failure.status}`} ${failure.erp.message}`;
    const details = { status: failure.status, erp: failure.erp, query: statement };
    if (failure.status === 429) {
      return new LedgerlinkError(ErrorCodes.ERP_THROTTLED, `QuickBooks throttled a query (${said}); it is retried after a pause`, {
        disposition: 'retryable',
        details: { ...details, ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }) },
      });
    }
    if (failure.status >= 500) {
      return new LedgerlinkError(ErrorCodes.ERP_SERVER_ERROR, `QuickBooks failed on a query (${said}); try again later`, {
        disposition: 'retryable',
        details,
      });
    }
    if (failure.status === 403) return forbidden(failure, this.config.realmId);
    return new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `QuickBooks refused the query "${statement}" (${said})`, { details });
  }

  private send(call: QboCall, token: string): Promise<HttpResponse> {
    const url = new URL(`${this.config.baseUrl.replace(/\/+$/, '')}/v3/company/${encodeURIComponent(this.config.realmId)}/${call.path}`);
    for (const [name, value] of Object.entries(call.params ?? {})) url.searchParams.set(name, value);
    url.searchParams.set('minorversion', String(this.config.minorVersion));
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    return this.http({
      method: call.method,
      url: url.toString(),
      headers,
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    });
  }
}

/** 403: the app may not use this company (wrong realm id, or the company disconnected the app). */
export function forbidden(failure: QboFailure, realmId: string): LedgerlinkError {
  return new LedgerlinkError(
    ErrorCodes.ERP_AUTH,
    `QuickBooks refused access to company ${realmId} (${failure.erp.code ?? 'HTTP 403'} ${failure.erp.message}): ` +
      `check realmId, or ${RECONNECT_HINT}`,
    { details: { status: 403, erp: failure.erp } },
  );
}
