import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startFuzzServer, type FuzzServer } from '../src/fuzz-server.js';

let server: FuzzServer | undefined;
afterEach(async () => {
  await server?.close();
});

/** Sends a GET with `path` exactly as given (no escaping by the client) and returns the status. */
function get(url: string, path: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sent = request({ hostname, port, path, method: 'GET' }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('the fuzz server', () => {
  it('answers 400 to a request its route cannot read (a malformed %-escape from a fuzzed Location), and goes on serving', async () => {
    server = await startFuzzServer((incoming) => (decodeURIComponent(incoming.url ?? '').includes('check') ? 'check' : 'other'));
    server.script({ check: [{ status: 200, headers: {}, body: '{}', delivery: 'normal' }] });
    expect(await get(server.url, '/entity/Default/Check/%E0%A4%A')).toBe(400);
    expect(await get(server.url, '/entity/Default/check/1')).toBe(200);
    expect(server.seen).toEqual(['(unreadable request)', 'check']);
  });
});
