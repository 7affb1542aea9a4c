import { ErrorCodes, LedgerlinkError, type LedgerItem } from '@ledgerlink/core';
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
    lane: { key: lane.key, queued: lane.queued, running: lane.running, throttled: lane.paused, throttlePauses: lane.throttlePauses, rateLimit: lane.rateLimit },
    counts,
  };
}
