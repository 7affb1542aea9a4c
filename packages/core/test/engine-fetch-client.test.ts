import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFetchHttpClient, HttpTransportError } from '../src/index.js';

const servers: Server[] = [];

/** A loopback server whose handler the test writes; closed after each test. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on: listen, note it, close. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function transportError(call: Promise<unknown>): Promise<HttpTransportError> {
  const error = await call.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(HttpTransportError);
  return error as HttpTransportError;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('createFetchHttpClient', () => {
  it('returns any status with its body as text and header names in lower case', async () => {
    let received: { method?: string; body: string; custom?: string } = { body: '' };
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received = { method: req.method, body, custom: req.headers['x-custom'] as string };
        res.setHeader('X-Request-Id', 'abc-1');
        res.setHeader('Set-Cookie', ['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2']);
        res.writeHead(422, { 'Content-Type': 'application/json' });
        res.end('{"error":"Vendor V-9 not found"}');
      });
    });
    const http = createFetchHttpClient();
    const response = await http({ method: 'POST', url: `${url}/bills`, headers: { 'X-Custom': 'yes' }, body: '{"a":1}' });
    expect(received).toEqual({ method: 'POST', body: '{"a":1}', custom: 'yes' });
    expect(response.status).toBe(422);
    expect(response.body).toBe('{"error":"Vendor V-9 not found"}');
    expect(response.headers['x-request-id']).toBe('abc-1');
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['set-cookie']?.split('\n')).toEqual(['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2']);
  });

  it('a refused connection was never sent: committed no', async () => {
    const url = await closedPort();
    const error = await transportError(createFetchHttpClient()({ method: 'POST', url: `${url}/payments?token=secret`, body: 'x' }));
    expect(error).toMatchObject({ committed: 'no', reason: 'network' });
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('secret');
  });

  it('a socket closed after the request went out: committed unknown', async () => {
    const url = await serve((req) => {
      req.resume();
      req.on('end', () => req.socket.destroy());
    });
    const error = await transportError(createFetchHttpClient()({ method: 'POST', url: `${url}/payments`, body: '{}' }));
    expect(error).toMatchObject({ committed: 'unknown', reason: 'network' });
    expect(error.message).toContain('UND_ERR_SOCKET');
  });

  it('an answer cut off mid-body: committed unknown', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const error = await transportError(createFetchHttpClient()({ method: 'GET', url }));
    expect(error).toMatchObject({ committed: 'unknown', reason: 'network' });
  });

  it('no answer within the timeout: committed unknown, reason timeout; the request can name its own', async () => {
    const url = await serve(() => {
      // never answers
    });
    const slowDefault = createFetchHttpClient({ timeoutMs: 60 });
    expect(await transportError(slowDefault({ method: 'GET', url }))).toMatchObject({ committed: 'unknown', reason: 'timeout' });
    const perCall = createFetchHttpClient({ timeoutMs: 60_000 });
    const error = await transportError(perCall({ method: 'GET', url, timeoutMs: 60 }));
    expect(error).toMatchObject({ committed: 'unknown', reason: 'timeout' });
    expect(error.message).toContain('60 ms');
  });

  it('the shutdown signal cancels a call in flight and refuses new ones', async () => {
    let arrived = 0;
    const url = await serve(() => {
      arrived += 1;
    });
    const shutdown = new AbortController();
    const http = createFetchHttpClient({ signal: shutdown.signal });
    const inFlight = http({ method: 'GET', url });
    while (arrived === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    shutdown.abort();
    expect(await transportError(inFlight)).toMatchObject({ reason: 'cancelled', committed: 'unknown' });
    expect(await transportError(http({ method: 'GET', url }))).toMatchObject({ reason: 'cancelled', committed: 'no' });
    expect(arrived).toBe(1);
  });
});
