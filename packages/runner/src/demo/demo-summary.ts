import type { LedgerState } from '@ledgerlink/core';

export interface TenantCounts {
  tenant: string;
  erp: string;
  /** Export items by state. */
  states: Partial<Record<LedgerState, number>>;
  /** Payments imported into the hub's Payments Issued. */
  imported: number;
  /** Subcontractor invoices ledgerlink exported and synced (bills), beside the payments of the state columns. */
  invoices?: number;
  /** Those invoices (requisitions) by state. */
  invoiceStates?: Partial<Record<LedgerState, number>>;
  /** Payments funded before their invoice was exported, and how many of them are synced now (they waited blocked). */
  fundedBeforeInvoice?: { funded: number; synced: number };
  /** What Procore's ERP tool shows for the tenant's company. */
  procore?: { synced: number; failedToExport: number; reexported: number; paymentsIssued: number; /** Requisitions (subcontractor invoices) shown synced: bills in the ERP. */ invoicesSynced?: number };
}

const COLUMNS: readonly LedgerState[] = ['pending', 'awaiting_approval', 'blocked', 'exporting', 'synced', 'failed'];
const TITLES: Record<LedgerState, string> = {
  pending: 'pending',
  awaiting_approval: 'approval',
  blocked: 'blocked',
  exporting: 'exporting',
  synced: 'synced',
  failed: 'failed',
};

/** The invoice states shown: an invoice never waits for approval. */
const INVOICE_COLUMNS: readonly LedgerState[] = ['pending', 'blocked', 'exporting', 'synced', 'failed'];

/**
 * The live summary, both entities: per tenant, payments by state (and payments imported), then subcontractor
 * invoices (requisitions ledgerlink exported as bills) by state with the payments funded before their invoice; what
 * Procore's ERP tool shows; the newest failures with what the ERP said.
 */
export function renderSummary(header: string[], rows: TenantCounts[], failures: string[], funded: number): string {
  const width = 10;
  const pad = (value: number | string) => String(value).padStart(width);
  const lines = [...header, '', `${'payments'.padEnd(20)}${'erp'.padEnd(11)}${COLUMNS.map((state) => pad(TITLES[state])).join('')}${pad('imported')}`];
  const totals: Partial<Record<LedgerState, number>> = {};
  let imported = 0;
  for (const row of rows) {
    // An import item counts in its tenant's states too; the export columns show exports only where they differ.
    lines.push(`${row.tenant.padEnd(20)}${row.erp.padEnd(11)}${COLUMNS.map((state) => pad(row.states[state] ?? 0)).join('')}${pad(row.imported)}`);
    for (const state of COLUMNS) totals[state] = (totals[state] ?? 0) + (row.states[state] ?? 0);
    imported += row.imported;
  }
  lines.push(`${'all'.padEnd(31)}${COLUMNS.map((state) => pad(totals[state] ?? 0)).join('')}${pad(imported)}`);

  lines.push('', `${'invoices (bills)'.padEnd(31)}${INVOICE_COLUMNS.map((state) => pad(TITLES[state])).join('')}${pad('paid late')}`);
  const invoiceTotals: Partial<Record<LedgerState, number>> = {};
  let late = 0;
  let lateFunded = 0;
  for (const row of rows) {
    const states = row.invoiceStates ?? { synced: row.invoices ?? 0 };
    const early = row.fundedBeforeInvoice ?? { funded: 0, synced: 0 };
    // "paid late": payments funded before their invoice, synced once the bill landed / all of them.
    lines.push(`${row.tenant.padEnd(31)}${INVOICE_COLUMNS.map((state) => pad(states[state] ?? 0)).join('')}${pad(`${early.synced}/${early.funded}`)}`);
    for (const state of INVOICE_COLUMNS) invoiceTotals[state] = (invoiceTotals[state] ?? 0) + (states[state] ?? 0);
    late += early.synced;
    lateFunded += early.funded;
  }
  lines.push(`${'all'.padEnd(31)}${INVOICE_COLUMNS.map((state) => pad(invoiceTotals[state] ?? 0)).join('')}${pad(`${late}/${lateFunded}`)}`);
  lines.push('', `payments funded in the hub: ${funded} (each once its invoice is in the ERP, except ${lateFunded} funded before it: "paid late")`);
  lines.push('', "Procore's ERP tool, per company:", `${'tenant'.padEnd(20)}${pad('invoices')}${pad('payments')}${pad('failed')}${pad('re-export')}${pad('issued')}`);
  for (const row of rows) {
    const tool = row.procore;
    if (tool === undefined) continue;
    lines.push(`${row.tenant.padEnd(20)}${[tool.invoicesSynced ?? 0, tool.synced, tool.failedToExport, tool.reexported, tool.paymentsIssued].map(pad).join('')}`);
  }
  if (failures.length > 0) lines.push('', "Failed to Export in Procore (the close-out's messages; the accountant edits Check Number / Bank ID and exports again):", ...failures.map((line) => `  ${line}`));
  return lines.join('\n');
}
