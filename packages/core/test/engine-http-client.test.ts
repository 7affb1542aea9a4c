import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../src/index.js';

const servers: Server[] = [];

/** A loopback server that counts the sockets it was opened on; closed after each test. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer(handler);
  server.on('connection', (socket) => sockets.add(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('createHttpClient (keep-alive transport)', () => {
  it('calls one after another reuse their sockets (kept alive), not one socket per call', async () => {
    const { url, sockets } = await serve((req, res) => res.end(`${req.method} ${req.url}`));
    const http = createHttpClient({ timeoutMs: 10_000 });
    const bodies: string[] = [];
    for (let i = 0; i < 20; i++) bodies.push((await http({ method: 'GET', url: `${url}/items/${i}?q=a%20b` })).body);
    expect(bodies[7]).toBe('GET /items/7?q=a%20b');
    // undici may take a second socket while the first is still finishing the answer before; never 20.
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('never opens more sockets to one origin than connectionsPerOrigin, and every call is answered', async () => {
    let open = 0;
    let most = 0;
    const { url, sockets } = await serve((_req, res) => {
      open += 1;
      most = Math.max(most, open);
      setTimeout(() => {
        open -= 1;
        res.end('ok');
      }, 5);
    });
    const http = createHttpClient({ timeoutMs: 20_000, connectionsPerOrigin: 3 });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => http({ method: 'POST', url: `${url}/p/${i}`, body: String(i) })));
    expect(answers.every((answer) => answer.status === 200 && answer.body === 'ok')).toBe(true);
    expect(sockets.size).toBeLessThanOrEqual(3);
    expect(most).toBeLessThanOrEqual(3);
  });

  it('a string body without a content type goes as text/plain, as fetch sent it; a given one is kept', async () => {
    const seen: (string | undefined)[] = [];
    const { url } = await serve((req, res) => {
      seen.push(req.headers['content-type']);
      req.resume();
      req.on('end', () => res.end());
    });
    const http = createHttpClient();
    await http({ method: 'POST', url, body: 'x' });
    await http({ method: 'POST', url, body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(seen).toEqual(['text/plain;charset=UTF-8', 'application/json']);
  });

  it('repeated headers other than set-cookie are joined with a comma', async () => {
    const { url } = await serve((_req, res) => {
      res.setHeader('Vary', ['Accept', 'Origin']);
      res.end();
    });
    expect((await createHttpClient()({ method: 'GET', url })).headers.vary).toBe('Accept, Origin');
  });

  it('the timeout covers a body that stops half-way: committed unknown, reason timeout', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
    });
    const http = createHttpClient({ timeoutMs: 10_000 });
    await expect(http({ method: 'GET', url, timeoutMs: 80 })).rejects.toMatchObject({ committed: 'unknown', reason: 'timeout' });
  });

  it('reads a body that comes in several chunks as UTF-8, a character split between chunks whole, without a leading BOM', async () => {
    const text = 'Zahlung für Müller – 12 €';
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(bytes.length) });
      // Cut inside "ü" (two bytes) and inside "€" (three), each part flushed on its own.
      const cuts = [0, 14, bytes.length - 2, bytes.length];
      const send = (i: number): void => {
        if (i + 1 >= cuts.length) return void res.end();
        res.write(bytes.subarray(cuts[i], cuts[i + 1]));
        setTimeout(() => send(i + 1), 5);
      };
      send(0);
    });
    expect((await createHttpClient()({ method: 'GET', url })).body).toBe(text);
  });

  it('a call still waiting for a socket when its time runs out is never sent', async () => {
    const seen: string[] = [];
    const { url } = await serve((req, res) => {
      seen.push(req.url ?? '');
      setTimeout(() => res.end('ok'), 150);
    });
    const http = createHttpClient({ timeoutMs: 10_000, connectionsPerOrigin: 1 });
    const first = http({ method: 'GET', url: `${url}/first` });
    const second = http({ method: 'GET', url: `${url}/second`, timeoutMs: 40 });
    await expect(second).rejects.toMatchObject({ reason: 'timeout' });
    expect((await first).body).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['/first']);
  });
});
