import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './support.js';

const NS = 'http://developer.intuit.com/';
const MiB = 1024 * 1024;

/**
 * A gzip bomb as a stranger would send it: gzip members of 4 MiB of spaces each, concatenated (gzip allows
 * that, and decoders inflate them one after the other), after a member that opens a SOAP envelope.
 */
function gzipBomb(inflatedMiB: number): Buffer {
  const opening = gzipSync(`<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><serverVersion xmlns="${NS}">`);
  const member = gzipSync(Buffer.alloc(4 * MiB, 0x20), { level: 9 });
  return Buffer.concat([opening, ...Array.from({ length: Math.ceil(inflatedMiB / 4) }, () => member)]);
}

interface Host {
  child: ChildProcess;
  url: string;
  /** Resident memory samples, in bytes, with the time each arrived. */
  rss: { at: number; bytes: number }[];
  exited: Promise<number | null>;
}

/** Starts the endpoint in its own process (TypeScript through tsx) and waits until it answers. */
async function startHost(): Promise<Host> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', join(import.meta.dirname, 'hosts/qbwc-host.ts'), String(port)], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, TSX_TSCONFIG_PATH: join(import.meta.dirname, '../tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const rss: Host['rss'] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`the endpoint did not start in 30 s: ${errors}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, value] = line.split(' ');
        if (kind === 'ready') {
          clearTimeout(timer);
          resolve(value as string);
        } else if (kind === 'rss') rss.push({ at: Date.now(), bytes: Number(value) });
      }
    });
    child.once('exit', (code) => reject(new Error(`the endpoint exited (${code}) before it was ready: ${errors}`)));
  });
  return { child, url, rss, exited };
}

const hosts: Host[] = [];
afterEach(() => {
  for (const host of hosts.splice(0)) if (host.child.exitCode === null) host.child.kill('SIGKILL');
});

describe('the hosted Web Connector endpoint, as its own process, under a gzip bomb', () => {
  it('refuses a ~600 KiB gzip body that inflates past 600 MiB fast, memory flat, and answers the next request', { timeout: 60_000 }, async () => {
    const host = await startHost();
    hosts.push(host);
    const bomb = gzipBomb(601);
    expect(bomb.length).toBeLessThan(700 * 1024);
    // A settled baseline: the last samples before the attack.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const baseline = Math.max(...host.rss.slice(-5).map((sample) => sample.bytes));

    const sentAt = Date.now();
    const answer = await fetch(host.url, {
      method: 'POST',
      // A plain Uint8Array: the body type every lib's fetch (Node's and the DOM's) accepts.
      body: new Uint8Array(bomb),
      headers: { 'content-type': 'text/xml; charset=utf-8', 'content-encoding': 'gzip', soapaction: `"${NS}serverVersion"` },
    }).then(
      async (response) => ({ status: response.status, text: await response.text() }),
      (error: unknown) => ({ status: 0, text: String(error) }),
    );
    const tookMs = Date.now() - sentAt;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const peak = Math.max(...host.rss.filter((sample) => sample.at >= sentAt).map((sample) => sample.bytes));

    // Before the fix the soap library inflated it whole and the process died (ERR_STRING_TOO_LONG).
    expect(host.child.exitCode).toBeNull();
    expect(answer.status).toBe(413);
    expect(answer.text).toMatch(/inflates past the \d+ bytes accepted/);
    expect(tookMs).toBeLessThan(2_000);
    expect(peak - baseline).toBeLessThan(64 * MiB);

    const next = await fetch(host.url, {
      method: 'POST',
      body: `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><serverVersion xmlns="${NS}"/></soap:Body></soap:Envelope>`,
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${NS}serverVersion"` },
    });
    expect(next.status).toBe(200);
    expect(await next.text()).toContain('ledgerlink-qbd');
    console.info(`gzip bomb: ${bomb.length} bytes on the wire, refused in ${tookMs} ms; rss ${Math.round(baseline / MiB)} MiB before, peak ${Math.round(peak / MiB)} MiB`);

    host.child.kill('SIGTERM');
    expect(await host.exited).toBe(0);
  });
});
