import type { ConnectorRuntime, Entity, ErpVendor, HubVendor, Outcome, RecordError, RecordExportItem, Requisition, SandboxBill, SandboxVendor } from '@ledgerlink/core';
import { erpIds } from './fixtures.js';
import type { Harness } from './harness.js';
import type { ConformanceFixtures } from './options.js';

/** How long an `accepted` export (asyncExport connectors) may take to show up in the ERP. */
const SETTLE_ATTEMPTS = 100;
const SETTLE_DELAY_MS = 25;
/** A vendor import that pages on and on is a broken cursor: the sandbox holds a few dozen vendors. */
const MAX_PAGES = 1_000;

/**
 * Requisition `n`: a subcontractor invoice of two lines, in order, with retainage, billed by vendor `n` (ERP id
 * `fixtures.vendorId(n)`), with the connector's `requisitionDefaults` merged in. Amounts carry cents and differ per
 * `n`, so a rounded, reordered or swapped amount shows.
 */
export function makeRequisition(fixtures: ConformanceFixtures, n: number): Requisition {
  const { vendorId } = erpIds(fixtures, n);
  const defaults = fixtures.requisitionDefaults?.(n) ?? {};
  const { vendor, project, commitment, line, ...rest } = defaults;
  const lines = [
    { id: `req-${n}-line-1`, description: `Framing, level ${n}`, amountCents: 40_000 + n, retainageCents: 4_000 },
    { id: `req-${n}-line-2`, description: `Drywall, level ${n}`, amountCents: 20_012 + n, retainageCents: 2_001 },
  ].map((generated) => ({ ...generated, ...line }));
  return {
    id: `req-${n}`,
    number: `REQ-INV-${n}`,
    billingDate: '2025-03-01',
    dueDate: '2025-03-31',
    commitment: { id: 'hub-commitment-1', ...commitment },
    totalCents: lines.reduce((sum, one) => sum + one.amountCents, 0),
    retainageCents: lines.reduce((sum, one) => sum + one.retainageCents, 0),
    lines,
    ...rest,
    vendor: { id: `hub-vendor-${n}`, name: `Conformance Vendor ${n}`, erpId: vendorId, ...vendor },
    project: { id: 'hub-project-1', number: 'P-100', name: 'Conformance Tower', ...project },
  };
}

/** Hub vendor `n` (vendor-export checks), with the connector's `vendorDefaults` merged in. */
export function makeHubVendor(fixtures: ConformanceFixtures, n: number): HubVendor {
  return {
    id: `hub-new-vendor-${n}`,
    name: `Conformance Subcontractor ${n}`,
    code: `CV${n}`,
    email: `ap${n}@subcontractor.example`,
    isActive: true,
    ...fixtures.vendorDefaults?.(n),
  };
}

/** The export item the ledger would hand the engine for revision `revision` of a record. */
export function recordItem(record: { id: string }, revision = 1): RecordExportItem {
  return { id: record.id, idempotencyKey: `${record.id}.r${revision}`, record };
}

/**
 * Exports one record of `entity` through the real engine and returns its final outcome; an `accepted` one
 * (asyncExport connectors) is settled through the loader's `find` until the ERP shows the record.
 */
export async function exportRecord(
  runtime: ConnectorRuntime,
  entity: Entity,
  record: { id: string },
  hooks?: { afterAttempt?(item: RecordExportItem, outcome: Outcome): Promise<void> },
): Promise<Outcome> {
  const item = recordItem(record);
  const [outcome] = await runtime.exportRecords(entity, [item], hooks === undefined ? {} : { hooks });
  if (outcome === undefined) throw new Error(`exportRecords('${entity}') returned no outcome for the item`);
  let current = outcome;
  for (let attempt = 0; current.kind === 'accepted' && attempt < SETTLE_ATTEMPTS; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_DELAY_MS));
    current = (await runtime.settleRecord(entity, item)) ?? current;
  }
  return current;
}

/** Reads every page of a vendor import from the start. */
export async function importAllVendors(runtime: ConnectorRuntime): Promise<{ records: ErpVendor[]; errors: RecordError[] }> {
  const records: ErpVendor[] = [];
  const errors: RecordError[] = [];
  let pages = 0;
  for await (const page of runtime.importRecords('vendor')) {
    records.push(...(page.records as ErpVendor[]));
    errors.push(...page.errors);
    pages += 1;
    if (pages > MAX_PAGES) throw new Error(`vendor import did not end after ${MAX_PAGES} pages: does the cursor move?`);
  }
  return { records, errors };
}

type SandboxMember = 'bills' | 'vendors' | 'addVendor';

/**
 * The sandbox member a check reads, where the connector's capabilities make it required; missing, the check fails
 * saying which member and why (the ErpSandbox contract makes it optional for connectors without the entity).
 */
function member<K extends SandboxMember>(harness: Harness<unknown>, name: K, why: string): NonNullable<Harness<unknown>['sandbox'][K]> {
  const sandbox = harness.sandbox;
  const found = sandbox[name];
  if (typeof found !== 'function') {
    throw new Error(
      `${harness.connector.manifest.displayName} declares ${why}, so its sandbox must offer ${name}() (ErpSandbox.${name}): ` +
        `the conformance kit reads the ERP's side through it. Add it to the sandbox, written from the ERP's wire format.`,
    );
  }
  return found.bind(sandbox) as NonNullable<Harness<unknown>['sandbox'][K]>;
}

/** The bills the ERP holds with this number (required: `bills()`, for requisition export). */
export function billsNumbered(harness: Harness<unknown>, number: string): SandboxBill[] {
  return member(harness, 'bills', 'requisition export')().filter((bill) => bill.number === number);
}

/** The bills the ERP holds for this vendor ERP id (required: `bills()`, for requisition export). */
export function billsOfVendor(harness: Harness<unknown>, vendorId: string): SandboxBill[] {
  return member(harness, 'bills', 'requisition export')().filter((bill) => bill.vendorId === vendorId);
}

/** The vendors the ERP holds with this name (required: `vendors()`, for vendor export). */
export function vendorsNamed(harness: Harness<unknown>, name: string): SandboxVendor[] {
  return member(harness, 'vendors', 'vendor export')().filter((vendor) => vendor.name === name);
}

/** Makes a vendor in the ERP directly (required: `addVendor()`, for vendor import). */
export function addErpVendor(harness: Harness<unknown>, input: { name: string; code?: string; active: boolean }): string {
  return member(harness, 'addVendor', 'vendor import')(input);
}

/** Seeds vendor `n` of a requisition so the ERP knows it (`seed({ vendors })`, as the payment checks do). */
export function seedRequisitionVendor(harness: Harness<unknown>, requisition: Requisition): void {
  const id = requisition.vendor.erpId;
  if (id === undefined) throw new Error('the generated requisition has no vendor.erpId: do not clear it in fixtures.requisitionDefaults');
  harness.sandbox.seed({ vendors: [{ id, name: requisition.vendor.name }] });
}
