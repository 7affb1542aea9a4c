import { h, money, replace, when } from './dom.js';
import type { RecordDetail, Session } from './types.js';

/** What the detail panel can ask for. */
export interface DetailActions {
  saveAndExport(id: string, changes: { checkNumber?: string; bankId?: string }): void;
  approve(id: string): void;
  reject(id: string, reason: string): void;
  close(): void;
}

function field(label: string, value: string | undefined): HTMLElement {
  return h('div', { class: 'field' }, h('span', { class: 'label' }, label), h('span', { class: 'value' }, value ?? '—'));
}

function compact(detail: Record<string, unknown> | undefined): string {
  if (detail === undefined) return '';
  return Object.entries(detail)
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('; ');
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A failed requisition or vendor: nothing is edited here (its fields come from the hub); it is exported again as it is. */
function exportAgainForm(detail: RecordDetail, actions: DetailActions): HTMLElement {
  const { item } = detail;
  return h(
    'div',
    { class: 'edit', 'data-testid': 'export-again' },
    h('h3', {}, 'Export again'),
    h('p', {}, `Correct the ${item.summary.label.toLowerCase()} in the hub or in the ERP if needed, then export it again.`),
    h('button', { type: 'button', class: 'primary', 'data-testid': 'save-export', onclick: () => actions.saveAndExport(item.id, {}) }, 'Export'),
  );
}

/** The edit form of a failed payment: only check number and bank ID (seed 001), then export again. */
function editForm(detail: RecordDetail, actions: DetailActions): HTMLElement {
  const { item } = detail;
  const editable = new Set(item.lastError?.editableFields ?? []);
  const check = h('input', { id: 'edit-check', 'data-testid': 'edit-checkNumber', value: item.record.checkNumber ?? '', autocomplete: 'off', class: editable.has('checkNumber') ? 'suspect' : '' });
  const bank = h('input', { id: 'edit-bank', 'data-testid': 'edit-bankId', value: item.record.bankId ?? '', autocomplete: 'off', class: editable.has('bankId') ? 'suspect' : '' });
  const submit = (event: Event) => {
    event.preventDefault();
    const changes: { checkNumber?: string; bankId?: string } = {};
    if (check.value.trim() !== (item.record.checkNumber ?? '')) changes.checkNumber = check.value.trim();
    if (bank.value.trim() !== (item.record.bankId ?? '')) changes.bankId = bank.value.trim();
    actions.saveAndExport(item.id, changes);
  };
  return h(
    'form',
    { class: 'edit', 'data-testid': 'edit-form', onsubmit: submit },
    h('h3', {}, 'Fix and export again'),
    h('label', { for: 'edit-check' }, 'Check number'),
    check,
    h('label', { for: 'edit-bank' }, 'Bank ID'),
    bank,
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'save-export' }, 'Export'),
  );
}

function approvalForm(detail: RecordDetail, actions: DetailActions): HTMLElement {
  const reason = h('input', { id: 'reject-reason', 'data-testid': 'reject-reason', placeholder: 'Reason (needed to reject)', autocomplete: 'off' });
  return h(
    'div',
    { class: 'approval' },
    h('h3', {}, 'Accounting approval'),
    h('button', { type: 'button', class: 'primary', 'data-testid': 'approve', onclick: () => actions.approve(detail.item.id) }, 'Approve'),
    reason,
    h('button', { type: 'button', 'data-testid': 'reject', onclick: () => actions.reject(detail.item.id, reason.value) }, 'Reject'),
  );
}

/** One record: its fields, last error as ledgerlink and the ERP said it, the actions the token allows, attempts and history. */
export function renderDetail(panel: HTMLElement, detail: RecordDetail, session: Session, actions: DetailActions): void {
  const { item } = detail;
  const may = new Set(session.permissions);
  const error = item.lastError;
  replace(
    panel,
    h(
      'header',
      {},
      h('h2', { 'data-testid': 'detail-title' }, `${item.summary.label} ${item.sourceId}`),
      h('span', { class: `state state-${item.state}`, 'data-testid': 'detail-state' }, item.state.replace('_', ' ')),
      h('button', { type: 'button', class: 'close', 'aria-label': 'Close', onclick: () => actions.close() }, '×'),
    ),
    h(
      'div',
      { class: 'fields' },
      field('Tenant', item.tenant),
      field('Direction', item.direction),
      field('Vendor', item.summary.vendor),
      field(item.entity === 'vendor' ? 'Code' : 'Invoice', item.summary.number),
      ...(item.entity === 'vendor' ? [] : [field('Amount', money(item.summary.amountCents))]),
      ...(item.entity === 'payment' ? [field('Check number', item.summary.checkNumber), field('Bank ID', item.summary.bankId)] : []),
      field('ERP id', item.targetId),
      field('Revision', String(item.revision)),
      field('Recorded', when(item.createdAt)),
    ),
    item.blockedReason === undefined ? null : h('p', { class: 'notice' }, item.blockedReason),
    error === undefined
      ? null
      : h(
          'div',
          { class: 'error', 'data-testid': 'last-error' },
          h('div', {}, h('strong', {}, error.code), ' ', error.message),
          error.erp === undefined
            ? null
            : h('div', { class: 'erp', 'data-testid': 'erp-answer' }, 'The ERP said: ', h('q', {}, `${error.erp.code === undefined ? '' : `${error.erp.code}: `}${error.erp.message}`)),
        ),
    item.state === 'failed' && may.has('resend') ? (item.entity === 'payment' ? editForm(detail, actions) : exportAgainForm(detail, actions)) : null,
    item.state === 'awaiting_approval' && may.has('approve') ? approvalForm(detail, actions) : null,
    h('h3', {}, `Attempts (${detail.attempts.length})`),
    h(
      'table',
      { class: 'mini', 'data-testid': 'attempts' },
      h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Started'), h('th', {}, 'Outcome'), h('th', {}, 'ERP answer'))),
      h(
        'tbody',
        {},
        ...detail.attempts.map((attempt) =>
          h(
            'tr',
            {},
            h('td', {}, String(attempt.number)),
            h('td', {}, when(attempt.startedAt)),
            h('td', {}, attempt.outcome === null ? 'in flight' : `${attempt.outcome.kind}${attempt.outcome.code === undefined ? '' : ` (${attempt.outcome.code})`}`),
            h('td', {}, attempt.erp === null ? (attempt.outcome?.erpId === undefined ? '' : `ERP id ${attempt.outcome.erpId}`) : `${attempt.erp.code === undefined ? '' : `${attempt.erp.code}: `}${attempt.erp.message}`),
          ),
        ),
      ),
    ),
    h('h3', {}, 'History'),
    h(
      'ol',
      { class: 'history', 'data-testid': 'history' },
      ...detail.audit.map((entry) =>
        h(
          'li',
          {},
          h('span', { class: 'time' }, when(entry.at)),
          ' ',
          h('strong', {}, entry.action),
          ` by ${entry.actor.id} `,
          h('span', { class: 'audit-detail', title: compact(entry.detail) }, shorten(compact(entry.detail), 160)),
        ),
      ),
    ),
  );
}
