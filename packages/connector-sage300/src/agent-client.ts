/**
 * Calls to the on-premises agent, all through the lane's HttpClient: the bearer token, JSON bodies and the
 * Idempotency-Key header. The token goes into a header only, never into an error or a log line.
 */
import type { ClientContext, HttpResponse } from '@ledgerlink/core';
import type { Sage300Config } from './config.js';

export interface AgentCall {
  method: 'GET' | 'PUT' | 'POST';
  /** Path below agentUrl, starting with `/v1/`. */
  path: string;
  body?: unknown;
  idempotencyKey?: string;
}

export class AgentClient {
  constructor(private readonly context: ClientContext<Sage300Config>) {}

  /** The agent's base URL, for messages (it holds no secret). */
  get baseUrl(): string {
    return this.context.config.agentUrl;
  }

  /** Sends one call; throws HttpTransportError (from the lane) when no answer arrived. */
  call(call: AgentCall): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.context.config.agentToken}`,
    };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
    return this.context.http({
      method: call.method,
      url: `${this.context.config.agentUrl}${call.path}`,
      headers,
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    });
  }
}
