import { connect, type Socket } from 'node:net';
import { gzipSync, deflateSync } from 'node:zlib';
import { createConnectorRuntime, type ConnectorRuntime, type Logger } from '@ledgerlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import { qbdConnector, type QbdConfig } from '../src/index.js';
import { QbwcService, type LoginFailure } from '../src/qbwc-service.js';
import { SecretComparer, displayUserName } from '../src/login-guard.js';
import { WorkQueue, type RequestAnswer } from '../src/work-queue.js';
import { freePort } from './support.js';

const LOGIN = { username: 'wc-user', password: 'correct horse battery staple' };
const NS = 'http://developer.intuit.com/';

async function config(overrides: Partial<QbdConfig> = {}): Promise<QbdConfig> {
  return {
    listen: { host: '127.0.0.1', port: await freePort(), path: '/qbwc' },
    ...LOGIN,
    companyFile: '',
    answerWaitMs: 2_000,
    checkWaitMs: 10_000,
    importWaitMs: 10_000,
    lostAfterMs: 300_000,
    importPageSize: 25,
    ...overrides,
  };
}

const escapeXml = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unescapeXml = (value: string) => value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

function envelope(method: string, params: Record<string, string>): string {
  const inner = Object.entries(params)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${method} xmlns="${NS}">${inner}</${method}></soap:Body></soap:Envelope>`;
}

/** One SOAP call as the Web Connector makes it (optionally compressed); the raw status and body. */
async function post(url: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  // A plain Uint8Array for bytes: the body type every lib's fetch (Node's and the DOM's) accepts.
  const answer = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': 'text/xml; charset=utf-8', ...headers } });
  return { status: answer.status, text: await answer.text() };
}

async function soap(url: string, method: string, params: Record<string, string> = {}): Promise<string> {
  const { status, text } = await post(url, envelope(method, params), { soapaction: `"${NS}${method}"` });
  expect(status, text).toBe(200);
  return text;
}

/** The `<string>` items of authenticate's answer: ticket, then the verdict. */
async function authenticate(url: string, username: string, password: string): Promise<[string, string]> {
  const text = await soap(url, 'authenticate', { strUserName: username, strPassword: password });
  const strings = [...text.matchAll(/<(?:\w+:)?string>([^<]*)<\/(?:\w+:)?string>/g)].map((match) => unescapeXml(match[1] ?? ''));
  return [strings[0] ?? '', strings[1] ?? ''];
}

const result = (text: string, method: string): string => unescapeXml(new RegExp(`<(?:\\w+:)?${method}Result>([\\s\\S]*?)</(?:\\w+:)?${method}Result>`).exec(text)?.[1] ?? '');

const services: QbwcService[] = [];
const runtimes: ConnectorRuntime[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.close()));
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

interface Host {
  url: string;
  queue: WorkQueue;
  failures: LoginFailure[];
  refusals: { status: number; message: string }[];
  connectionErrors: string[];
  service: QbwcService;
}

async function host(options: ConstructorParameters<typeof QbwcService>[3] = {}): Promise<Host> {
  const cfg = await config();
  const queue = new WorkQueue();
  const failures: LoginFailure[] = [];
  const refusals: { status: number; message: string }[] = [];
  const connectionErrors: string[] = [];
  const service = new QbwcService(
    cfg,
    queue,
    {
      authFailed: (failure) => failures.push(failure),
      connectionError: (hresult) => connectionErrors.push(hresult),
      requestRefused: (status, message) => refusals.push({ status, message }),
    },
    options,
  );
  services.push(service);
  await service.start();
  return { url: service.address as string, queue, failures, refusals, connectionErrors, service };
}

describe('the hosted Web Connector endpoint bounds every body before the SOAP layer reads it', () => {
  it('refuses a body over the cap, declared or streamed, with 413 and a plain message', async () => {
    const { url, refusals } = await host({ maxBodyBytes: 64 * 1024 });
    const big = envelope('serverVersion', {}) + ' '.repeat(100 * 1024);
    const declared = await post(url, big, { soapaction: `"${NS}serverVersion"` });
    expect(declared.status).toBe(413);
    expect(declared.text).toMatch(/larger than the 65536 bytes accepted/);
    // Chunked, with no Content-Length: stopped while it streams.
    const streamed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(32 * 1024)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(refusals.map((refusal) => refusal.status)).toEqual([413, 413]);
    // The service still answers.
    expect(result(await soap(url, 'serverVersion'), 'serverVersion')).toMatch(/^ledgerlink-qbd /);
  });

  it('inflates gzip and deflate itself, within the cap; past it, 413', async () => {
    const { url } = await host({ maxBodyBytes: 64 * 1024 });
    const call = envelope('serverVersion', {});
    for (const [encoding, body] of [['gzip', gzipSync(call)], ['deflate', deflateSync(call)]] as const) {
      const answer = await post(url, body, { 'content-encoding': encoding, soapaction: `"${NS}serverVersion"` });
      expect(answer.status, encoding).toBe(200);
      expect(result(answer.text, 'serverVersion')).toMatch(/^ledgerlink-qbd /);
    }
    // 2 KiB on the wire, 1 MiB inflated.
    const bomb = gzipSync(Buffer.concat([Buffer.from(call), Buffer.alloc(1024 * 1024, 0x20)]));
    expect(bomb.length).toBeLessThan(8 * 1024);
    const refused = await post(url, bomb, { 'content-encoding': 'gzip', soapaction: `"${NS}serverVersion"` });
    expect(refused.status).toBe(413);
    expect(refused.text).toMatch(/inflates past the 65536 bytes accepted/);
  });

  it('refuses a Content-Encoding other than identity, gzip or deflate (415), and bodies that are not what they say (400)', async () => {
    const { url } = await host();
    const call = envelope('serverVersion', {});
    const brotli = await post(url, call, { 'content-encoding': 'br', soapaction: `"${NS}serverVersion"` });
    expect(brotli.status).toBe(415);
    expect(brotli.text).toMatch(/"br" is not accepted/);
    const stacked = await post(url, call, { 'content-encoding': 'gzip, gzip' });
    expect(stacked.status).toBe(415);
    const notGzip = await post(url, call, { 'content-encoding': 'gzip' });
    expect(notGzip.status).toBe(400);
    expect(notGzip.text).toMatch(/not valid gzip/);
    const empty = await post(url, '');
    expect(empty.status).toBe(400);
  });

  it('reads at most 8 bodies at once: a ninth gets 503 while eight slow bodies trickle', async () => {
    const { url } = await host();
    const { port } = new URL(url);
    // Eight requests that announce a body and send none of it.
    const slow = await Promise.all(
      Array.from({ length: 8 }, () => {
        return new Promise<Socket>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => {
            socket.write('POST /qbwc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<');
            resolve(socket);
          });
          socket.on('error', reject);
        });
      }),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const ninth = await post(url, envelope('serverVersion', {}), { soapaction: `"${NS}serverVersion"` });
      expect(ninth.status).toBe(503);
    } finally {
      for (const socket of slow) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(result(await soap(url, 'serverVersion'), 'serverVersion')).toMatch(/^ledgerlink-qbd /);
  });

  it('answers a SOAP fault without a stack trace for a body that is not SOAP', async () => {
    const { url } = await host();
    const answer = await post(url, '<not-soap/>', { soapaction: `"${NS}serverVersion"` });
    expect(answer.status).toBe(500);
    expect(answer.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });
});

describe('a ticket acts only on its own live session', () => {
  it('connectionError with a made-up ticket (no login) changes nothing; the live session goes on', async () => {
    const { url, queue, connectionErrors } = await host();
    const answers: RequestAnswer[] = [];
    queue.enqueue({ build: () => ({ name: 'CompanyQueryRq', requestId: 'check-1', content: {} }), answer: (answer) => answers.push(answer) });
    const [ticket, company] = await authenticate(url, LOGIN.username, LOGIN.password);
    expect(company).toBe('');
    const qbxml = result(await soap(url, 'sendRequestXML', { ticket, strHCPResponse: '', strCompanyFileName: '', qbXMLCountry: 'US', qbXMLMajorVers: '13', qbXMLMinorVers: '0' }), 'sendRequestXML');
    expect(qbxml).toContain('CompanyQueryRq');

    for (const forged of ['00000000-0000-0000-0000-000000000000', '', ticket.slice(0, -1)]) {
      expect(result(await soap(url, 'connectionError', { ticket: forged, hresult: '0x80040408', message: 'forged' }), 'connectionError')).toBe('DONE');
    }
    // Before the fix the handed-out request was settled "lost" and the session ended.
    expect(answers).toEqual([]);
    expect(connectionErrors).toEqual([]);
    expect(result(await soap(url, 'getLastError', { ticket: 'made-up' }), 'getLastError')).toMatch(/does not know this Web Connector session/);

    const response =
      '<?xml version="1.0"?><QBXML><QBXMLMsgsRs><CompanyQueryRs requestID="check-1" statusCode="0" statusSeverity="Info" statusMessage="Status OK">' +
      '<CompanyRet><CompanyName>Forged Ticket Co</CompanyName></CompanyRet></CompanyQueryRs></QBXMLMsgsRs></QBXML>';
    const percent = result(await soap(url, 'receiveResponseXML', { ticket, response, hresult: '', message: '' }), 'receiveResponseXML');
    expect(Number(percent)).toBe(100);
    expect(answers).toEqual([expect.objectContaining({ kind: 'response' })]);
    // The live session's own ticket still ends it.
    expect(result(await soap(url, 'connectionError', { ticket, hresult: '0x80040408', message: 'real' }), 'connectionError')).toBe('DONE');
    expect(connectionErrors).toEqual(['0x80040408']);
  });
});

describe('failed logins are slowed down, then locked out, per user name and per address', () => {
  it('after the free failures each attempt waits longer; after the lockout count even the right password is refused', { timeout: 15_000 }, async () => {
    const { url, failures, service } = await host({ login: { freeFailures: 3, baseDelayMs: 400, maxDelayMs: 400, lockoutAfter: 8, lockoutMs: 60_000 } });
    // Three failures, answered at once and checked; the third makes the next attempt wait 400 ms.
    for (let i = 0; i < 3; i++) expect((await authenticate(url, LOGIN.username, `guess-${i}`))[1]).toBe('nvu');
    expect(failures.map((failure) => failure.kind)).toEqual(['failed', 'failed', 'failed']);
    expect(failures.at(-1)).toMatchObject({ kind: 'failed', note: { delayMs: 400, userFailures: 3, addressFailures: 3 } });
    // One sent at once is refused unchecked, even with the right password.
    expect((await authenticate(url, LOGIN.username, LOGIN.password))[1]).toBe('nvu');
    expect(failures.at(-1)).toMatchObject({ kind: 'delayed', by: 'user' });
    // Waited out, the right password is checked and accepted (nothing queued: "none"), and the counters reset.
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await authenticate(url, LOGIN.username, LOGIN.password))[1]).toBe('none');

    // Eight failures in a row (waiting out each delay) lock the name and this address out.
    for (let i = 0; i < 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, i < 3 ? 0 : 450));
      expect((await authenticate(url, LOGIN.username, `again-${i}`))[1]).toBe('nvu');
    }
    expect(failures.at(-1)).toMatchObject({ kind: 'failed', note: { lockedOut: true, delayMs: 60_000 } });
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await authenticate(url, LOGIN.username, LOGIN.password))[1]).toBe('nvu');
    expect(failures.at(-1)).toMatchObject({ kind: 'locked' });
    // Another user name from the same address is held too.
    expect((await authenticate(url, 'someone-else', 'x'))[1]).toBe('nvu');
    expect(failures.at(-1)).toMatchObject({ kind: 'locked', by: 'address' });
    expect(service.loginStats()).toMatchObject({ failed: 11, lockouts: 1, refused: 3 });
  });

  it('400 wrong passwords in a burst: only a handful are checked', { timeout: 20_000 }, async () => {
    const { url, service } = await host();
    const startedAt = Date.now();
    // 8 at once: the most bodies the endpoint reads at once (more would get 503s, not login answers).
    const batch = 8;
    for (let sent = 0; sent < 400; sent += batch) {
      await Promise.all(Array.from({ length: batch }, (_, i) => authenticate(url, LOGIN.username, `guess-${sent + i}`)));
    }
    // Default guard: 5 failures at once, then waits of 1 s, 2 s, 4 s...: a burst of a few seconds gets a handful more checks.
    const { failed, refused } = service.loginStats();
    expect(failed).toBeGreaterThanOrEqual(5);
    expect(failed).toBeLessThanOrEqual(10);
    expect(failed + refused).toBe(400);
    console.info(`login burst: 400 wrong passwords in ${Date.now() - startedAt} ms; ${failed} checked, ${refused} refused unchecked`);
  });

  it('logs a user name cut and escaped, never the password, through the client', { timeout: 15_000 }, async () => {
    const lines: string[] = [];
    const logger: Logger = {
      trace: () => {},
      debug: () => {},
      info: () => {},
      warn: (fields: unknown, message?: unknown) => lines.push(JSON.stringify({ fields, message })),
      error: (fields: unknown, message?: unknown) => lines.push(JSON.stringify({ fields, message })),
      child: () => logger,
    };
    const cfg = await config();
    const rt = createConnectorRuntime(qbdConnector, { tenant: 'guard', config: cfg, logger });
    runtimes.push(rt);
    const checking = rt.check().catch((error: unknown) => error);
    const url = `http://127.0.0.1:${cfg.listen.port}/qbwc`;
    for (let i = 0; ; i++) {
      try {
        await soap(url, 'serverVersion');
        break;
      } catch (error) {
        if (i > 200) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const hugeName = `\u001b]0;pwned\u0007${'A'.repeat(3 * 1024 * 1024)}`;
    const password = 'super-secret-guess-7f3a';
    expect((await authenticate(url, hugeName, password))[1]).toBe('nvu');
    const text = lines.join('\n');
    expect(text.length).toBeLessThan(4_000);
    expect(text).toContain('\\\\u001b]0;pwned\\\\u0007');
    expect(text).toContain(`(${hugeName.length} characters)`);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain(password);
    await rt.close();
    await checking;
  });
});

describe('secrets are compared as fixed-length digests', () => {
  it('matches only the same secret, whatever the lengths', () => {
    const compare = new SecretComparer();
    expect(compare.same('abc', 'abc')).toBe(true);
    expect(compare.same('abc', 'abcd')).toBe(false);
    expect(compare.same('', 'abc')).toBe(false);
    expect(compare.same('x'.repeat(1_000_000), 'abc')).toBe(false);
  });

  it('shows a user name quoted, escaped and cut at 64 characters', () => {
    expect(displayUserName('wc-user')).toBe('"wc-user"');
    expect(displayUserName('a"b\\c\n')).toBe('"a\\"b\\\\c\\u000a"');
    expect(displayUserName('x'.repeat(100))).toBe(`"${'x'.repeat(64)}"… (100 characters)`);
    expect(displayUserName('\u202eevil')).toBe('"\\u202eevil"');
  });
});
