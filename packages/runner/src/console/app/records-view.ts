import { h, money, replace, when } from './dom.js';
import type { Item, TenantsView } from './types.js';

/** The state tabs, Failed to Export first (seed 001's filter), then what waits on someone, then the rest. */
export const STATE_TABS: { state: string; label: string }[] = [
  { state: 'failed', label: 'Failed to Export' },
  { state: 'awaiting_approval', label: 'Awaiting approval' },
  { state: 'blocked', label: 'Blocked' },
  { state: 'pending', label: 'Pending' },
  { state: 'exporting', label: 'Exporting' },
  { state: 'synced', label: 'Synced' },
  { state: '', label: 'All' },
];

export interface Filter {
  state: string;
  tenant: string;
  /** '' for every entity, else `payment`, `requisition` or `vendor`. */
  entity: string;
  direction: string;
  q: string;
}

/** Draws the state tabs with their counts (for the tenant filter, when one is set). */
export function renderTabs(container: Element, filter: Filter, tenants: TenantsView | undefined, onPick: (state: string) => void): void {
  const total = (state: string): number => {
    let sum = 0;
    for (const tenant of tenants?.tenants ?? []) {
      if (filter.tenant !== '' && tenant.id !== filter.tenant) continue;
      for (const [name, count] of Object.entries(tenant.counts)) if (state === '' || name === state) sum += count;
    }
    return sum;
  };
  replace(
    container,
    ...STATE_TABS.map((tab) =>
      h(
        'button',
        {
          type: 'button',
          class: `tab${tab.state === filter.state ? ' active' : ''}${tab.state === 'failed' && total('failed') > 0 ? ' alert' : ''}`,
          'data-testid': `tab-${tab.state === '' ? 'all' : tab.state}`,
          'aria-pressed': tab.state === filter.state ? 'true' : 'false',
          onclick: () => onPick(tab.state),
        },
        tab.label,
        ' ',
        h('span', { class: 'count' }, tenants === undefined ? '' : String(total(tab.state))),
      ),
    ),
  );
}

function reason(item: Item): string {
  if (item.state === 'blocked') return item.blockedReason ?? '';
  const error = item.lastError;
  if (error === undefined) return '';
  return error.erp !== undefined ? `${error.erp.code === undefined ? '' : `${error.erp.code}: `}${error.erp.message}` : error.message;
}

/** The records table, one row per record of any entity (its summary's columns); a row click opens the record. */
export function renderRecords(body: HTMLTableSectionElement, items: Item[], selected: string | undefined, onOpen: (id: string) => void): void {
  if (items.length === 0) {
    replace(body, h('tr', {}, h('td', { colspan: 10, class: 'empty', 'data-testid': 'no-records' }, 'No records match these filters.')));
    return;
  }
  replace(
    body,
    ...items.map((item) =>
      h(
        'tr',
        {
          class: `row${item.id === selected ? ' selected' : ''}`,
          'data-testid': 'record-row',
          'data-id': item.id,
          'data-state': item.state,
          tabindex: 0,
          onclick: () => onOpen(item.id),
          onkeydown: (event: Event) => {
            if ((event as KeyboardEvent).key === 'Enter') onOpen(item.id);
          },
        },
        h('td', {}, h('span', { class: `state state-${item.state}` }, item.state.replace('_', ' '))),
        h('td', {}, item.tenant),
        h('td', { 'data-testid': 'cell-entity' }, item.summary.label),
        h('td', { 'data-testid': 'cell-vendor' }, item.summary.vendor ?? ''),
        h('td', { 'data-testid': 'cell-number' }, item.summary.number ?? ''),
        h('td', { class: 'num' }, money(item.summary.amountCents)),
        h('td', { 'data-testid': 'cell-check' }, item.summary.checkNumber ?? ''),
        h('td', {}, item.summary.bankId ?? ''),
        h('td', { class: 'reason' }, reason(item)),
        h('td', { class: 'time' }, when(item.updatedAt)),
      ),
    ),
  );
}
