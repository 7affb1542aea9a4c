import type { IncomingMessage, ServerResponse } from 'node:http';

const BODY_MAX_BYTES = 1_000_000;

/** An answer as the sandbox sends it. */
export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  contentType?: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, body: JSON.stringify(body), headers, contentType: 'application/json; charset=utf-8' };
}

/** Procore's error shapes: `{ "message": … }` or `{ "errors": … }`. */
export function message(status: number, text: string): Answer {
  return json(status, { message: text });
}

export function errors(status: number, fieldErrors: Record<string, string[]> | string): Answer {
  return json(status, { errors: fieldErrors });
}

/** Reads a request body as UTF-8, refusing more than 1 MB. */
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_MAX_BYTES) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Writes an answer, unless the connection is already gone (commit-then-drop). */
export function send(response: ServerResponse, answer: Answer, extraHeaders: Record<string, string> = {}): void {
  if (response.writableEnded || response.destroyed) return;
  response.writeHead(answer.status, {
    'content-type': answer.contentType ?? 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(answer.body),
    'x-request-id': `sandbox-${Date.now().toString(36)}`,
    ...extraHeaders,
    ...answer.headers,
  });
  response.end(answer.body);
}
