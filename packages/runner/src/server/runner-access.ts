import { ErrorCodes, LedgerlinkError, supports, type LedgerItem } from '@ledgerlink/core';
import type { TenantScope } from '../container.js';
import type { Runner } from '../daemon.js';

/** A ledger item by id, or LL_LEDGER_NOT_FOUND (404) saying where to look. */
export async function loadItem(runner: Runner, id: string): Promise<LedgerItem> {
  const item = await runner.ledger.get(id);
  if (item === undefined) {
    throw new LedgerlinkError(ErrorCodes.LEDGER_NOT_FOUND, `no record "${id}" in the ledger: GET /records lists them`, { details: { id } });
  }
  return item;
}

/** Whether a tenant can import at all: its connector imports payments and the deployment has a hub to write to. */
export function importable(runner: Runner, scope: TenantScope): boolean {
  return runner.hub !== null && scope.config.hubCompanyId !== undefined && supports(scope.runtime.connector.capabilities, 'payment', 'import');
}

/** What the API shows of a tenant: its ERP, switches, schedule and lane. */
export function tenantView(runner: Runner, scope: TenantScope, counts: Record<string, number>): Record<string, unknown> {
  const { manifest } = scope.runtime.connector;
  const lane = scope.runtime.laneStats();
  return {
    id: scope.config.id,
    name: scope.config.name ?? scope.config.id,
    erp: { id: manifest.id, name: manifest.displayName, version: manifest.version },
    exportsEnabled: scope.exporter.exportsEnabled,
    requiresApproval: scope.config.requireApproval.payment,
    importEveryMinutes: runner.scheduler?.importEvery(scope.config.id) ?? 0,
    importRunning: scope.importer.running,
    importable: importable(runner, scope),
    lane: { key: lane.key, queued: lane.queued, running: lane.running, throttled: lane.paused, throttlePauses: lane.throttlePauses, rateLimit: lane.rateLimit },
    counts,
  };
}
