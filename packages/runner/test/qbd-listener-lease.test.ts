import { randomBytes } from 'node:crypto';
import { freePort } from '@ledgerlink/connector-testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, runnerFor, tempDir } from './support/runner-harness.js';
import { dropSchema } from './support/postgres.js';

/**
 * Issue 12 item 2: a connector that hosts a listener (QuickBooks Desktop's Web Connector service) follows its
 * tenant's lease. Two runner replicas share one PostgreSQL schema and one QBD tenant on one fixed port: the holder
 * listens as soon as it claims the tenant (before any work is queued), the standby never does; when the holder
 * stops, the other replica claims the tenant and answers on the port.
 */
const url = process.env.LEDGERLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `ll_h12_state_qbd_${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  await dropSchema(schema, url);
});

/** A port nothing listens on right now. */
/** What the Web Connector endpoint answers to a GET: its status, or `refused` when nothing listens. */
async function probe(port: number): Promise<number | 'refused'> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/qbwc`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return 'refused';
    throw error;
  }
}

describe('the QuickBooks Desktop Web Connector service follows the tenant lease', () => {
  it('only the holder answers on the port; after it stops, the other replica does', async () => {
    const port = await freePort();
    const config = {
      store: { postgres: { url: '${env:PG_URL}', schema } },
      tenants: [{ id: 'cedar', erp: 'qbd', connection: { listen: { host: '127.0.0.1', port, path: '/qbwc' }, username: 'cedar wc', password: '${env:QBD_PW}' } }],
      runner: { leaseTtlMs: 3000, shutdownGraceMs: 1000 },
    };
    const env = { PG_URL: url, QBD_PW: 'wc-password-0123' };
    const dirA = tempDir('ll-qbd-a-');
    const dirB = tempDir('ll-qbd-b-');
    const a = runnerFor(dirA.dir, config, env);
    const b = runnerFor(dirB.dir, config, env);
    try {
      // Nothing listens before a replica holds the tenant.
      expect(await probe(port)).toBe('refused');
      await a.runner.start();
      await eventually('A to hold cedar', () => (a.runner.holds('cedar') ? true : undefined), 30_000);
      // Listening at once, with no work queued: the Web Connector finds the service up.
      const answered = await eventually('the holder to answer on the port', async () => {
        const status = await probe(port);
        return status === 'refused' ? undefined : status;
      }, 30_000);
      expect(answered).toBe(200);
      await b.runner.start();
      expect(b.runner.holds('cedar')).toBe(false);
      expect(b.runner.tenantHealth().cedar?.state).toBe('standby');
      // The standby's scope for cedar exists (it serves the API) and does not listen: it could not, the port is
      // taken; and A, not B, holds the lease while the port answers.
      expect(await probe(port)).toBe(200);
      expect(a.runner.holds('cedar')).toBe(true);
      // B never tried: a standby trying would have met the taken port and said so.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(b.log.text).not.toMatch(/Web Connector service cannot listen|serving the Web Connector/);
      expect(a.log.text).toContain('serving the Web Connector');

      await a.runner.stop();
      await eventually('B to hold cedar', () => (b.runner.holds('cedar') ? true : undefined), 30_000);
      const after = await eventually('the new holder to answer on the port', async () => {
        const status = await probe(port);
        return status === 'refused' ? undefined : status;
      }, 30_000);
      expect(after).toBe(200);
      expect(b.log.text).toContain('serving the Web Connector');
      await b.runner.stop();
      // Neither holds it now: nothing answers.
      expect(await probe(port)).toBe('refused');
    } finally {
      await a.runner.stop();
      await b.runner.stop();
      dirA.cleanup();
      dirB.cleanup();
    }
  }, 120_000);
});
