import { h, replace } from './dom.js';
import type { LaneView, Session, TenantsView } from './types.js';

function laneText(lane: LaneView): string {
  const { requests, intervalMs, concurrency } = lane.rateLimit;
  const per = intervalMs % 1000 === 0 ? `${intervalMs / 1000} s` : `${intervalMs} ms`;
  return `rate ${requests} per ${per}, ${concurrency} at once`;
}

function laneBlock(lane: LaneView, testid: string): HTMLElement {
  return h(
    'div',
    { class: 'lane', 'data-testid': testid },
    h('div', {}, laneText(lane)),
    h(
      'div',
      {},
      `queued ${lane.queued} · in flight ${lane.running} · `,
      h('span', { class: lane.throttled ? 'throttled' : 'ok', 'data-testid': `${testid}-throttled` }, lane.throttled ? 'throttled' : 'not throttled'),
      ` · pauses ${lane.throttlePauses}`,
    ),
  );
}

/** One card per tenant: its ERP, switches, schedule and lane; "Import now" where the token allows it. */
export function renderTenants(container: Element, view: TenantsView, session: Session, onImport: (tenant: string) => void): void {
  const may = new Set(session.permissions);
  replace(
    container,
    ...view.tenants.map((tenant) =>
      h(
        'div',
        { class: 'tenant', 'data-testid': 'tenant-card', 'data-tenant': tenant.id },
        h('h3', {}, tenant.name, ' ', h('small', {}, `${tenant.erp.name} ${tenant.erp.version}`)),
        h(
          'div',
          { class: 'switches' },
          h('span', { class: tenant.exportsEnabled ? 'ok' : 'off' }, tenant.exportsEnabled ? 'exports on' : 'exports off'),
          tenant.requiresApproval ? ' · approval required' : '',
          ` · import ${tenant.importEveryMinutes > 0 ? `every ${tenant.importEveryMinutes} min` : 'on demand only'}`,
        ),
        laneBlock(tenant.lane, `lane-${tenant.id}`),
        may.has('import') && tenant.importable
          ? h(
              'button',
              { type: 'button', 'data-testid': `import-${tenant.id}`, disabled: tenant.importRunning, onclick: () => onImport(tenant.id) },
              tenant.importRunning ? 'Importing…' : 'Import paid payments now',
            )
          : null,
      ),
    ),
    view.hub === null ? null : h('div', { class: 'tenant hub' }, h('h3', {}, 'Hub'), laneBlock(view.hub.lane, 'lane-hub')),
  );
}
