import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny ERP for the engine's tests: JSON over HTTP on a loopback port. It is the engine's counterpart, not a
 * real ERP's: it counts what arrives (times, concurrency), keeps the payments it committed, and plays faults
 * on request: throttle with Retry-After, server error, commit-then-drop, drop, garbage, hold.
 *
 * Routes:
 *   GET  /ping                      200 when `x-api-key` matches, else 401
 *   GET  /echo                      200 `{ n }` (the lane's own tests)
 *   POST /payments                  `{ items: [...] }` -> `{ results: [{ id } | { error: { code, message, field? } }] }`;
 *                                   an item's `idempotencyKey` seen before replays its first id
 *   GET  /payments?reference=R      `{ payments: [...] }` committed with that reference
 *   GET  /payments/final?after=C    import pages of `pageSize`: `{ payments, next }`
 */

export interface FakePayment {
  id: string;
  reference: string;
  vendorId: string;
  billId: string;
  bankAccount: string;
  amount: string;
  date: string;
  method: string;
  checkNo?: string;
  status: string;
}

export type Fault =
  | { kind: 'throttle'; retryAfter?: string }
  | { kind: 'server-error'; retryAfter?: string }
  /** Commits the write, then destroys the socket: the answer is lost. */
  | { kind: 'commit-then-drop' }
  /** Destroys the socket without doing anything. */
  | { kind: 'drop' }
  /** Answers 200 with a body that is not JSON. */
  | { kind: 'garbage' };

export interface Arrival {
  method: string;
  path: string;
  query: Record<string, string>;
  at: number;
}

export interface FakeErp {
  readonly url: string;
  readonly apiKey: string;
  /** Every request, in arrival order. */
  readonly arrivals: Arrival[];
  /** Payments committed, in order. */
  readonly payments: FakePayment[];
  /** Bills that exist (a payment on another bill is refused). */
  readonly bills: Set<string>;
  /** Most requests in flight at once. */
  maxConcurrent(): number;
  /** Queues faults for the next requests to `path` (`POST /payments`, `GET /echo`...), one per request. */
  fault(route: string, ...faults: Fault[]): void;
  /** Ordinary answers are held until the returned release is called (requests still count as arrived; faults answer). */
  hold(): () => void;
  /** Added before every answer. */
  latencyMs: number;
  /** Payments per import page. */
  pageSize: number;
  /** Adds a payment made in the ERP itself (for imports). */
  addPayment(payment: Omit<FakePayment, 'id'>): string;
  /** Calls to `route` so far. */
  count(route: string): number;
  close(): Promise<void>;
}

export async function startFakeErp(options: { apiKey?: string } = {}): Promise<FakeErp> {
  const apiKey = options.apiKey ?? 'test-key';
  const arrivals: Arrival[] = [];
  const payments: FakePayment[] = [];
  const bills = new Set<string>(['BILL-1', 'BILL-2', 'BILL-3', 'BILL-4', 'BILL-5', 'BILL-6']);
  const faults = new Map<string, Fault[]>();
  let inFlight = 0;
  let maxConcurrent = 0;
  let held: Promise<void> | undefined;
  let nextId = 1;
  const byKey = new Map<string, string>();

  const state = { latencyMs: 0, pageSize: 2 };

  const commit = (item: Record<string, unknown>): { id: string } | { error: { code: string; message: string; field?: string } } => {
    // Native idempotency: a key seen before replays the first answer instead of posting again.
    const key = typeof item['idempotencyKey'] === 'string' ? item['idempotencyKey'] : undefined;
    const replay = key === undefined ? undefined : byKey.get(key);
    if (replay !== undefined) return { id: replay };
    const billId = String(item['billId'] ?? '');
    if (!bills.has(billId)) return { error: { code: 'BILL_NOT_FOUND', message: `Bill ${billId} does not exist.` } };
    const checkNo = item['checkNo'] === undefined ? undefined : String(item['checkNo']);
    const bankAccount = String(item['bankAccount'] ?? '');
    if (checkNo !== undefined && payments.some((p) => p.checkNo === checkNo && p.bankAccount === bankAccount)) {
      return { error: { code: 'DUP_CHECK', message: `Check number ${checkNo} is already used on account ${bankAccount}.`, field: 'checkNo' } };
    }
    const id = `PAY-${nextId++}`;
    payments.push({
      id,
      reference: String(item['reference'] ?? ''),
      vendorId: String(item['vendorId'] ?? ''),
      billId,
      bankAccount,
      amount: String(item['amount'] ?? ''),
      date: String(item['date'] ?? ''),
      method: String(item['method'] ?? ''),
      ...(checkNo === undefined ? {} : { checkNo }),
      status: 'Final',
    });
    if (key !== undefined) byKey.set(key, id);
    return { id };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    // Faults answer at once; only ordinary answers wait for a hold or the latency.
    const fault = faults.get(route)?.shift();
    if (fault?.kind === 'throttle') {
      send(res, 429, { error: { code: 'THROTTLED', message: 'Too many requests.' } }, retryAfter(fault.retryAfter));
      return;
    }
    if (fault?.kind === 'server-error') {
      send(res, 503, { error: { code: 'UNAVAILABLE', message: 'Try again later.' } }, retryAfter(fault.retryAfter));
      return;
    }
    if (fault?.kind === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>gateway</html>');
      return;
    }
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (held !== undefined) await held;
    if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));

    if (route === 'GET /ping') {
      if (req.headers['x-api-key'] === apiKey) send(res, 200, { ok: true });
      else send(res, 401, { error: { code: 'AUTH', message: 'Invalid API key.' } });
      return;
    }
    if (route === 'GET /echo') {
      send(res, 200, { n: arrivals.length });
      return;
    }
    if (route === 'POST /payments') {
      const items = (JSON.parse(body) as { items: Record<string, unknown>[] }).items;
      const results = items.map(commit);
      if (fault?.kind === 'commit-then-drop') {
        req.socket.destroy();
        return;
      }
      send(res, 200, { results });
      return;
    }
    if (route === 'GET /payments') {
      const reference = url.searchParams.get('reference');
      send(res, 200, { payments: payments.filter((p) => p.reference === reference) });
      return;
    }
    if (route === 'GET /payments/final') {
      const after = Number(url.searchParams.get('after') ?? '0');
      const page = payments.slice(after, after + state.pageSize);
      const next = after + page.length < payments.length ? String(after + page.length) : null;
      send(res, 200, { payments: page, next, last: String(after + page.length) });
      return;
    }
    send(res, 404, { error: { code: 'NOT_FOUND', message: `No route ${route}.` } });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    arrivals.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() });
    inFlight += 1;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight -= 1;
      }
    };
    res.on('finish', finish);
    res.on('close', finish);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        send(res, 500, { error: { code: 'INTERNAL', message: String(error) } });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    arrivals,
    payments,
    bills,
    maxConcurrent: () => maxConcurrent,
    fault(route, ...list) {
      faults.set(route, [...(faults.get(route) ?? []), ...list]);
    },
    hold() {
      let release!: () => void;
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        held = undefined;
        release();
      };
    },
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(value: number) {
      state.latencyMs = value;
    },
    get pageSize() {
      return state.pageSize;
    },
    set pageSize(value: number) {
      state.pageSize = value;
    },
    addPayment(payment) {
      const id = `PAY-${nextId++}`;
      payments.push({ id, ...payment });
      return id;
    },
    count(route) {
      const [method, path] = route.split(' ');
      return arrivals.filter((a) => a.method === method && a.path === path).length;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function retryAfter(value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { 'retry-after': value };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
