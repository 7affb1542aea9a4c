import { ErrorCodes, LedgerlinkError, supports } from '@ledgerlink/core';
import { z } from 'zod';
import type { TenantScope } from '../container.js';
import type { Runner } from '../daemon.js';
import { IMPORT_SCHEDULE_CURSOR } from '../scheduler.js';
import { ScheduleBody, TenantIdParams } from './api-schemas.js';
import { route, type ApiRoute } from './route-kit.js';
import { importable, tenantView } from './runner-access.js';

function requireImportable(runner: Runner, scope: TenantScope): void {
  if (!importable(runner, scope)) {
    throw new LedgerlinkError(
      ErrorCodes.CAPABILITY_MISSING,
      `tenant ${scope.config.id} cannot import payments: it needs a hub (hub:), a hubCompanyId, and an ERP connector that imports payments (${scope.runtime.connector.manifest.id} ${supports(scope.runtime.connector.capabilities, 'payment', 'import') ? 'does' : 'does not'})`,
      { details: { tenant: scope.config.id } },
    );
  }
}

function scheduleView(runner: Runner, scope: TenantScope): Record<string, unknown> {
  return {
    tenant: scope.config.id,
    everyMinutes: runner.scheduler?.importEvery(scope.config.id) ?? 0,
    configuredEveryMinutes: scope.config.schedules.import?.everyMinutes ?? 60,
    importable: importable(runner, scope),
  };
}

function exportsRoute(runner: Runner, enabled: boolean): ApiRoute {
  const verb = enabled ? 'enable' : 'disable';
  return route({
    method: 'POST',
    url: `/tenants/:id/exports/${verb}`,
    tag: 'tenants',
    summary: `${enabled ? 'Enable' : 'Disable'} ERP exports`,
    description: enabled
      ? 'Pending payments start going to the ERP again.'
      : 'Pending payments wait (they are still recorded); calls already in flight finish. The switch is kept across restarts (the config\'s `exports.enabled` is the first default).',
    permission: 'exports',
    params: TenantIdParams,
    returns: '`{ tenant, exportsEnabled }`',
    async handler({ params, actor }) {
      const scope = runner.tenant(params.id);
      await scope.exporter.setExportsEnabled(enabled);
      scope.logger.info({ actor }, `exports ${verb}d by ${actor.id}`);
      return { tenant: scope.config.id, exportsEnabled: scope.exporter.exportsEnabled };
    },
  });
}

/** `/tenants`: lanes and switches, on-demand import, the import schedule, exports on and off. */
export function tenantRoutes(runner: Runner): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/tenants',
      tag: 'tenants',
      summary: 'List tenants',
      description: 'Each tenant with its ERP, exports switch, import schedule, record counts by state and lane (queue, in flight, throttled, rate limit); the hub\'s lane beside them.',
      permission: 'read',
      returns: '`{ tenants: Tenant[], hub: { lane } | null }`',
      async handler() {
        const counts = new Map<string, Record<string, number>>();
        for (const row of await runner.ledger.counts()) {
          counts.set(row.tenant, { ...counts.get(row.tenant), [row.state]: row.count });
        }
        const hubLane = runner.hub?.laneStats();
        return {
          tenants: [...runner.tenants.values()].map((scope) => tenantView(runner, scope, counts.get(scope.config.id) ?? {})),
          hub:
            hubLane === undefined
              ? null
              : { lane: { key: hubLane.key, queued: hubLane.queued, running: hubLane.running, throttled: hubLane.paused, throttlePauses: hubLane.throttlePauses, rateLimit: hubLane.rateLimit } },
        };
      },
    }),
    route({
      method: 'POST',
      url: '/tenants/:id/import',
      tag: 'tenants',
      summary: 'Import paid payments now',
      description: 'On-demand sync of the ERP\'s final payments into the hub\'s Payments Issued (seed 002); answers when the import ends. A second call while one runs joins it.',
      permission: 'import',
      params: TenantIdParams,
      body: z.strictObject({}).optional(),
      returns: '`{ read, written, alreadyThere, failed, errors, cursor? }`',
      async handler({ params, actor }) {
        const scope = runner.tenant(params.id);
        requireImportable(runner, scope);
        return scope.importer.run(actor);
      },
    }),
    route({
      method: 'GET',
      url: '/tenants/:id/schedule',
      tag: 'tenants',
      summary: 'Show the import schedule',
      permission: 'read',
      params: TenantIdParams,
      returns: '`{ tenant, everyMinutes, configuredEveryMinutes, importable }`',
      async handler({ params }) {
        return scheduleView(runner, runner.tenant(params.id));
      },
    }),
    route({
      method: 'PUT',
      url: '/tenants/:id/schedule',
      tag: 'tenants',
      summary: 'Change the import schedule',
      description: 'Every N minutes (0 = on demand only). Kept in the ledger, so it outlives a restart.',
      permission: 'schedule',
      params: TenantIdParams,
      body: ScheduleBody,
      returns: 'the schedule as now run',
      async handler({ params, body, actor }) {
        const scope = runner.tenant(params.id);
        requireImportable(runner, scope);
        await runner.ledger.setCursor(scope.config.id, IMPORT_SCHEDULE_CURSOR, String(body.everyMinutes));
        runner.scheduler?.setImportEvery(scope.config.id, body.everyMinutes);
        scope.logger.info({ actor, everyMinutes: body.everyMinutes }, `import schedule set to every ${body.everyMinutes} minute(s) by ${actor.id}`);
        return scheduleView(runner, scope);
      },
    }),
    exportsRoute(runner, true),
    exportsRoute(runner, false),
  ];
}
