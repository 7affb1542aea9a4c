/**
 * The sandbox agent's HTTP side: bearer-token authentication, the Idempotency-Key store, the fault knobs
 * and the request counters, around the routes of agent-routes.ts. Plain HTTP on loopback: TLS is the
 * deployment's job (README.md).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { SandboxFaults, SandboxStats } from '@ledgerlink/core';
import { type AgentAnswer, type ApCompany, agentError } from './ap-company.js';
import { route } from './agent-routes.js';

const MAX_BODY_BYTES = 64 * 1024;
/** What the agent publishes as its limit: one Sage session, ten requests a second. */
const PUBLISHED_CONCURRENCY = 1;
const PUBLISHED_REQUESTS = 10;
const PUBLISHED_INTERVAL_MS = 1000;

export interface AgentServerOptions {
  company: ApCompany;
  token: string;
  faults: SandboxFaults;
  /** Seconds sent in Retry-After with a BUSY answer. */
  busyRetryAfterSeconds: number;
}

interface StoredAnswer {
  fingerprint: string;
  answer: AgentAnswer;
}

export class AgentServer {
  readonly server: Server;
  private readonly idempotency = new Map<string, StoredAnswer>();
  private readonly counters: SandboxStats = { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] };
  private inFlight = 0;

  constructor(private readonly options: AgentServerOptions) {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  stats(): SandboxStats {
    return { ...this.counters, arrivals: [...this.counters.arrivals] };
  }

  resetStats(): void {
    this.counters.requests = 0;
    this.counters.throttled = 0;
    this.counters.maxConcurrent = this.inFlight;
    this.counters.arrivals = [];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrival = Date.now();
    this.counters.requests++;
    this.counters.arrivals.push(arrival);
    this.inFlight++;
    this.counters.maxConcurrent = Math.max(this.counters.maxConcurrent, this.inFlight);
    let counted = true;
    const leave = (): void => {
      if (counted) this.inFlight--;
      counted = false;
    };
    res.on('close', leave);
    const overLimit =
      this.options.faults.enforceLimits &&
      (this.inFlight > PUBLISHED_CONCURRENCY ||
        this.counters.arrivals.filter((time) => arrival - time < PUBLISHED_INTERVAL_MS).length > PUBLISHED_REQUESTS);
    try {
      const raw = await readBody(req);
      if (this.options.faults.latencyMs > 0) await delay(this.options.faults.latencyMs);
      if (this.options.faults.throttleNext > 0 || overLimit) {
        if (!overLimit) this.options.faults.throttleNext--;
        this.counters.throttled++;
        return send(res, this.busy());
      }
      if (this.options.faults.serverErrorRate > 0 && Math.random() < this.options.faults.serverErrorRate) {
        return send(res, agentError(500, 'INTERNAL', 'The agent failed while talking to Sage; the request was not applied.'));
      }
      if (!this.authorized(req.headers.authorization)) {
        const answer = agentError(401, 'UNAUTHORIZED', 'Missing or wrong agent token: send Authorization: Bearer <the token configured on the agent>.');
        return send(res, { ...answer, headers: { 'www-authenticate': 'Bearer realm="sage300-agent"' } });
      }
      const answer = this.answer(req, raw);
      if (answer.commit && this.options.faults.commitThenDrop > 0) {
        this.options.faults.commitThenDrop--;
        req.socket.destroy();
        return;
      }
      return send(res, answer.answer);
    } catch (error) {
      if (error instanceof BodyTooLarge) return send(res, agentError(413, 'BAD_REQUEST', `The request body is above ${MAX_BODY_BYTES} bytes.`));
      return send(res, agentError(500, 'INTERNAL', `The agent failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  /** Routes one authenticated request; `commit` is true when it was a write the agent applied (or replayed). */
  private answer(req: IncomingMessage, raw: string): { answer: AgentAnswer; commit: boolean } {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://agent.invalid');
    let segments: string[];
    try {
      segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    } catch {
      return { answer: agentError(400, 'BAD_REQUEST', 'The path is not valid percent-encoding.'), commit: false };
    }
    let body: unknown = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        return { answer: agentError(400, 'BAD_REQUEST', 'The request body is not JSON.'), commit: false };
      }
    }
    const key = req.headers['idempotency-key'];
    const isWrite = method === 'PUT' || method === 'POST';
    if (isWrite && typeof key === 'string') {
      if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
        return { answer: agentError(400, 'BAD_REQUEST', 'Idempotency-Key must be 1 to 255 visible ASCII characters.'), commit: false };
      }
      const fingerprint = `${method} ${url.pathname} ${canonicalJson(body)}`;
      const stored = this.idempotency.get(key);
      if (stored) {
        if (stored.fingerprint !== fingerprint) {
          return {
            answer: agentError(422, 'IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was used for a different request; send a new key for a new request.`),
            commit: false,
          };
        }
        return { answer: { ...stored.answer, headers: { ...stored.answer.headers, 'idempotency-replayed': 'true' } }, commit: true };
      }
      const answer = route(this.options.company, { method, segments, query: url.searchParams, body }, new Date());
      // Only applied writes are kept: a refusal is judged again, so a code cleared in Sage lets the retry through.
      if (answer.status >= 200 && answer.status < 300) this.idempotency.set(key, { fingerprint, answer });
      return { answer, commit: answer.status >= 200 && answer.status < 300 };
    }
    const answer = route(this.options.company, { method, segments, query: url.searchParams, body }, new Date());
    return { answer, commit: isWrite && answer.status >= 200 && answer.status < 300 };
  }

  private busy(): AgentAnswer {
    const seconds = this.options.busyRetryAfterSeconds;
    return {
      ...agentError(429, 'BUSY', `Sage AP is locked by another user (the invoice file is in use); try again in ${seconds} s.`, {
        retryAfterSeconds: seconds,
      }),
      headers: { 'retry-after': String(seconds) },
    };
  }

  private authorized(header: string | undefined): boolean {
    const match = /^Bearer (.+)$/.exec(header ?? '');
    if (!match) return false;
    const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
    return timingSafeEqual(digest(match[1] as string), digest(this.options.token));
  }
}

function send(res: ServerResponse, answer: AgentAnswer): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'agent-protocol': '1',
    ...answer.headers,
  });
  res.end(text);
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
