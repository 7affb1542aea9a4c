/**
 * A loopback HTTP server that answers a connector's client with scripted, fast-check-generated answers, and the
 * property every answer must keep: the client resolves to a typed outcome or rejects with a LedgerlinkError,
 * never hangs, and never settles a payment on a blank or malformed ERP id. Connectors' fuzz suites import it from
 * `@ledgerlink/connector-testkit/fuzz` (fast-check is a peer dependency of that entry).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { isLedgerlinkError, type Outcome } from '@ledgerlink/core';

/** How an answer reaches the client: as written, cut off mid-body, never (a reset), or too late (a stall). */
export type Delivery = 'normal' | 'truncate' | 'reset' | 'stall';

export interface FuzzAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  delivery: Delivery;
}

/** Requests are answered from one queue per route; an empty queue answers `fallback`. */
export type RouteOf = (request: IncomingMessage, body: string) => string;

export interface FuzzServer {
  url: string;
  /** Replaces the queued answers (route -> answers in order). */
  script(answers: Record<string, FuzzAnswer[]>): void;
  /** Requests seen since the last `script`, as `route` names. */
  readonly seen: string[];
  close(): Promise<void>;
}

const FALLBACK: FuzzAnswer = { status: 503, headers: {}, body: '', delivery: 'normal' };

export async function startFuzzServer(routeOf: RouteOf): Promise<FuzzServer> {
  let queues = new Map<string, FuzzAnswer[]>();
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let route: string;
      try {
        route = routeOf(request, Buffer.concat(chunks).toString('utf8'));
      } catch {
        // A request the route cannot read (a path with a malformed %-escape, taken from a fuzzed Location header): a
        // real server refuses it, and the client under test must take that answer, not the harness crash.
        seen.push('(unreadable request)');
        response.writeHead(400, { 'content-type': 'text/plain' });
        response.end('bad request');
        return;
      }
      seen.push(route);
      const answer = queues.get(route)?.shift() ?? FALLBACK;
      switch (answer.delivery) {
        case 'reset':
          request.socket.destroy();
          return;
        case 'stall':
          return; // the client's timeout ends it; close() destroys the socket
        case 'truncate': {
          const body = Buffer.from(answer.body, 'utf8');
          response.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length + 16) });
          response.write(body.subarray(0, Math.floor(body.length / 2)));
          setImmediate(() => request.socket.destroy());
          return;
        }
        default:
          response.writeHead(answer.status, answer.headers);
          response.end(answer.body);
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the fuzz server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    seen,
    script(answers) {
      queues = new Map(Object.entries(answers).map(([route, list]) => [route, [...list]]));
      seen.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The fuzz runs: a few seconds in `npm test`, many more in `npm run bench` (LEDGERLINK_FUZZ_RUNS=20000). */
export function fuzzRuns(defaultRuns: number): number {
  return Number(process.env.LEDGERLINK_FUZZ_RUNS ?? defaultRuns);
}

/** A test timeout that grows with the runs (the bench runs 20,000 cases over sockets), with room for a loaded machine. */
export function fuzzTimeout(defaultRuns: number, msPerRun = 50): number {
  return 60_000 + fuzzRuns(defaultRuns) * msPerRun * 4;
}

// ---- generators -------------------------------------------------------------------------------------------

/** Header values HTTP can carry (visible ASCII and spaces). */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 });

export const retryAfter = fc.oneof(
  fc.constantFrom('', '0', '5', '-1', 'abc', '1e309', '99999999999999999999', 'Wed, 21 Oct 2015 07:28:00 GMT', 'NaN'),
  headerText,
);

export const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/html', 'text/xml; charset=utf-8', 'text/plain', 'application/octet-stream');

/** Statuses a gateway may answer with, the expected ones weighted up. */
export function statusOf(expected: number[]): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...expected) },
    { weight: 2, arbitrary: fc.constantFrom(200, 201, 202, 204, 400, 401, 403, 404, 409, 412, 422, 429, 500, 502, 503) },
    { weight: 1, arbitrary: fc.integer({ min: 200, max: 599 }) },
  );
}

export const delivery: fc.Arbitrary<Delivery> = fc.oneof(
  { weight: 40, arbitrary: fc.constant<Delivery>('normal') },
  { weight: 2, arbitrary: fc.constant<Delivery>('truncate') },
  { weight: 2, arbitrary: fc.constant<Delivery>('reset') },
  { weight: 1, arbitrary: fc.constant<Delivery>('stall') },
);

/** Ids as an ERP must never send them, and some as it does. */
export const oddId = fc.oneof(
  fc.constantFrom(' ', '', '\t', '\n', '  x', 'x  ', '\u0000', '\u200b', 'null', '0'),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 1_000_000 }),
  fc.constantFrom(1.5, -0, 1e21, Number.MAX_SAFE_INTEGER + 2),
  fc.constantFrom(null, true, [], {}),
);

/** Amounts: exact, huge, negative, exponents, too many places, not numbers. */
export const oddMoney = fc.oneof(
  fc.constantFrom('1000.05', '0', '-1000.05', '1e5', '1E-2', '1000.055', ' 1000.05 ', '99999999999999999999.99', '1.', '.5', 'NaN', 'Infinity', '', '١٠٠'),
  fc.constantFrom(1000.05, 0, -1, 1e300, 1e-7, 123456789012345680000, 0.1),
  fc.string({ maxLength: 10 }),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((value) => `${value}.${String(value % 100n).replace('-', '')}`),
);

/** A body that is not what the ERP sends: cut-off JSON, HTML, empty, another type. */
export const junkBody = fc.oneof(
  fc.constantFrom('', ' ', 'null', '[]', '{}', '5', '"text"', 'true', '{"', '<html><body>Bad Gateway</body></html>', '\u0000\u0001', '{"a":1}{"b":2}'),
  fc.string({ maxLength: 60 }),
  fc.json({ maxDepth: 3 }),
);

/** A JSON answer whose body is `value`, or junk; with random headers. */
export function jsonAnswer(value: fc.Arbitrary<unknown>, expected: number[]): fc.Arbitrary<FuzzAnswer> {
  return fc.record({
    status: statusOf(expected),
    headers: fc.record(
      { 'content-type': contentType, 'retry-after': retryAfter, 'x-fuzz': headerText },
      { requiredKeys: [] },
    ),
    body: fc.oneof({ weight: 5, arbitrary: value.map((inner) => JSON.stringify(inner) ?? '') }, { weight: 1, arbitrary: junkBody }),
    delivery,
  });
}

// ---- the property -----------------------------------------------------------------------------------------

/** How long any one call may take: the client's own timeouts are far shorter, so this means a hang. */
export const CALL_LIMIT_MS = 5_000;

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs a call with a time limit; a call that outlives it fails the property as a hang. */
export async function settle<T>(what: string, call: () => Promise<T>, limitMs = CALL_LIMIT_MS): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for more than ${limitMs} ms`)), limitMs);
  });
  try {
    return { ok: true, value: await Promise.race([call(), hang]) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(`${what} hung`)) throw error;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** A rejection must be a LedgerlinkError: a raw TypeError, SyntaxError, RangeError or transport error fails. */
export function assertTypedError(what: string, error: unknown): void {
  if (!isLedgerlinkError(error)) {
    const name = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`${what} threw an untyped error: ${name}`, { cause: error });
  }
}

/** An ERP id that may settle a payment: text, not blank, no surrounding blanks, no control characters. */
export function isSoundErpId(id: unknown): boolean {
  return typeof id === 'string' && id.trim() !== '' && id.trim() === id && !/\p{Cc}/u.test(id);
}

const KINDS = new Set(['synced', 'accepted', 'retryable', 'rejected', 'needs-edit']);

/** An outcome of the contract's kinds; `synced` only with a sound ERP id. */
export function assertOutcome(what: string, outcome: unknown): asserts outcome is Outcome {
  if (typeof outcome !== 'object' || outcome === null || !KINDS.has((outcome as { kind?: string }).kind ?? '')) {
    throw new Error(`${what} returned something that is not an outcome: ${JSON.stringify(outcome)}`);
  }
  const typed = outcome as Outcome;
  if (typed.kind === 'synced' && !isSoundErpId(typed.erpId)) {
    throw new Error(`${what} settled a payment on the ERP id ${JSON.stringify(typed.erpId)}`);
  }
  if (typed.kind !== 'synced' && typed.kind !== 'accepted' && (typeof typed.message !== 'string' || typeof typed.code !== 'string')) {
    throw new Error(`${what} returned an outcome without code or message: ${JSON.stringify(outcome)}`);
  }
}

/** A loader call: outcomes, one per record, or a LedgerlinkError. */
export async function checkLoad(what: string, call: () => Promise<Outcome[]>, expected: number): Promise<Outcome[]> {
  const result = await settle(what, call);
  if (!result.ok) {
    assertTypedError(what, result.error);
    return [];
  }
  if (!Array.isArray(result.value) || result.value.length !== expected) throw new Error(`${what} returned ${JSON.stringify(result.value)}`);
  result.value.forEach((outcome, index) => assertOutcome(`${what}[${index}]`, outcome));
  return result.value;
}

/** A `find` call: an outcome, null, or a LedgerlinkError. */
export async function checkFind(what: string, call: () => Promise<Outcome | null>): Promise<Outcome | null> {
  const result = await settle(what, call);
  if (!result.ok) {
    assertTypedError(what, result.error);
    return null;
  }
  if (result.value !== null) assertOutcome(what, result.value);
  return result.value;
}

/** An extractor: at most `maxPages` pages of records with a string cursor, or a LedgerlinkError. */
export async function checkPages(what: string, pages: AsyncIterable<{ records: unknown[]; cursor: string }>, maxPages = 4): Promise<number> {
  let count = 0;
  const result = await settle(what, async () => {
    for await (const page of pages) {
      if (!Array.isArray(page.records) || typeof page.cursor !== 'string') throw new Error(`${what} yielded a malformed page`);
      if (++count >= maxPages) break;
    }
  });
  if (!result.ok) {
    if (result.error instanceof Error && result.error.message.startsWith(`${what} yielded`)) throw result.error;
    assertTypedError(what, result.error);
  }
  return count;
}

/** A call that returns nothing useful (`check`): resolves, or rejects with a LedgerlinkError. */
export async function checkVoid(what: string, call: () => Promise<unknown>): Promise<void> {
  const result = await settle(what, call);
  if (!result.ok) assertTypedError(what, result.error);
}
