import { createServer, type Server } from 'node:net';
import { createConnectorRuntime, silentLogger } from '@ledgerlink/core';
import { describe, expect, it } from 'vitest';
import { qbdConnector, type QbdConfig } from '../src/index.js';
import { freePort } from './support.js';

/**
 * `start()` (issue 12 item 2): the runner calls it when its replica claims the tenant, so the Web Connector service
 * listens before any work is queued; a port still held (the previous holder closing) is tried again until it frees;
 * a close ends the tries and the port stays closed.
 */
function configOn(port: number): QbdConfig {
  return {
    listen: { host: '127.0.0.1', port, path: '/qbwc' },
    username: 'wc',
    password: 'wc-password-0123',
    companyFile: '',
    answerWaitMs: 2_000,
    checkWaitMs: 10_000,
    importWaitMs: 10_000,
    lostAfterMs: 300_000,
    importPageSize: 25,
  };
}

async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/qbwc`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('QuickBooks Desktop client start()', () => {
  it('listens at once through the runtime, and stops on close', async () => {
    const port = await freePort();
    const runtime = createConnectorRuntime(qbdConnector, { tenant: 't', config: configOn(port), logger: silentLogger });
    expect(await answers(port)).toBe(false);
    await runtime.start();
    expect(await answers(port)).toBe(true);
    await runtime.close();
    expect(await answers(port)).toBe(false);
    // A closed runtime does not start again.
    await runtime.start();
    expect(await answers(port)).toBe(false);
  });

  it('waits for a port still held, listens once it frees; a close while it waits ends the wait', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const holder = await occupy(port);
    const runtime = createConnectorRuntime(qbdConnector, { tenant: 't', config: configOn(port), logger: silentLogger });
    const started = runtime.start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await new Promise((resolve) => holder.close(resolve));
    await started;
    expect(await answers(port)).toBe(true);
    await runtime.close();

    const blocker = await occupy(port);
    const other = createConnectorRuntime(qbdConnector, { tenant: 't', config: configOn(port), logger: silentLogger });
    const waiting = other.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await other.close();
    await waiting;
    // The port frees after the close: the closed client does not take it (its tries ended with the close).
    await new Promise((resolve) => blocker.close(resolve));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await answers(port)).toBe(false);
  });
});
