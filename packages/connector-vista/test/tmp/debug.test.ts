import { createConnectorRuntime } from '@ledgerlink/core';
import { it } from 'vitest';
import { vistaConnector } from '../../src/index.js';
import { startVistaSandbox, VISTA_SANDBOX } from '../../src/sandbox/index.js';

it('debug', async () => {
  const sandbox = await startVistaSandbox({ seed: { vendors: [{ id: 'V1', name: 'v' }], bankAccounts: [{ id: 'B1' }], bills: [{ id: '700', vendorId: 'V1', number: 'I', amountCents: 1000 }] } });
  const runtime = createConnectorRuntime(vistaConnector, {
    tenant: 't', config: { baseUrl: sandbox.url, subscriberUid: VISTA_SANDBOX.subscriberUid, applicationKey: VISTA_SANDBOX.applicationKey, apCompany: 1 },
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 5 },
    hooks: { afterAttempt: async (_i, o) => console.log('attempt', JSON.stringify(o)) },
  });
  sandbox.setFaults({ commitThenDrop: 1 });
  const payment = { id: 'p1', status: 'funding_complete' as const, amountCents: 1000, method: 'check' as const, fundedOn: '2025-01-02', bankId: 'B1', checkNumber: '123',
    vendor: { id: 'h', name: 'n', erpId: 'V1' }, invoice: { id: 'i', number: 'I', amountCents: 1000, erpId: '700' }, project: { id: 'p', number: 'P' } };
  const out = await runtime.exportPayments([{ id: 'p1', idempotencyKey: 'p1.r1', record: payment }]);
  console.log(JSON.stringify(out));
  for (let i = 0; i < 20; i++) { await new Promise((r) => setTimeout(r, 25)); console.log('settle', JSON.stringify(await runtime.settle({ id: 'p1', idempotencyKey: 'p1.r1', record: payment }))); }
  await runtime.close(); await sandbox.close();
});
