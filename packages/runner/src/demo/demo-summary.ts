import type { LedgerState } from '@ledgerlink/core';

export interface TenantCounts {
  tenant: string;
  erp: string;
  /** Export items by state. */
  states: Partial<Record<LedgerState, number>>;
  /** Payments imported into the hub's Payments Issued. */
  imported: number;
  /** What Procore's ERP tool shows for the tenant's company. */
  /** Subcontractor invoices ledgerlink exported and synced (bills), beside the payments of the state columns. */
  invoices?: number;
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

/** The live summary: one row per tenant, counts by state, the newest failures with what the ERP said. */
export function renderSummary(header: string[], rows: TenantCounts[], failures: string[], funded: number): string {
  const width = 10;
  const lines = [...header, '', `${'tenant'.padEnd(20)}${'erp'.padEnd(11)}${COLUMNS.map((state) => TITLES[state].padStart(width)).join('')}${'imported'.padStart(width)}${'invoices'.padStart(width)}`];
  const totals: Partial<Record<LedgerState, number>> = {};
  let imported = 0;
  let invoices = 0;
  for (const row of rows) {
    // An import item counts in its tenant's states too; the export columns show exports only where they differ.
    lines.push(
      `${row.tenant.padEnd(20)}${row.erp.padEnd(11)}${COLUMNS.map((state) => String(row.states[state] ?? 0).padStart(width)).join('')}${String(row.imported).padStart(width)}${String(row.invoices ?? 0).padStart(width)}`,
    );
    for (const state of COLUMNS) totals[state] = (totals[state] ?? 0) + (row.states[state] ?? 0);
    imported += row.imported;
    invoices += row.invoices ?? 0;
  }
  lines.push(`${'all'.padEnd(31)}${COLUMNS.map((state) => String(totals[state] ?? 0).padStart(width)).join('')}${String(imported).padStart(width)}${String(invoices).padStart(width)}`);
  lines.push('', `payments funded in the hub: ${funded}`);
  lines.push('', "Procore's ERP tool, per company:", `${'tenant'.padEnd(20)}${'invoices'.padStart(width)}${'payments'.padStart(width)}${'failed'.padStart(width)}${'re-export'.padStart(width)}${'issued'.padStart(width)}`);
  for (const row of rows) {
    const tool = row.procore;
    if (tool === undefined) continue;
    lines.push(`${row.tenant.padEnd(20)}${[tool.invoicesSynced ?? 0, tool.synced, tool.failedToExport, tool.reexported, tool.paymentsIssued].map((count) => String(count).padStart(width)).join('')}`);
  }
  if (failures.length > 0) lines.push('', "Failed to Export in Procore (the close-out's messages; the accountant edits Check Number / Bank ID and exports again):", ...failures.map((line) => `  ${line}`));
  return lines.join('\n');
}
