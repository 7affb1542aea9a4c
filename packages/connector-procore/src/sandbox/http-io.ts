import type { IncomingMessage, ServerResponse } from 'node:http';

/** An answer as the sandbox sends it. */
export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** Refused work, with the HTTP status it is answered with; control methods throw it as it is. */
export class SandboxRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxRefusal';
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, body: JSON.stringify(body), headers: { 'content-type': 'application/json; charset=utf-8', ...headers } };
}

/** Procore's error shape: `{ "errors": "text" }` or `{ "errors": { "field": ["text"] } }`. */
export function errors(status: number, detail: string | Record<string, string[]>): Answer {
  return json(status, { errors: detail });
}

/** Reads a request body as UTF-8, refusing more than `maxBytes`. */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new SandboxRefusal(413, `request body larger than ${maxBytes} bytes`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Parses a JSON body; an empty body is `{}`. */
export function parseJson(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new SandboxRefusal(400, 'the request body is not valid JSON');
  }
}

/** Writes an answer, unless the connection is already gone (commit-then-drop). */
export function send(response: ServerResponse, answer: Answer, extraHeaders: Record<string, string> = {}): void {
  if (response.writableEnded || response.destroyed) return;
  response.writeHead(answer.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(answer.body),
    ...extraHeaders,
    ...answer.headers,
  });
  response.end(answer.body);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
