import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { ErrorCodes, Outcomes, type Payment } from '@ledgerlink/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../src/daemon.js';
import { openSqliteLedger } from '../src/store/sqlite-ledger.js';
import { eventually, runnerFor, tempDir, untilState } from './support/runner-harness.js';

const env = { QBO_CLIENT_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH_TOKEN: QBO_SANDBOX_APP.refreshToken };
let sandbox: QboSandbox;
let n = 0;

function tenant(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    erp: 'qbo',
    connection: {
      baseUrl: sandbox.url,
      tokenUrl: `${sandbox.url}${QBO_SANDBOX_TOKEN_PATH}`,
      realmId: QBO_SANDBOX_APP.realmId,
      clientId: QBO_SANDBOX_APP.clientId,
      clientSecret: '${env:QBO_CLIENT_SECRET}',
      refreshToken: '${env:QBO_REFRESH_TOKEN}',
    },
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  };
}

/** A payment of a fresh bill, vendor and bank account that the sandbox knows (unless told otherwise). */
function payment(overrides: Partial<Payment> = {}, seed = true): Payment {
  n += 1;
  const ids = { vendor: String(700 + n), bank: String(80 + n), bill: String(5000 + n) };
  const amountCents = 123_45 + n;
  if (seed) {
    sandbox.seed({
      vendors: [{ id: ids.vendor, name: `Vendor ${n}` }],
      bankAccounts: [{ id: ids.bank }],
      bills: [{ id: ids.bill, vendorId: ids.vendor, number: `INV-${n}`, amountCents }],
    });
  }
  return {
    id: `hub-pay-${n}`,
    status: 'funding_complete',
    amountCents,
    method: 'check',
    fundedOn: '2026-11-30',
    bankId: ids.bank,
    checkNumber: String(20_000 + n),
    vendor: { id: `hub-v-${n}`, name: `Vendor ${n}`, erpId: ids.vendor },
    invoice: { id: `hub-inv-${n}`, number: `INV-${n}`, amountCents, erpId: ids.bill },
    project: { id: 'hub-p-1', number: 'P-100' },
    ...overrides,
  };
}

function landedFor(billId: string) {
  return sandbox.payments().filter((landed) => landed.applications.some((application) => application.billId === billId));
}

describe('export flow (runner + SQLite + the QuickBooks Online sandbox over loopback)', () => {
  const dirs: (() => void)[] = [];
  const runners: Runner[] = [];

  beforeAll(async () => {
    sandbox = await startQboSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    for (const cleanup of dirs.splice(0)) cleanup();
  });

  async function started(tenants: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const built = runnerFor(dir, { store: { sqlite: { path: 'ledger.db' } }, tenants, runner: { settleMs: 50, recoveryMs: 60_000 }, ...extra }, env);
    await built.runner.start();
    runners.push(built.runner);
    return { ...built, dir };
  }

  it('a tick that listed an item as pending just before it synced sends nothing and logs no error (issue 11 item 8)', async () => {
    const { runner, log } = await started([tenant('acme')]);
    const pay = payment();
    const result = await runner.tenant('acme').exporter.intake(pay);
    const id = result.kind === 'ignored' ? '' : result.item.id;
    const synced = await untilState(runner, id, 'synced');
    // The race of a paged listing, played directly: the tick's snapshot still says "pending".
    const stale = { ...synced, state: 'pending' as const };
    const exporter = runner.tenant('acme').exporter as unknown as { launch(items: unknown[], mayBeCommitted: boolean): void; inFlight(): number };
    exporter.launch([stale], false);
    await eventually('the stale launch to end', () => (exporter.inFlight() === 0 ? true : undefined));
    const entries = (): { level: number; msg: string }[] => log.lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    await eventually('the debug line about the item that moved on', () =>
      entries().some((entry) => entry.level === 20 && entry.msg.startsWith(`item ${id} is already "synced"`)) ? true : undefined,
    );
    expect(entries().filter((entry) => entry.level >= 50)).toEqual([]);
    expect(landedFor(pay.invoice.erpId as string)).toHaveLength(1);
  });

  it('records a funded payment, sends it once, and links the ledger item to the ERP id', async () => {
    const { runner } = await started([tenant('acme')]);
    const pay = payment();
    const result = await runner.tenant('acme').exporter.intake(pay);
    expect(result.kind).toBe('recorded');
    const id = result.kind === 'ignored' ? '' : result.item.id;
    const synced = await untilState(runner, id, 'synced');
    const landed = landedFor(pay.invoice.erpId as string);
    expect(landed).toHaveLength(1);
    expect(synced.targetId).toBe(landed[0]?.erpId);
    expect(landed[0]?.amountCents).toBe(pay.amountCents);
    // A second delivery of the same payment is the same item, and nothing more is sent.
    const again = await runner.tenant('acme').exporter.intake(pay);
    expect(again.kind).toBe('known');
    expect(landedFor(pay.invoice.erpId as string)).toHaveLength(1);
    const audit = await runner.ledger.audit(id);
    expect(audit.map((entry) => entry.action)).toEqual(expect.arrayContaining(['created', 'attempt']));
  });

  it('sends a recorded payment as its intake wrote it, without reading it again first (issue 15)', async () => {
    const { runner } = await started([tenant('acme')], { runner: { settleMs: 60_000, recoveryMs: 60_000 } });
    const reads: string[] = [];
    const get = runner.ledger.get.bind(runner.ledger);
    runner.ledger.get = (id: string) => {
      reads.push(id);
      return get(id);
    };
    const exported = new Promise<string>((resolve) => runner.events.on('exported', (event) => resolve(event.itemId)));
    const pay = payment();
    const result = await runner.tenant('acme').exporter.intake(pay);
    const id = result.kind === 'recorded' ? result.item.id : '';
    expect(result.kind === 'recorded' && result.item.state).toBe('pending');
    expect(await exported).toBe(id);
    // The drain sent the item its intake returned; beginAttempt read it in its own transaction, not through get.
    expect(reads.filter((read) => read === id)).toEqual([]);
    expect(landedFor(pay.invoice.erpId as string)).toHaveLength(1);
    // An item queued by its id alone (a listing) is read before it goes, and one no longer pending is not sent.
    await eventually('the run to end', () => (runner.tenant('acme').exporter.inFlight() === 0 ? true : undefined));
    runner.tenant('acme').exporter.kick(id);
    await eventually('the drain to read the queued id', () => (reads.includes(id) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(landedFor(pay.invoice.erpId as string)).toHaveLength(1);
  });

  it('a payment another process put in the ledger as pending is found by the settle tick (its id listed) and sent once', async () => {
    const { runner, dir } = await started([tenant('acme')]);
    const pay = payment();
    // Another process on the same ledger file (the CLI, a second runner): this runner is not told of the item.
    const other = openSqliteLedger({ path: `${dir}/ledger.db` });
    const { item } = await other.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: pay.id, record: pay as unknown as Record<string, unknown> }, { kind: 'user', id: 'cli' });
    await other.close();
    expect(item.state).toBe('pending');
    const synced = await untilState(runner, item.id, 'synced');
    expect(landedFor(pay.invoice.erpId as string)).toHaveLength(1);
    expect(synced.targetId).toBe(landedFor(pay.invoice.erpId as string)[0]?.erpId);
  });

  it('a write the ERP queued (accepted) is looked up by the settle tick and, not found there, sent again once', async () => {
    const { runner, dir } = await started([tenant('acme')]);
    const pay = payment();
    // Left by another process: an attempt the ERP answered "queued", and nothing in QuickBooks yet.
    const other = openSqliteLedger({ path: `${dir}/ledger.db` });
    const actor = { kind: 'system', id: 'other-runner' } as const;
    const { item } = await other.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: pay.id, record: pay as unknown as Record<string, unknown> }, actor);
    await other.beginAttempt(item.id, actor);
    const queued = await other.completeAttempt(item.id, 1, Outcomes.accepted('queue-1'), actor);
    await other.close();
    expect(queued.state).toBe('exporting');
    // The settle tick lists the tenant's exporting ids, reads this one (not in flight here), finds no trace in the ERP.
    await untilState(runner, item.id, 'synced');
    expect(landedFor(pay.invoice.erpId as string)).toHaveLength(1);
    expect((await runner.ledger.attempts(item.id)).map((attempt) => attempt.outcome?.kind)).toEqual(['accepted', 'synced']);
  });

  it('blocks a payment whose invoice is not in the ERP yet, and sends it once the invoice is', async () => {
    const { runner } = await started([tenant('acme')]);
    const pay = payment();
    const { erpId: _erpId, ...invoiceWithoutErp } = pay.invoice;
    const first = await runner.tenant('acme').exporter.intake({ ...pay, invoice: invoiceWithoutErp });
    expect(first.kind === 'recorded' && first.item.state).toBe('blocked');
    const id = first.kind === 'ignored' ? '' : first.item.id;
    expect((await runner.ledger.get(id))?.blockedReason).toMatch(/not yet in QuickBooks Online/);
    expect(landedFor(pay.invoice.erpId as string)).toHaveLength(0);
    // The hub now reports the invoice synced (the poll brings the payment again, with the invoice's ERP id).
    await runner.tenant('acme').exporter.intake(pay);
    const synced = await untilState(runner, id, 'synced');
    expect((synced.record.invoice as { erpId?: string }).erpId).toBe(pay.invoice.erpId);
    expect(landedFor(pay.invoice.erpId as string)).toHaveLength(1);
  });

  it('refuses tax and markups before any call, and says why', async () => {
    const { runner } = await started([tenant('acme')]);
    const before = sandbox.stats().requests;
    const result = await runner.tenant('acme').exporter.intake(payment({ taxCents: 500 }));
    expect(result.kind === 'recorded' && result.item.state).toBe('failed');
    const item = result.kind === 'recorded' ? result.item : undefined;
    expect(item?.lastError).toMatchObject({ code: ErrorCodes.TAX_UNSUPPORTED, kind: 'rejected' });
    expect(sandbox.stats().requests).toBe(before);
  });

  it('waits for an approver where the tenant requires approval; approved goes, rejected fails with the reason', async () => {
    const { runner } = await started([tenant('acme', { requireApproval: { payment: true } })]);
    const exporter = runner.tenant('acme').exporter;
    const one = payment();
    const two = payment();
    const first = await exporter.intake(one);
    const second = await exporter.intake(two);
    expect(first.kind === 'recorded' && first.item.state).toBe('awaiting_approval');
    const firstId = first.kind === 'recorded' ? first.item.id : '';
    const secondId = second.kind === 'recorded' ? second.item.id : '';
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(landedFor(one.invoice.erpId as string)).toHaveLength(0);
    await exporter.approve(firstId, { kind: 'user', id: 'approver@acme' });
    await untilState(runner, firstId, 'synced');
    const rejected = await exporter.reject(secondId, 'wrong vendor', { kind: 'user', id: 'approver@acme' });
    expect(rejected.state).toBe('failed');
    expect(rejected.lastError?.message).toContain('wrong vendor');
    expect(landedFor(two.invoice.erpId as string)).toHaveLength(0);
    expect((await runner.ledger.audit(firstId)).some((entry) => entry.action === 'approved' && entry.actor.id === 'approver@acme')).toBe(true);
  });

  it('fails a used check number as needs-edit; after the check number is edited, exporting again syncs it', async () => {
    const { runner } = await started([tenant('acme')]);
    const exporter = runner.tenant('acme').exporter;
    const first = payment();
    await untilState(runner, ((await exporter.intake(first)) as { item: { id: string } }).item.id, 'synced');
    const second = payment({});
    sandbox.seed({ bankAccounts: [{ id: first.bankId }] });
    const clash = { ...second, bankId: first.bankId, checkNumber: first.checkNumber };
    const recorded = await exporter.intake(clash);
    const id = recorded.kind === 'recorded' ? recorded.item.id : '';
    const failed = await untilState(runner, id, 'failed');
    expect(failed.lastError).toMatchObject({ kind: 'needs-edit', editableFields: ['checkNumber'] });
    expect(failed.lastError?.erp?.message).toBeTruthy();
    await exporter.edit(id, { checkNumber: '99001' }, { kind: 'user', id: 'accountant@acme' });
    await exporter.retry(id, { kind: 'user', id: 'accountant@acme' });
    const synced = await untilState(runner, id, 'synced');
    expect(synced.revision).toBe(2);
    const landed = landedFor(second.invoice.erpId as string);
    expect(landed).toHaveLength(1);
    expect(landed[0]?.checkNumber).toBe('99001');
  });

  it('gives a payment without a check number the next one of its bank, never the same twice', async () => {
    const { runner } = await started([tenant('acme', { nextCheckNumber: {} })]);
    const one = payment({ checkNumber: undefined });
    await runner.stop();
    runners.pop();
    const { runner: numbered } = await started([tenant('acme', { nextCheckNumber: { [one.bankId]: 10_000 } })]);
    const two = { ...payment({ checkNumber: undefined }), bankId: one.bankId };
    const a = await numbered.tenant('acme').exporter.intake(one);
    const b = await numbered.tenant('acme').exporter.intake(two);
    const numbers = [a, b].map((result) => (result.kind === 'ignored' ? undefined : (result.item.record as { checkNumber?: string }).checkNumber));
    expect(numbers).toEqual(['10000', '10001']);
  });

  it('keeps pending payments while exports are disabled, and sends them once enabled', async () => {
    const { runner } = await started([tenant('acme', { exports: { enabled: false } })]);
    const pay = payment();
    const result = await runner.tenant('acme').exporter.intake(pay);
    const id = result.kind === 'recorded' ? result.item.id : '';
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await runner.ledger.get(id))?.state).toBe('pending');
    await runner.tenant('acme').exporter.setExportsEnabled(true);
    await untilState(runner, id, 'synced');
  });

  it("keeps an admin's exports switch across a restart (the config gives only the first default)", async () => {
    const built = await started([tenant('acme')]);
    await built.runner.tenant('acme').exporter.setExportsEnabled(false);
    await built.runner.stop();
    runners.pop();
    const again = runnerFor(built.dir, { store: { sqlite: { path: 'ledger.db' } }, tenants: [tenant('acme')], runner: { settleMs: 50 } }, env);
    await again.runner.start();
    runners.push(again.runner);
    expect(again.runner.tenant('acme').exporter.exportsEnabled).toBe(false);
    const pay = payment();
    const result = await again.runner.tenant('acme').exporter.intake(pay);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await again.runner.ledger.get(result.kind === 'recorded' ? result.item.id : ''))?.state).toBe('pending');
    expect(landedFor(pay.invoice.erpId as string)).toHaveLength(0);
  });

  it('after a lost answer and a restart, settles the payment through the ERP instead of posting it twice', async () => {
    const built = await started([tenant('acme', { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } })]);
    const pay = payment();
    sandbox.setFaults({ commitThenDrop: 1 });
    const result = await built.runner.tenant('acme').exporter.intake(pay);
    const id = result.kind === 'recorded' ? result.item.id : '';
    // One attempt, its answer lost: the item stays exporting with an unknown outcome.
    const stuck = await eventually('the lost attempt to be recorded', async () => {
      const attempts = await built.runner.ledger.attempts(id);
      return attempts.at(-1)?.outcome?.kind === 'retryable' ? attempts : undefined;
    });
    expect(stuck.at(-1)?.outcome).toMatchObject({ committed: 'unknown' });
    expect((await built.runner.ledger.get(id))?.state).toBe('exporting');
    expect(landedFor(pay.invoice.erpId as string)).toHaveLength(1);
    await built.runner.stop();
    runners.pop();

    // The next start recovers it before anything else.
    const again = runnerFor(built.dir, { store: { sqlite: { path: 'ledger.db' } }, tenants: [tenant('acme')], runner: { settleMs: 50 } }, env);
    await again.runner.start();
    runners.push(again.runner);
    const synced = await untilState(again.runner, id, 'synced');
    const landed = landedFor(pay.invoice.erpId as string);
    expect(landed).toHaveLength(1);
    expect(synced.targetId).toBe(landed[0]?.erpId);
  });
});
