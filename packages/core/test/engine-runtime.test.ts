import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ErrorCodes,
  LedgerlinkError,
  defineConnector,
  parseMapping,
  type ClientContext,
  type ImportPage,
  type Logger,
} from '../src/index.js';
import { startFakeErp, type FakeErp } from './support/fake-erp.js';
import { exportItem, payment } from './support/payments.js';
import { runtimeFixture } from './support/runtime-fixture.js';
import { TEST_CAPABILITIES, TEST_ERP_MAPPING, TestErpConfig, testConnector } from './support/test-connector.js';

let erp: FakeErp;
const runtimes = runtimeFixture(() => erp);

beforeEach(async () => {
  erp = await startFakeErp();
});

afterEach(async () => {
  await runtimes.closeAll();
  await erp.close();
});

function refusal(run: () => unknown): LedgerlinkError {
  try {
    run();
  } catch (error) {
    if (error instanceof LedgerlinkError) return error;
    throw error;
  }
  throw new Error('expected a LedgerlinkError');
}

async function collect(pages: AsyncIterable<ImportPage>): Promise<ImportPage[]> {
  const out: ImportPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const FINAL = { vendorId: 'VEND-1', billId: 'BILL-1', bankAccount: '1010', date: '2025-03-14', status: 'Final' } as const;

describe('createConnectorRuntime: checks before anything starts', () => {
  it('names every failing field of the connection settings and says how to fix it, without echoing values', () => {
    const error = refusal(() => runtimes.create({ config: { baseUrl: 'not-a-url', apiKey: '' } }));
    expect(error.code).toBe(ErrorCodes.CONNECTOR_CONFIG_INVALID);
    expect(error.message).toContain('tenant "acme" for Test ERP (test-erp)');
    expect(error.message).toMatch(/connection\.baseUrl: /);
    expect(error.message).toMatch(/connection\.apiKey: /);
    expect(error.message).toContain('connection.realmId: Required');
    expect(error.message).toContain('Fix these fields');
    expect(error.message).not.toContain('not-a-url');
  });

  it('refuses a connector built for another core, with the range that would fit', () => {
    const foreign = defineConnector<TestErpConfig>({
      manifest: { id: 'test-erp', displayName: 'Test ERP', version: '2.0.0', contractVersion: 'v1', coreRange: '^9.0.0' },
      capabilities: TEST_CAPABILITIES,
      configSchema: TestErpConfig,
      mapping: { path: TEST_ERP_MAPPING },
      createClient: () => {
        throw new Error('never built');
      },
    });
    expect(refusal(() => runtimes.create({ connector: foreign })).code).toBe(ErrorCodes.PLUGIN_CORE_RANGE);
  });

  it('lays a customer mapping override over the connector mapping', async () => {
    const override = parseMapping(
      ['entities:', '  payment:', '    export:', '      fields:', '        reference: { template: "PP-{{id}}-{{invoice.number}}" }', ''].join('\n'),
      'acme-override.yaml',
      { override: true },
    );
    const runtime = runtimes.create({ mappingOverride: override });
    expect(runtime.mapPayment(payment(1))).toMatchObject({ ok: true, value: { reference: 'PP-P-1-INV-1', bankAccount: '1010' } });
    await runtime.exportPayments([exportItem(payment(1))]);
    expect(erp.payments.map((p) => p.reference)).toEqual(['PP-P-1-INV-1']);
  });

  it("refuses a connector whose mapping.yaml is broken, pointing into the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'll-engine-'));
    try {
      const path = join(dir, 'mapping.yaml');
      const text = await readFile(TEST_ERP_MAPPING, 'utf8');
      await writeFile(path, text.replace('reference: { template: "ledgerlink {{id}}" }', 'reference: { from: vendor.nickname }'));
      const broken = defineConnector<TestErpConfig>({ ...testConnector(), mapping: { path } });
      const error = refusal(() => runtimes.create({ connector: broken }));
      expect(error.code).toBe(ErrorCodes.MAPPING_INVALID);
      expect(error.message).toContain('Test ERP (test-erp)');
      expect(error.message).toMatch(/mapping\.yaml:\d+:\d+ .*vendor\.nickname/);
      expect(erp.arrivals).toHaveLength(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets a customer lower the rate limit, refuses raising it, and allows it with allowAboveDeclared', () => {
    const lowered = runtimes.create({ rateLimit: { requests: 10, concurrency: 1 } });
    expect(lowered.rateLimit).toEqual({ requests: 10, intervalMs: 1_000, concurrency: 1 });
    expect(lowered.laneStats()).toMatchObject({ key: 'acme/test-erp', rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 1 } });

    const refused = refusal(() => runtimes.create({ rateLimit: { requests: 80 } }));
    expect(refused.code).toBe(ErrorCodes.CONNECTOR_CONFIG_INVALID);
    expect(refused.message).toContain('rateLimit.requests 80 is above the declared 50');
    expect(refused.message).toContain('tenant acme, connector test-erp');

    const warnings: string[] = [];
    const noop = () => {};
    const logger: Logger = {
      trace: noop,
      debug: noop,
      info: noop,
      warn: (fields: Record<string, unknown> | string, message?: string) => warnings.push(typeof fields === 'string' ? fields : (message ?? '')),
      error: noop,
      child: () => logger,
    };
    const raised = runtimes.create({ rateLimit: { requests: 80, allowAboveDeclared: true }, logger });
    expect(raised.rateLimit.requests).toBe(80);
    expect(warnings.some((warning) => warning.includes('rateLimit.requests 80 is above the declared 50'))).toBe(true);
  });

  it('refuses a retry policy that cannot work', () => {
    expect(refusal(() => runtimes.create({ retry: { maxAttempts: 0 } })).message).toContain('retry.maxAttempts');
  });
});

describe('ConnectorRuntime', () => {
  it('hands the client the lane: its HTTP goes through it and its throttle signal pauses it', async () => {
    let context: ClientContext<TestErpConfig> | undefined;
    const runtime = runtimes.create({ connector: testConnector({ onCreate: (given) => (context = given) }) });
    expect(context?.config).toEqual(runtimes.config());
    context?.lane.throttled(5_000);
    expect(runtime.laneStats()).toMatchObject({ paused: true, throttlePauses: 1 });
    const checking = runtime.check();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runtime.laneStats().queued).toBe(1);
    expect(erp.arrivals).toHaveLength(0);
    await runtime.close();
    await expect(checking).rejects.toMatchObject({ code: ErrorCodes.CANCELLED });
  });

  it('check() proves the connection settings, or says they are refused', async () => {
    await runtimes.create().check();
    expect(erp.count('GET /ping')).toBe(1);
    await expect(runtimes.create({ config: { ...runtimes.config(), apiKey: 'wrong' } }).check()).rejects.toMatchObject({
      code: ErrorCodes.ERP_AUTH,
    });
  });

  it('imports page by page, mapping each record and reporting the ones that do not map', async () => {
    const runtime = runtimes.create();
    const first = erp.addPayment({ ...FINAL, reference: 'x1', amount: '1250.00', method: 'CHK', checkNo: '1001' });
    const wire = erp.addPayment({ ...FINAL, reference: 'x2', amount: '99.95', method: 'WIRE' });
    const third = erp.addPayment({ ...FINAL, reference: 'x3', amount: '10.00', method: 'EFT' });

    const pages = await collect(runtime.importPayments());
    expect(pages).toHaveLength(2);
    expect(pages[0]?.records).toEqual([
      {
        erpPaymentId: first,
        erpInvoiceId: 'BILL-1',
        vendorErpId: 'VEND-1',
        amountCents: 125_000,
        paidOn: '2025-03-14',
        method: 'check',
        checkNumber: '1001',
        bankId: '1010',
        erpStatus: 'Final',
      },
    ]);
    expect(pages[0]?.errors).toEqual([expect.objectContaining({ recordId: wire, field: 'method' })]);
    expect(pages[0]?.errors[0]?.message).toContain('WIRE');
    expect(pages[1]?.records.map((record) => record.erpPaymentId)).toEqual([third]);
    expect(pages[1]?.errors).toEqual([]);

    // Resuming from the first page's cursor reads only what follows it.
    const resumed = await collect(runtime.importPayments({ cursor: pages[0]?.cursor as string }));
    expect(resumed.flatMap((page) => page.records.map((record) => record.erpPaymentId))).toEqual([third]);
  });

  it('an import stopped while its page call waits in a lane paused for minutes ends at once', { timeout: 10_000 }, async () => {
    const runtime = runtimes.create({ connector: testConnector({ capabilities: { maxBatch: 1 } }) });
    erp.addPayment({ ...FINAL, reference: 'x1', amount: '10.00', method: 'CHK', checkNo: '1001' });
    // An export is refused with Retry-After: 120 s, which pauses the lane.
    erp.fault('POST /payments', { kind: 'throttle', retryAfter: '120' });
    const exportStop = new AbortController();
    const exporting = runtime.exportPayments([exportItem(payment(1))], { signal: exportStop.signal });
    while (!runtime.laneStats().paused) await new Promise((resolve) => setTimeout(resolve, 2));
    const importStop = new AbortController();
    const importing = collect(runtime.importPayments({ signal: importStop.signal })).then(
      () => 'finished',
      (error: unknown) => error,
    );
    while (runtime.laneStats().queued < 1) await new Promise((resolve) => setTimeout(resolve, 2));
    const stoppedAt = Date.now();
    importStop.abort();
    // Before the fix the page call waited out the two minutes.
    expect(await importing).toMatchObject({ code: ErrorCodes.CANCELLED });
    expect(Date.now() - stoppedAt).toBeLessThan(1_000);
    expect(erp.count('GET /payments/final')).toBe(0);
    exportStop.abort();
    await exporting;
  });

  it('refuses to import for a connector that does not import payments', async () => {
    const runtime = runtimes.create({ connector: testConnector({ capabilities: { entities: { payment: ['export'] } } }) });
    await expect(collect(runtime.importPayments())).rejects.toMatchObject({ code: ErrorCodes.CAPABILITY_MISSING });
    expect(erp.arrivals).toHaveLength(0);
  });

  it('settle() finds what an earlier attempt committed, or null when it is not there', async () => {
    const runtime = runtimes.create();
    const existing = erp.addPayment({ ...FINAL, reference: 'ledgerlink P-1', amount: '1250.00', method: 'CHK' });
    expect(await runtime.settle(exportItem(payment(1)))).toEqual({ kind: 'synced', erpId: existing });
    expect(await runtime.settle(exportItem(payment(2)))).toBeNull();
    expect(erp.count('GET /payments')).toBe(2);
  });

  it('mapPayment() maps for a dry run without calling the ERP', () => {
    const runtime = runtimes.create();
    expect(runtime.mapPayment(payment(7, { method: 'ach', checkNumber: undefined }))).toEqual({
      ok: true,
      value: {
        vendorId: 'VEND-1',
        billId: 'BILL-7',
        bankAccount: '1010',
        amount: '1250.00',
        date: '2025-03-14',
        method: 'EFT',
        reference: 'ledgerlink P-7',
      },
    });
    expect(erp.arrivals).toHaveLength(0);
  });
});
