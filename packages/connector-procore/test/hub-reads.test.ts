import { createFetchHttpClient, silentLogger } from '@ledgerlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HubReads } from '../src/hub-reads.js';
import { ProcoreApi } from '../src/procore-api.js';
import { ProcoreTokens } from '../src/procore-tokens.js';
import { platformPaths } from '../src/platform-paths.js';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { COMPANY, configFor, startHub, VENDOR } from './support.js';

let hub: ProcoreSandbox | undefined;

afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe('HubReads (shared hub reads, reused for five seconds)', () => {
  it('with more than a thousand reads in the window, a read is reused until its window ends and read again after', async () => {
    hub = await startHub();
    let clock = Date.parse('2026-01-05T10:00:00Z');
    const now = (): Date => new Date(clock);
    const config = configFor(hub);
    const http = createFetchHttpClient({ timeoutMs: 10_000 });
    const api = new ProcoreApi(config, http, { throttled: () => undefined }, new ProcoreTokens(config, http, silentLogger, now), now);
    const reads = new HubReads(api, now);
    const company = String(COMPANY);
    const vendor = (id: number): Promise<unknown> => reads.read(company, platformPaths.vendor(company, String(id)), {}, `reading vendor ${id}`);
    const vendorReads = (): number => Object.entries(hub!.stats().byEndpoint).filter(([endpoint]) => endpoint.includes('/vendors/')).reduce((sum, [, n]) => sum + n, 0);

    expect(await vendor(VENDOR)).toMatchObject({ id: VENDOR });
    // 1,100 other reads (missing vendors, answered 404 and remembered as missing), a millisecond apart.
    for (let id = 10_000; id < 11_100; id += 1) {
      clock += 1;
      expect(await vendor(id)).toBeUndefined();
    }
    expect(vendorReads()).toBe(1_101);
    // Within five seconds of its read: reused, and so is a missing one, sweeps or not.
    clock = Date.parse('2026-01-05T10:00:04.9Z');
    expect(await vendor(VENDOR)).toMatchObject({ id: VENDOR });
    expect(await vendor(10_500)).toBeUndefined();
    expect(vendorReads()).toBe(1_101);
    // Past it: read again.
    clock = Date.parse('2026-01-05T10:00:05.1Z');
    expect(await vendor(VENDOR)).toMatchObject({ id: VENDOR });
    expect(await vendor(10_000)).toBeUndefined();
    expect(vendorReads()).toBe(1_103);
    // 10_500 was read at 10:00:00.5: still fresh after the sweep that the reads past the window made.
    expect(await vendor(10_500)).toBeUndefined();
    expect(vendorReads()).toBe(1_103);
  });
});
