import type { HttpClient, HttpRequest, HttpResponse } from '@ledgerlink/core';
import type { VistaConfig } from './config.js';
import { soundId } from './erp-id.js';

/**
 * The Direct API's routes and JSON shapes as this client reads them (erp-reference.md §6.2). Shapes marked
 * [U] in the README are this project's reading where Trimble publishes none.
 */

/** What the create action answers: the action's id in the Action Queue ([U] shape). */
export interface ActionAccepted {
  actionId: string;
  status: string;
}

/** One problem an action or a refused request reports ([U] shape: a field name and Vista's text). */
export interface VistaProblem {
  field?: string;
  message: string;
}

/** An action's state in the Action Queue ([U] shape). */
export interface ActionState {
  actionId: string;
  /** `Queued`, `Processing`, `Successful` or `Failed`. */
  status: string;
  result?: { KeyID?: unknown };
  errors?: VistaProblem[];
}

/** One cache page: at most `limit` records, possibly none, and a token while more may follow. */
export interface CachePage {
  data: Record<string, unknown>[];
  continuationToken: string | null;
}

/** An equality or greater-than filter of `cache/search` ([U] syntax). */
export interface CacheFilter {
  field: string;
  operator: 'eq' | 'gt';
  value: string;
}

/** Builds the object's URLs and sends every call with `X-Application-Key`, through the lane's HttpClient. */
export class VistaApi {
  readonly #config: VistaConfig;
  readonly #http: HttpClient;
  readonly #object: string;

  /** `object`: the data object the calls go to; the AP payment object when absent. */
  constructor(config: VistaConfig, http: HttpClient, object?: string) {
    this.#config = config;
    this.#http = http;
    this.#object = object ?? config.paymentObject;
  }

  /** The same key and subscriber, another data object of the module (`invoices`, `vendors`). */
  forObject(object: string): VistaApi {
    return new VistaApi(this.#config, this.#http, object);
  }

  /** `…/subscribers/{uid}/Viewpoint/{module}/{apiVersion}/data/{object}` */
  objectUrl(): string {
    const { baseUrl, subscriberUid, module, apiVersion } = this.#config;
    return `${baseUrl.replace(/\/+$/, '')}/connect/v1/direct/subscribers/${subscriberUid}/Viewpoint/${module}/${apiVersion}/data/${this.#object}`;
  }

  create(body: Record<string, unknown>): Promise<HttpResponse> {
    return this.#send({ method: 'POST', url: `${this.objectUrl()}/actions/create`, body: JSON.stringify(body) });
  }

  action(actionId: string): Promise<HttpResponse> {
    return this.#send({ method: 'GET', url: `${this.objectUrl()}/actions/${encodeURIComponent(actionId)}` });
  }

  readCache(limit: number, offset: number): Promise<HttpResponse> {
    return this.#send({ method: 'GET', url: `${this.objectUrl()}/cache?limit=${limit}&offset=${offset}` });
  }

  search(continuationToken: string | null, filters: CacheFilter[]): Promise<HttpResponse> {
    const body = { continuationToken, limit: this.#config.pageSize, filters };
    return this.#send({ method: 'POST', url: `${this.objectUrl()}/cache/search`, body: JSON.stringify(body) });
  }

  #send(request: HttpRequest): Promise<HttpResponse> {
    return this.#http({
      ...request,
      headers: {
        'X-Application-Key': this.#config.applicationKey,
        Accept: 'application/json',
        ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
    });
  }
}

/** Parses a JSON body; undefined when it is not JSON. */
export function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The problems of an error body (`errors[]`), or none. */
export function problemsOf(body: unknown): VistaProblem[] {
  const errors = isObject(body) ? body.errors : undefined;
  if (!Array.isArray(errors)) return [];
  return errors.filter(isObject).map((error) => ({
    ...(typeof error.field === 'string' ? { field: error.field } : {}),
    message: typeof error.message === 'string' ? error.message : JSON.stringify(error),
  }));
}

/** The create answer; undefined without a usable action id (blank, padded, not text). */
export function asAccepted(body: unknown): ActionAccepted | undefined {
  const actionId = isObject(body) && typeof body.actionId === 'string' ? soundId(body.actionId) : undefined;
  if (!isObject(body) || actionId === undefined) return undefined;
  return { actionId, status: typeof body.status === 'string' ? body.status : 'Queued' };
}

export function asActionState(body: unknown): ActionState | undefined {
  if (!isObject(body) || typeof body.actionId !== 'string' || typeof body.status !== 'string') return undefined;
  return {
    actionId: body.actionId,
    status: body.status,
    ...(isObject(body.result) ? { result: body.result } : {}),
    errors: problemsOf(body),
  };
}

export function asCachePage(body: unknown): CachePage | undefined {
  if (!isObject(body) || !Array.isArray(body.data)) return undefined;
  const token = body.continuationToken;
  if (token !== null && token !== undefined && typeof token !== 'string') return undefined;
  return { data: body.data.filter(isObject), continuationToken: typeof token === 'string' && token !== '' ? token : null };
}
