/// <reference lib="dom" />
import { ApiClient, ApiProblem } from './api.js';
import { renderChart } from './chart.js';
import { renderDetail, type DetailActions } from './detail-view.js';
import { byId, h, replace } from './dom.js';
import { renderRecords, renderTabs, type Filter } from './records-view.js';
import { renderTenants } from './tenants-view.js';
import type { Item, RecordDetail, Session, TenantsView } from './types.js';

/**
 * The operator console: plain TypeScript over the runner's API with the caller's own token (kept in
 * sessionStorage, so it ends with the tab). It polls: records and lanes every few seconds, the chart less often.
 */

const TOKEN_KEY = 'ledgerlink.token';
const REFRESH_MS = 2500;
const CHART_MS = 30_000;

interface ConsoleState {
  api: ApiClient;
  session: Session;
  filter: Filter;
  items: Item[];
  nextCursor: string | undefined;
  selected: string | undefined;
  /** What the detail panel shows, so a refresh that changes nothing does not wipe what the user is typing. */
  shownDetail: string | undefined;
  tenants: TenantsView | undefined;
  /** Counts record-list requests: only the latest one's answer is shown (an older one was for another filter). */
  recordsAsked: number;
}

let state: ConsoleState | undefined;
let timers: number[] = [];

function flash(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const bar = byId('flash');
  bar.className = `flash ${kind}`;
  bar.textContent = message;
}

function problemText(error: unknown): string {
  if (error instanceof ApiProblem) {
    const field = error.problem.details?.field;
    return `${error.problem.code}: ${error.problem.message}${typeof field === 'string' && !error.problem.message.includes(field) ? ` (${field})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function attempt(what: () => Promise<void>): Promise<void> {
  try {
    await what();
  } catch (error) {
    if (error instanceof ApiProblem && (error.status === 401 || error.problem.code === 'LL_API_TOKEN_EXPIRED')) {
      logout(problemText(error));
      return;
    }
    flash(problemText(error), 'error');
  }
}

/**
 * A session that has logged out (or been replaced by another login) is stale: an answer that arrives for it
 * afterwards is dropped, so it never paints over the new session's views.
 */
function stale(current: ConsoleState): boolean {
  return state !== current;
}

async function loadRecords(current: ConsoleState, more = false): Promise<void> {
  const { state: stateFilter, tenant, entity, direction, q } = current.filter;
  current.recordsAsked += 1;
  const asked = current.recordsAsked;
  const page = await current.api.records({ state: stateFilter, tenant, entity, direction, q }, more ? current.nextCursor : undefined);
  if (stale(current) || asked !== current.recordsAsked) return;
  current.items = more ? [...current.items, ...page.items] : page.items;
  current.nextCursor = page.nextCursor;
  renderRecords(byId<HTMLTableSectionElement>('records-body'), current.items, current.selected, (id) => void openRecord(current, id));
  byId<HTMLButtonElement>('more').hidden = page.nextCursor === undefined;
}

async function loadTenants(current: ConsoleState): Promise<void> {
  const tenants = await current.api.tenants();
  if (stale(current)) return;
  current.tenants = tenants;
  renderTabs(byId('tabs'), current.filter, current.tenants, (picked) => {
    if (stale(current)) return;
    current.filter.state = picked;
    void attempt(() => refresh(current));
  });
  renderTenants(byId('tenants'), current.tenants, current.session, (tenant) => void importNow(current, tenant));
  const select = byId<HTMLSelectElement>('filter-tenant');
  if (select.options.length === 1) {
    for (const tenant of current.tenants.tenants) select.appendChild(h('option', { value: tenant.id }, tenant.name));
  }
}

async function loadChart(current: ConsoleState): Promise<void> {
  const stats = await current.api.exportStats(12, 30);
  if (!stale(current)) renderChart(byId('chart'), stats);
}

function detailKey(detail: RecordDetail): string {
  return `${detail.item.id}|${detail.item.updatedAt}|${detail.item.state}|${detail.audit.length}|${detail.attempts.length}`;
}

async function loadDetail(current: ConsoleState, force = false): Promise<void> {
  const panel = byId('detail');
  if (current.selected === undefined) {
    panel.hidden = true;
    current.shownDetail = undefined;
    return;
  }
  const detail = await current.api.record(current.selected);
  if (stale(current)) return;
  const key = detailKey(detail);
  if (!force && key === current.shownDetail) return;
  current.shownDetail = key;
  panel.hidden = false;
  renderDetail(panel, detail, current.session, detailActions(current));
}

function detailActions(current: ConsoleState): DetailActions {
  const after = async (message: string) => {
    flash(message);
    await Promise.all([loadRecords(current), loadTenants(current), loadDetail(current, true)]);
  };
  return {
    saveAndExport: (id, changes) =>
      void attempt(async () => {
        if (Object.keys(changes).length > 0) await current.api.edit(id, changes);
        await current.api.exportAgain(id);
        await after(Object.keys(changes).length > 0 ? `Saved ${Object.keys(changes).join(' and ')}; exporting again.` : 'Exporting again.');
      }),
    approve: (id) =>
      void attempt(async () => {
        await current.api.approve(id);
        await after('Approved: it goes on to the ERP.');
      }),
    reject: (id, reason) =>
      void attempt(async () => {
        await current.api.reject(id, reason);
        await after('Rejected: it goes back to its source with your reason.');
      }),
    close: () => {
      current.selected = undefined;
      void attempt(() => Promise.all([loadDetail(current), loadRecords(current)]).then(() => undefined));
    },
  };
}

async function openRecord(current: ConsoleState, id: string): Promise<void> {
  current.selected = id;
  await attempt(async () => {
    await loadDetail(current, true);
    renderRecords(byId<HTMLTableSectionElement>('records-body'), current.items, current.selected, (next) => void openRecord(current, next));
  });
}

async function importNow(current: ConsoleState, tenant: string): Promise<void> {
  flash(`Importing paid payments for ${tenant}…`);
  await attempt(async () => {
    const summary = await current.api.importNow(tenant);
    flash(`Import for ${tenant}: ${summary.read} read, ${summary.written} written to the hub, ${summary.alreadyThere} already there, ${summary.failed} to retry.`);
    await loadTenants(current);
  });
}

async function refresh(current: ConsoleState): Promise<void> {
  await Promise.all([loadRecords(current), loadTenants(current), loadDetail(current)]);
}

function startPolling(current: ConsoleState): void {
  timers.forEach((timer) => window.clearInterval(timer));
  timers = [
    window.setInterval(() => void attempt(() => refresh(current)), REFRESH_MS),
    window.setInterval(() => void attempt(() => loadChart(current)), CHART_MS),
  ];
}

function logout(message?: string): void {
  timers.forEach((timer) => window.clearInterval(timer));
  timers = [];
  state = undefined;
  sessionStorage.removeItem(TOKEN_KEY);
  // What the session showed goes with it: a tab or row left on the page would act for the old session while the
  // next one loads (a click on a stale tab set the old session's filter, and the new one opened on Failed).
  for (const id of ['tabs', 'records-body', 'tenants', 'chart', 'who']) byId(id).replaceChildren();
  byId('detail').hidden = true;
  byId('more').hidden = true;
  byId('flash').textContent = '';
  byId('app').hidden = true;
  byId('login').hidden = false;
  byId('login-error').textContent = message ?? '';
}

async function login(token: string): Promise<void> {
  const api = new ApiClient(token);
  let session: Session;
  try {
    session = await api.session();
  } catch (error) {
    logout(problemText(error));
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  const current: ConsoleState = {
    api,
    session,
    filter: { state: 'failed', tenant: '', entity: '', direction: '', q: '' },
    items: [],
    nextCursor: undefined,
    selected: undefined,
    shownDetail: undefined,
    tenants: undefined,
    recordsAsked: 0,
  };
  state = current;
  byId('login').hidden = true;
  byId('app').hidden = false;
  replace(byId('who'), `${session.subject} · ${session.role.replace('_', ' ')}${session.accountingApprover ? ' · accounting approver' : ''}`);
  await attempt(async () => {
    await Promise.all([refresh(current), loadChart(current)]);
  });
  startPolling(current);
}

function wire(): void {
  byId<HTMLFormElement>('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = byId<HTMLInputElement>('token').value.trim();
    if (token !== '') void login(token);
  });
  byId('logout').addEventListener('click', () => logout());
  const onFilter = () => {
    if (state === undefined) return;
    state.filter.tenant = byId<HTMLSelectElement>('filter-tenant').value;
    state.filter.entity = byId<HTMLSelectElement>('filter-entity').value;
    state.filter.direction = byId<HTMLSelectElement>('filter-direction').value;
    state.filter.q = byId<HTMLInputElement>('filter-q').value.trim();
    const current = state;
    void attempt(() => refresh(current));
  };
  byId<HTMLFormElement>('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    onFilter();
  });
  byId('filter-tenant').addEventListener('change', onFilter);
  byId('filter-entity').addEventListener('change', onFilter);
  byId('filter-direction').addEventListener('change', onFilter);
  byId('more').addEventListener('click', () => {
    const current = state;
    if (current !== undefined) void attempt(() => loadRecords(current, true));
  });
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved !== null) void login(saved);
}

wire();
