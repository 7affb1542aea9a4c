import { IMPORT_SCHEDULE_CURSOR } from '../src/scheduler.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, untilStateOf, type ApiStack } from './api-harness.js';

/** The records and tenants API over real sockets: filters and paging, history, edit and export again, approval, schedules, errors. */

let stack: ApiStack;

function expectField(answer: { status: number; body: { code: string; details: { field: string } } }, field: string): void {
  expect(answer.status).toBe(400);
  expect(answer.body.code).toBe('LL_API_INVALID_REQUEST');
  expect(answer.body.details.field).toBe(field);
}

describe('records API', () => {
  beforeAll(async () => {
    stack = await startApiStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('lists by state, tenant and direction, searches vendor / invoice / check number, and pages by cursor', async () => {
    const failed = await stack.failedRecord('acme');
    const waiting = await stack.intake('appr', stack.payment());
    const onlyFailed = await stack.call('GET', '/records?state=failed', { token: 'read_only' });
    expect(onlyFailed.status).toBe(200);
    expect(onlyFailed.body.items.map((item: { id: string }) => item.id)).toContain(failed.id);
    expect(onlyFailed.body.items.every((item: { state: string }) => item.state === 'failed')).toBe(true);

    const two = await stack.call('GET', '/records?state=failed,awaiting_approval', { token: 'read_only' });
    expect(two.body.items.map((item: { id: string }) => item.id)).toEqual(expect.arrayContaining([failed.id, waiting.id]));
    const appr = await stack.call('GET', '/records?tenant=appr&direction=export&entity=payment', { token: 'read_only' });
    expect(appr.body.items.every((item: { tenant: string }) => item.tenant === 'appr')).toBe(true);

    const record = failed.record as { vendor: { name: string }; invoice: { number: string }; checkNumber: string };
    for (const q of [record.vendor.name.toUpperCase(), record.invoice.number, record.checkNumber]) {
      const found = await stack.call('GET', `/records?q=${encodeURIComponent(q)}`, { token: 'read_only' });
      expect(found.body.items.map((item: { id: string }) => item.id), q).toContain(failed.id);
    }
    const none = await stack.call('GET', '/records?q=no-such-vendor-anywhere', { token: 'read_only' });
    expect(none.body.items).toEqual([]);

    const first = await stack.call('GET', '/records?limit=1', { token: 'read_only' });
    expect(first.body.items).toHaveLength(1);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await stack.call('GET', `/records?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: 'read_only' });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('a requisition: listed by entity with its own columns, shown, not editable, and exported again once failed', async () => {
    const { item: failed, requisition, vendorErpId } = await stack.failedRequisition('acme');
    const listed = await stack.call('GET', '/records?entity=requisition&state=failed', { token: 'read_only' });
    expect(listed.status).toBe(200);
    expect(listed.body.items.every((item: { entity: string }) => item.entity === 'requisition')).toBe(true);
    const row = listed.body.items.find((item: { id: string }) => item.id === failed.id);
    expect(row.summary).toEqual({ entity: 'requisition', label: 'Requisition', number: requisition.number, vendor: requisition.vendor.name, amountCents: 4_321_00 });
    const payments = await stack.call('GET', '/records?entity=payment', { token: 'read_only' });
    expect(payments.body.items.map((item: { id: string }) => item.id)).not.toContain(failed.id);
    expect(payments.body.items.every((item: { summary: { entity: string } }) => item.summary.entity === 'payment')).toBe(true);
    const found = await stack.call('GET', `/records?q=${encodeURIComponent(requisition.number.toLowerCase())}`, { token: 'read_only' });
    expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([failed.id]);
    const bad = await stack.call('GET', '/records?entity=invoice', { token: 'read_only' });
    expectField(bad, 'entity');

    const shown = await stack.call('GET', `/records/${failed.id}`, { token: 'read_only' });
    expect(shown.status).toBe(200);
    expect(shown.body.item).toMatchObject({ entity: 'requisition', sourceId: requisition.id, state: 'failed', summary: { label: 'Requisition', number: requisition.number } });
    expect(shown.body.attempts.at(-1).erp).toMatchObject({ message: expect.any(String) });
    // A requisition has no check number or bank ID: it is corrected in the hub (or the ERP), not here.
    const edit = await stack.call('PATCH', `/records/${failed.id}`, { token: 'standard', body: { checkNumber: '1' } });
    expect(edit.status).toBe(409);
    expect(edit.body.code).toBe('LL_LEDGER_EDIT_REFUSED');
    expect(edit.body.message).toMatch(new RegExp(`requisition ${requisition.id} .*has no fields to edit`));
    expect((await stack.runner.ledger.get(failed.id))?.record).toEqual(failed.record);

    // Same permissions as a payment's: read-only may not export again; Standard may.
    expect((await stack.call('POST', `/records/${failed.id}/export`, { token: 'read_only' })).status).toBe(403);
    stack.qbo.seed({ vendors: [{ id: vendorErpId, name: requisition.vendor.name }] });
    const again = await stack.call('POST', `/records/${failed.id}/export`, { token: 'standard' });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: failed.id, state: 'pending', summary: { entity: 'requisition' } });
    const synced = await untilStateOf(stack.runner, failed.id, 'synced', 8_000);
    expect(stack.qbo.bills?.().filter((bill) => bill.number === requisition.number)).toMatchObject([{ erpId: synced.targetId, vendorId: vendorErpId, amountCents: 4_321_00 }]);
    expect((await stack.runner.ledger.audit(failed.id)).filter((entry) => entry.actor.id === 'standard@example.test').map((entry) => entry.action)).toEqual(['re-export']);
  });

  it('a vendor: listed by entity with its name and code', async () => {
    const stamp = Date.now() % 1_000_000;
    const taken = await stack.runner.tenant('acme').exporter.intakeRecord('vendor', { id: `hub-v-only-${stamp}`, name: `Harbor Steel ${stamp}`, code: `HS-${stamp}`, isActive: true });
    if (taken.kind === 'ignored') throw new Error(taken.reason);
    await untilStateOf(stack.runner, taken.item.id, 'synced');
    const listed = await stack.call('GET', '/records?entity=vendor', { token: 'read_only' });
    expect(listed.body.items.find((item: { id: string }) => item.id === taken.item.id)?.summary).toEqual({ entity: 'vendor', label: 'Vendor', number: `HS-${stamp}`, vendor: `Harbor Steel ${stamp}` });
    const found = await stack.call('GET', `/records?q=HS-${stamp}`, { token: 'read_only' });
    expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([taken.item.id]);
  });

  it('refuses bad filters with the field named', async () => {
    expectField(await stack.call('GET', '/records?state=lost', { token: 'read_only' }), 'state');
    expectField(await stack.call('GET', '/records?limit=0', { token: 'read_only' }), 'limit');
    expectField(await stack.call('GET', '/records?cursor=not-a-cursor', { token: 'read_only' }), 'cursor');
    expectField(await stack.call('GET', '/records?status=failed', { token: 'read_only' }), 'status');
    expectField(await stack.call('GET', '/records?direction=sideways', { token: 'read_only' }), 'direction');
  });

  it("shows a record's audit trail and each attempt's ERP answer as the ERP gave it", async () => {
    const failed = await stack.failedRecord('acme');
    const answer = await stack.call('GET', `/records/${failed.id}`, { token: 'read_only' });
    expect(answer.status).toBe(200);
    expect(answer.body.item).toMatchObject({ id: failed.id, state: 'failed', lastError: { kind: 'needs-edit', editableFields: ['checkNumber'] } });
    expect(answer.body.audit.map((entry: { action: string }) => entry.action)).toContain('created');
    const last = answer.body.attempts.at(-1);
    expect(last.outcome.kind).toBe('needs-edit');
    expect(last.erp).toMatchObject({ message: expect.any(String) });
    expect(last.erp).toEqual(answer.body.item.lastError.erp);
    const missing = await stack.call('GET', '/records/no-such-id', { token: 'read_only' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('LL_LEDGER_NOT_FOUND');
  });

  it('edits only check number and bank ID, only while failed, then exports again to synced', async () => {
    const failed = await stack.failedRecord('acme');
    const path = `/records/${failed.id}`;
    const amount = await stack.call('PATCH', path, { token: 'standard', body: { amountCents: 1 } });
    expectField(amount, 'amountCents');
    expect(amount.body.message).toMatch(/"amountCents" is not accepted/);
    expectField(await stack.call('PATCH', path, { token: 'standard', body: { checkNumber: 'A1', vendor: { name: 'x' } } }), 'vendor');
    expectField(await stack.call('PATCH', path, { token: 'standard', body: {} }), 'checkNumber');
    expectField(await stack.call('PATCH', path, { token: 'standard', body: { checkNumber: '  ' } }), 'checkNumber');
    expectField(await stack.call('PATCH', path, { token: 'standard', body: { bankId: 42 } }), 'bankId');
    const notJson = await stack.call('PATCH', path, { token: 'standard', body: '{"checkNumber":', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(Object.keys(notJson.body).sort()).toEqual(['code', 'details', 'message']);
    const tooLarge = await stack.call('PATCH', path, { token: 'standard', body: { checkNumber: 'x'.repeat(70 * 1024) } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe('LL_BODY_TOO_LARGE');

    const edited = await stack.call('PATCH', path, { token: 'standard', body: { checkNumber: '77001' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ state: 'failed', revision: 2, record: { checkNumber: '77001' } });
    const exported = await stack.call('POST', `${path}/export`, { token: 'standard' });
    expect(exported.status).toBe(202);
    const synced = await untilStateOf(stack.runner, failed.id, 'synced');
    expect(stack.qbo.payments().find((payment) => payment.erpId === synced.targetId)?.checkNumber).toBe('77001');
    const audit = await stack.runner.ledger.audit(failed.id);
    expect(audit.filter((entry) => entry.actor.id === 'standard@example.test').map((entry) => entry.action)).toEqual(expect.arrayContaining(['edited', 're-export']));

    const late = await stack.call('PATCH', path, { token: 'standard', body: { checkNumber: '77002' } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('LL_LEDGER_EDIT_REFUSED');
    const again = await stack.call('POST', `${path}/export`, { token: 'standard' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('LL_LEDGER_TRANSITION');
  });

  it('approves and rejects (a reason is required; a rejected record goes back as failed with it)', async () => {
    const toReject = await stack.intake('appr', stack.payment());
    expectField(await stack.call('POST', `/records/${toReject.id}/reject`, { token: 'approver', body: {} }), 'reason');
    expectField(await stack.call('POST', `/records/${toReject.id}/reject`, { token: 'approver', body: { reason: '' } }), 'reason');
    const rejected = await stack.call('POST', `/records/${toReject.id}/reject`, { token: 'approver', body: { reason: 'duplicate of PP-12' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ state: 'failed', lastError: { message: expect.stringContaining('duplicate of PP-12') } });
    const toApprove = await stack.intake('appr', stack.payment());
    const approved = await stack.call('POST', `/records/${toApprove.id}/approve`, { token: 'admin_approver' });
    expect(approved.status).toBe(200);
    await untilStateOf(stack.runner, toApprove.id, 'synced');
    const twice = await stack.call('POST', `/records/${toApprove.id}/approve`, { token: 'admin_approver' });
    expect(twice.status).toBe(409);
  });

  it('lists tenants with lanes and counts; 404 for an unknown tenant', async () => {
    const answer = await stack.call('GET', '/tenants', { token: 'read_only' });
    expect(answer.status).toBe(200);
    const acme = answer.body.tenants.find((tenant: { id: string }) => tenant.id === 'acme');
    expect(acme).toMatchObject({
      erp: { id: 'qbo' },
      exportsEnabled: true,
      importable: true,
      lane: { queued: expect.any(Number), running: expect.any(Number), throttled: false, rateLimit: { requests: expect.any(Number) } },
    });
    expect(acme.counts.synced).toBeGreaterThan(0);
    expect(answer.body.hub.lane.key).toMatch(/hub/);
    const unknown = await stack.call('GET', '/tenants/nobody/schedule', { token: 'read_only' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('LL_TENANT_NOT_FOUND');
  });

  it('changes the import schedule (kept in the ledger) and refuses a bad one naming the field', async () => {
    expectField(await stack.call('PUT', '/tenants/acme/schedule', { token: 'admin', body: { everyMinutes: -1 } }), 'everyMinutes');
    expectField(await stack.call('PUT', '/tenants/acme/schedule', { token: 'admin', body: { everyMinutes: '15' } }), 'everyMinutes');
    expectField(await stack.call('PUT', '/tenants/acme/schedule', { token: 'admin', body: { everyMinutes: 15, cron: '* * * * *' } }), 'cron');
    const put = await stack.call('PUT', '/tenants/acme/schedule', { token: 'admin', body: { everyMinutes: 15 } });
    expect(put.body).toMatchObject({ tenant: 'acme', everyMinutes: 15, configuredEveryMinutes: 60 });
    expect(await stack.runner.ledger.getCursor('acme', IMPORT_SCHEDULE_CURSOR)).toBe('15');
    expect(stack.runner.scheduler?.tasks().find((task) => task.name === 'acme:import')?.everyMs).toBe(15 * 60_000);
    const get = await stack.call('GET', '/tenants/acme/schedule', { token: 'read_only' });
    expect(get.body.everyMinutes).toBe(15);
    const off = await stack.call('PUT', '/tenants/acme/schedule', { token: 'admin', body: { everyMinutes: 0 } });
    expect(off.body.everyMinutes).toBe(0);
    expect(stack.runner.scheduler?.tasks().some((task) => task.name === 'acme:import')).toBe(false);
  });

  it('disables exports (pending payments wait) and enables them again (they go)', async () => {
    const off = await stack.call('POST', '/tenants/acme/exports/disable', { token: 'admin' });
    expect(off.body).toEqual({ tenant: 'acme', exportsEnabled: false });
    const item = await stack.intake('acme', stack.payment());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await stack.runner.ledger.get(item.id))?.state).toBe('pending');
    const on = await stack.call('POST', '/tenants/acme/exports/enable', { token: 'admin' });
    expect(on.body).toEqual({ tenant: 'acme', exportsEnabled: true });
    await untilStateOf(stack.runner, item.id, 'synced');
  });

  it('imports paid payments on demand and reports what it did', async () => {
    const answer = await stack.call('POST', '/tenants/acme/import', { token: 'approver' });
    expect(answer.status).toBe(200);
    expect(answer.body.read, JSON.stringify(answer.body)).toBeGreaterThan(0);
    expect(answer.body.read, JSON.stringify(answer.body)).toBe(answer.body.written + answer.body.alreadyThere + answer.body.failed + (answer.body.ownExports ?? 0));
    const imported = await stack.call('GET', '/records?direction=import&tenant=acme', { token: 'read_only' });
    expect(imported.body.items.length).toBe(answer.body.read - (answer.body.ownExports ?? 0));
  });

  it('answers unknown routes with a coded 404 and serves an OpenAPI document of every route', async () => {
    const unknown = await stack.call('GET', '/nope', { token: 'admin' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('LL_API_NOT_FOUND');
    const doc = await stack.call('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths).sort()).toEqual(
      [
        '/healthz', '/metrics', '/openapi.json', '/readyz', '/records', '/records/{id}', '/records/{id}/approve', '/records/{id}/export', '/records/{id}/reject',
        '/session', '/stats/exports', '/tenants', '/tenants/{id}/exports/disable', '/tenants/{id}/exports/enable', '/tenants/{id}/import', '/tenants/{id}/schedule',
        '/webhooks/procore',
      ].sort(),
    );
    const patch = doc.body.paths['/records/{id}'].patch;
    expect(patch['x-ledgerlink-permission']).toBe('resend');
    expect(patch.security).toEqual([{ bearerToken: [] }]);
    expect(Object.keys(patch.requestBody.content['application/json'].schema.properties).sort()).toEqual(['bankId', 'checkNumber']);
    expect(patch.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(doc.body.paths['/records'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['state', 'tenant', 'entity', 'direction', 'q', 'cursor', 'limit']);
    expect(doc.body.paths['/healthz'].get.security).toEqual([]);
  });

  it('stats: exports over time from the ledger', async () => {
    const answer = await stack.call('GET', '/stats/exports?hours=1&bucketMinutes=5', { token: 'read_only' });
    expect(answer.status).toBe(200);
    const total = answer.body.buckets.reduce((sum: number, bucket: { counts: Record<string, number> }) => sum + Object.values(bucket.counts).reduce((a, b) => a + b, 0), 0);
    const synced = await stack.runner.ledger.list({ state: 'synced', direction: 'export', limit: 500 });
    expect(total).toBe(synced.items.length);
    expect(answer.body.partial).toBe(false);
  });

  it('readyz: ready while running, 503 once the runner stops', async () => {
    const ready = await stack.call('GET', '/readyz');
    expect({ ...ready.body, held: [...ready.body.held].sort() }).toEqual({
      ready: true,
      role: 'active',
      checks: { store: 'ok', runner: 'ok', hub: 'ok' },
      tenants: { acme: { state: 'running', erp: 'ok' }, appr: { state: 'running', erp: 'ok' } },
      recovering: [],
      held: ['acme', 'appr'],
      replicas: 1,
    });
    await stack.runner.stop();
    const stopped = await stack.call('GET', '/readyz');
    expect(stopped.status).toBe(503);
    expect(stopped.body.ready).toBe(false);
    expect(stopped.body.held).toEqual([]);
  });
});
