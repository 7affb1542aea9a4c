import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answer } from './answers.js';

const BODY_MAX_BYTES = 1_000_000;

/** Reads a request body as UTF-8 text, refusing bodies above 1 MB. */
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
export function send(response: ServerResponse, answer: Answer): void {
  if (response.writableEnded || response.destroyed) return;
  response.writeHead(answer.status, {
    'content-type': answer.contentType,
    'content-length': Buffer.byteLength(answer.body),
    intuit_tid: `sandbox-${Date.now().toString(36)}`,
  });
  response.end(answer.body);
}
