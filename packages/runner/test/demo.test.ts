import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo/run-demo.js';
import { tempDir } from './support/runner-harness.js';

const repo = resolve(import.meta.dirname, '../../..');

describe('npm start: the demo', () => {
  it('moves payments from Procore into all seven ERP sandboxes, shows Procore\'s Failed to Export, and syncs payments made in the ERPs back', { timeout: 90_000 }, async () => {
    const { dir, cleanup } = tempDir('ll-demo-');
    // The demo config as shipped; its store path (../.ledgerlink/demo.db) lands in the temporary directory.
    mkdirSync(join(dir, 'examples'));
    copyFileSync(join(repo, 'examples/demo.yaml'), join(dir, 'examples/demo.yaml'));
    const out = new PassThrough();
    const printed: string[] = [];
    out.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
    try {
      const result = await runDemo({ configFile: join(dir, 'examples/demo.yaml'), port: 0, durationMs: 20_000, fundEveryMs: 150, out });
      expect(result.counts.map((row) => row.erp).sort()).toEqual(['acumatica', 'intacct', 'qbd', 'qbo', 'sage300', 'vista', 'yardi']);
      for (const row of result.counts) expect(row.states.synced ?? 0, `${row.tenant} synced`).toBeGreaterThan(0);
      const total = (state: 'failed' | 'synced') => result.counts.reduce((sum, row) => sum + (row.states[state] ?? 0), 0);
      expect(total('failed')).toBeGreaterThan(0);
      expect(result.counts.reduce((sum, row) => sum + row.imported, 0)).toBeGreaterThan(0);
      // Both entities: every tenant's invoices (requisitions) are exported by ledgerlink as bills before their payments
      // are funded, so a tenant with payments synced has bills synced too; and some payments funded before their
      // invoice waited blocked and went on once the bill landed.
      for (const row of result.counts) {
        expect(row.invoices ?? 0, `${row.tenant} invoices synced`).toBeGreaterThan(0);
        expect(row.invoices ?? 0, `${row.tenant}: every payment synced had its bill first`).toBeGreaterThanOrEqual(row.states.synced ?? 0);
        expect(row.procore?.invoicesSynced ?? 0, `${row.tenant} invoices shown synced in Procore`).toBeGreaterThanOrEqual(row.invoices ?? 0);
      }
      const late = result.counts.reduce((sum, row) => ({ funded: sum.funded + (row.fundedBeforeInvoice?.funded ?? 0), synced: sum.synced + (row.fundedBeforeInvoice?.synced ?? 0) }), { funded: 0, synced: 0 });
      expect(late.funded).toBeGreaterThan(0);
      expect(late.synced).toBeGreaterThan(0);
      // What Procore's ERP tool shows: payments synced and closed out, failures with their close-out messages,
      // payments issued written back by Sync Payments.
      const tool = (key: 'synced' | 'failedToExport' | 'paymentsIssued') => result.counts.reduce((sum, row) => sum + (row.procore?.[key] ?? 0), 0);
      expect(tool('synced')).toBeGreaterThan(0);
      expect(tool('failedToExport')).toBeGreaterThan(0);
      expect(tool('paymentsIssued')).toBeGreaterThan(0);
      const text = printed.join('');
      expect(text).toContain('console: http://127.0.0.1:');
      expect(text).toMatch(/Failed to Export in Procore/);
      expect(text).toMatch(/^payments\s+erp\s+pending/m);
      expect(text).toMatch(/^invoices \(bills\)\s+pending\s+blocked/m);
      const log = readFileSync(join(dir, '.ledgerlink/demo.log'), 'utf8');
      expect(log).toContain('"tenant":"beacon-qbo"');
      for (const secret of ['sandbox-password', 'sandbox-agent-token-7c1d2f', 'vista-sandbox-key']) expect(log).not.toContain(secret);
    } finally {
      cleanup();
    }
  });
});
