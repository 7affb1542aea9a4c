import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, createConnectorRuntime, parseMapping, type Requisition } from '../src/index.js';
import { startFakeErp, type FakeErp } from './support/fake-erp.js';
import { exportItem, payment } from './support/payments.js';
import { runtimeFixture } from './support/runtime-fixture.js';
import { TEST_CAPABILITIES, testConnector } from './support/test-connector.js';

let erp: FakeErp;
const runtimes = runtimeFixture(() => erp);

beforeEach(async () => {
  erp = await startFakeErp();
});

afterEach(async () => {
  await runtimes.closeAll();
  await erp.close();
});

function requisition(vendorErpId?: string): Requisition {
  return {
    id: 'REQ-1',
    number: 'INV-1',
    billingDate: '2025-03-01',
    vendor: { id: 'hub-v-1', name: 'Acme Drywall', ...(vendorErpId === undefined ? {} : { erpId: vendorErpId }) },
    project: { id: 'hub-p-1', number: 'P-100', name: 'Tower' },
    commitment: { id: 'hub-c-1' },
    totalCents: 10_000,
    retainageCents: 1_000,
    lines: [{ id: 'L-1', description: 'Drywall', amountCents: 10_000, retainageCents: 1_000 }],
  };
}

const REQUISITION_OVERRIDE = `version: 1
connector: test-erp
entities:
  requisition:
    export:
      fields:
        vendorId: { from: vendor.erpId, required: true }
        number: { from: number }
`;

describe('exportRecords / importRecords on entities the connector does not declare', () => {
  it('refuses a requisition export before any call, naming the connector’s unsupported reason', async () => {
    const runtime = runtimes.create({
      connector: testConnector({ capabilities: { unsupported: { requisition: { export: 'the Test ERP API has no AP bill endpoint' } } } }),
    });
    const outcomes = await runtime.exportRecords('requisition', [{ id: 'REQ-1', idempotencyKey: 'REQ-1.r1', record: requisition('V-1') }]);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ kind: 'rejected', code: ErrorCodes.CAPABILITY_MISSING });
    expect(outcomes[0]?.kind === 'rejected' && outcomes[0].message).toContain('the Test ERP API has no AP bill endpoint');
    expect(erp.arrivals).toHaveLength(0);
  });

  it('refuses a vendor import on first use with LL_CAPABILITY_MISSING, before any call', async () => {
    const runtime = runtimes.create();
    const pages = runtime.importRecords('vendor')[Symbol.asyncIterator]();
    await expect(pages.next()).rejects.toMatchObject({ code: ErrorCodes.CAPABILITY_MISSING, message: expect.stringContaining('does not import vendors') });
    expect(erp.arrivals).toHaveLength(0);
  });

  it('maps nothing for an undeclared entity and says why', () => {
    const runtime = runtimes.create();
    expect(runtime.mapRecord('vendor', { id: 'hub-v-1', name: 'Acme', isActive: true })).toMatchObject({
      ok: false,
      errors: [{ recordId: 'hub-v-1', field: '(vendor export)', message: expect.stringContaining('does not export vendors') }],
    });
  });
});

describe('entity mappings', () => {
  it('makes a declared direction without its mapping section a located LL_MAPPING_INVALID', () => {
    const connector = testConnector({ capabilities: { entities: { ...TEST_CAPABILITIES.entities, requisition: ['export'], vendor: ['import'] } } });
    let error: unknown;
    try {
      createConnectorRuntime(connector, { tenant: 'acme', config: runtimes.config() });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({ code: ErrorCodes.MAPPING_INVALID });
    const message = (error as Error).message;
    // Both missing sections, each at a file:line:col of the connector's mapping.
    expect(message).toMatch(/test-erp-mapping\.yaml:\d+:\d+ this mapping has no requisition export section/);
    expect(message).toMatch(/test-erp-mapping\.yaml:\d+:\d+ this mapping has no vendor import section/);
  });

  it('refuses a requisition whose vendor has no ERP id yet, before any call, and maps one whose vendor has', async () => {
    const runtime = runtimes.create({
      connector: testConnector({ capabilities: { entities: { ...TEST_CAPABILITIES.entities, requisition: ['export'] } } }),
      mappingOverride: parseMapping(REQUISITION_OVERRIDE, 'override.yaml'),
    });
    const [waiting] = await runtime.exportRecords('requisition', [{ id: 'REQ-1', idempotencyKey: 'REQ-1.r1', record: requisition() }]);
    expect(waiting).toMatchObject({ kind: 'rejected', code: ErrorCodes.PREREQUISITE_NOT_IN_ERP, message: expect.stringContaining('vendor Acme Drywall is not yet in the ERP') });
    const [invalid] = await runtime.exportRecords('requisition', [{ id: 'REQ-2', idempotencyKey: 'REQ-2.r1', record: { ...requisition('V-1'), totalCents: 5 } }]);
    expect(invalid).toMatchObject({ kind: 'rejected', code: ErrorCodes.RECORD_INVALID, message: expect.stringContaining('requisition REQ-1 is not a valid requisition record') });
    expect(erp.arrivals).toHaveLength(0);
    expect(runtime.mapRecord('requisition', requisition('V-1'))).toEqual({ ok: true, value: { vendorId: 'V-1', number: 'INV-1' } });
    // The test client has no requisition loader: the engine says so instead of calling anything.
    const [noLoader] = await runtime.exportRecords('requisition', [{ id: 'REQ-1', idempotencyKey: 'REQ-1.r1', record: requisition('V-1') }]);
    expect(noLoader).toMatchObject({ kind: 'rejected', code: ErrorCodes.CAPABILITY_MISSING, message: expect.stringContaining('offers no requisition exporter') });
    expect(erp.arrivals).toHaveLength(0);
  });
});

describe('a client that reports synced with a blank ERP id', () => {
  it('never ends synced: the outcome is retryable until the retries run out', async () => {
    const base = testConnector({ capabilities: { idempotency: 'native' } });
    const blanking = {
      ...base,
      createClient: (context: Parameters<typeof base.createClient>[0]) => {
        const client = base.createClient(context);
        const exporter = client.payments.exporter!;
        return {
          ...client,
          payments: {
            ...client.payments,
            exporter: { find: exporter.find, load: async (batch: never[], c: { signal: AbortSignal }) => (await exporter.load(batch, c)).map(() => ({ kind: 'synced' as const, erpId: ' ' })) },
          },
        };
      },
    };
    const runtime = runtimes.create({ connector: blanking, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const [outcome] = await runtime.exportRecords('payment', [exportItem(payment(1))]);
    expect(outcome).toMatchObject({ kind: 'retryable', code: ErrorCodes.RETRIES_EXHAUSTED, committed: 'unknown' });
    expect(outcome?.kind === 'retryable' && outcome.message).toContain('reported synced without an ERP id');
  });
});
