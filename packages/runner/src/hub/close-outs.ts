import type { CloseOut, EditableField, LedgerItem } from '@ledgerlink/core';

/** How Procore's tool (and the seeds) name the fields an accountant may edit on a failed payment. */
const FIELD_LABELS: Record<EditableField, string> = { checkNumber: 'Check Number', bankId: 'Bank ID' };

/**
 * The close-out a contract payment's Request Detail gets from its ledger item: what the accountant sees in
 * Procore's ERP tool. `undefined` while the item is on its way (pending, exporting): nothing to say yet.
 *
 * - synced: success, no messages (the origin_id is written with External Data first);
 * - failed: failed, with the ERP's own words first, then what to change ("Check Number", "Bank ID") and what to do;
 * - blocked / awaiting approval: in_progress, with why it waits (the request stays open; it goes on by itself).
 */
export function closeOutFor(item: LedgerItem, erpName: string): CloseOut | undefined {
  switch (item.state) {
    case 'synced':
      return { status: 'success', messages: [] };
    case 'failed': {
      const error = item.lastError;
      const messages: string[] = [];
      if (error?.erp !== undefined) {
        const code = error.erp.code === undefined ? '' : ` (${error.erp.code})`;
        messages.push(`${erpName} said${code}: ${error.erp.message}${error.erp.detail === undefined ? '' : ` ${error.erp.detail}`}`);
      }
      if (error !== undefined && (error.erp === undefined || error.message !== error.erp.message)) messages.push(error.message);
      const fields = error?.editableFields ?? [];
      if (fields.length > 0) {
        messages.push(`Change ${fields.map((field) => FIELD_LABELS[field]).join(' or ')} on this payment and export it again.`);
      } else if (messages.length === 0) {
        messages.push(`The payment was not exported to ${erpName}; no reason was recorded.`);
      }
      return { status: 'failed', messages };
    }
    case 'blocked':
      return { status: 'in_progress', messages: [item.blockedReason ?? `waiting: the invoice is not in ${erpName} yet`] };
    case 'awaiting_approval':
      return {
        status: 'in_progress',
        messages: ['Waiting for an accounting approver in ledgerlink (this company requires approval before export); it is exported once approved.'],
      };
    default:
      return undefined;
  }
}

/** True for the statuses after which Procore expects nothing more of the request. */
export function isFinal(closeOut: CloseOut | undefined): boolean {
  return closeOut !== undefined && closeOut.status !== 'in_progress';
}

/** Same status and messages: an in_progress note already sent is not sent again. */
export function sameCloseOut(a: CloseOut | undefined, b: CloseOut): boolean {
  return a !== undefined && a.status === b.status && a.messages.length === b.messages.length && a.messages.every((message, i) => message === b.messages[i]);
}
