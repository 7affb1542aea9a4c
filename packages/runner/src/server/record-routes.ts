import type { AttemptRecord, LedgerFilter } from '@ledgerlink/core';
import type { Runner } from '../daemon.js';
import { ApiError, ApiErrorCodes } from './api-errors.js';
import { EditRecordBody, RecordIdParams, RecordsQuery, RejectBody } from './api-schemas.js';
import { itemView } from './record-summary.js';
import { route, type ApiRoute } from './route-kit.js';
import { loadItem } from './runner-access.js';

/** One attempt as the API shows it: when, and what the ERP answered, verbatim. */
function attemptView(attempt: AttemptRecord): Record<string, unknown> {
  const outcome = attempt.outcome;
  return {
    number: attempt.number,
    idempotencyKey: attempt.idempotencyKey,
    startedAt: attempt.startedAt,
    ...(attempt.finishedAt === undefined ? {} : { finishedAt: attempt.finishedAt }),
    outcome: outcome ?? null,
    // The ERP's own answer, lifted out so the console (and a curl user) need not know the outcome kinds.
    erp: outcome !== undefined && 'erp' in outcome && outcome.erp !== undefined ? outcome.erp : null,
  };
}

/** `/records`: the Failed to Export list and every other state, one record's history, edit, export again, approve, reject. */
export function recordRoutes(runner: Runner): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/records',
      tag: 'records',
      summary: 'List records',
      description:
        'Filtered by state, tenant, entity (`payment`, `requisition`, `vendor`), direction and text (vendor, invoice number, check number, vendor code); oldest first, paged by cursor. Each item carries a `summary` of the columns its entity has: `label`, `number` (invoice number; a vendor\'s code), `vendor` (a vendor\'s own name), `amountCents`, `checkNumber`, `bankId`.',
      permission: 'read',
      query: RecordsQuery,
      returns: '`{ items: (LedgerItem & { summary })[], nextCursor? }`',
      async handler({ query }) {
        const filter: LedgerFilter = {
          limit: query.limit,
          ...(query.state === undefined || query.state.length === 0 ? {} : { state: query.state }),
          ...(query.tenant === undefined ? {} : { tenant: query.tenant }),
          ...(query.entity === undefined ? {} : { entity: query.entity }),
          ...(query.direction === undefined ? {} : { direction: query.direction }),
          ...(query.q === undefined ? {} : { text: query.q }),
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        };
        try {
          const page = await runner.ledger.list(filter);
          return { ...page, items: page.items.map(itemView) };
        } catch (error) {
          // The store refuses a cursor it did not make with a TypeError that says so.
          if (error instanceof TypeError && query.cursor !== undefined) {
            throw new ApiError(ApiErrorCodes.INVALID_REQUEST, error.message, { where: 'query', field: 'cursor', issues: [{ field: 'cursor', message: error.message }] });
          }
          throw error;
        }
      },
    }),
    route({
      method: 'GET',
      url: '/records/:id',
      tag: 'records',
      summary: 'Show a record',
      description: 'The record, its audit trail (who did what) and every attempt with the ERP\'s answer as the ERP gave it.',
      permission: 'read',
      params: RecordIdParams,
      returns: '`{ item (with its summary), audit: AuditEntry[], attempts: [{ number, startedAt, finishedAt?, outcome, erp }] }`',
      async handler({ params }) {
        const item = await loadItem(runner, params.id);
        const [audit, attempts] = await Promise.all([runner.ledger.audit(item.id), runner.ledger.attempts(item.id)]);
        return { item: itemView(item), audit, attempts: attempts.map(attemptView) };
      },
    }),
    route({
      method: 'PATCH',
      url: '/records/:id',
      tag: 'records',
      summary: 'Edit a failed record',
      description: 'Only `checkNumber` and `bankId` of a payment, only while the record is `failed` (seed 001). Any other field is a 400 naming it; a requisition or vendor has no editable fields (409 `LL_LEDGER_EDIT_REFUSED`: correct it in the hub, or export it again as it is).',
      permission: 'resend',
      params: RecordIdParams,
      body: EditRecordBody,
      returns: 'the edited LedgerItem (revision bumped)',
      async handler({ params, body, actor }) {
        const item = await loadItem(runner, params.id);
        const changes: { checkNumber?: string; bankId?: string } = {};
        if (body.checkNumber !== undefined) changes.checkNumber = body.checkNumber;
        if (body.bankId !== undefined) changes.bankId = body.bankId;
        return itemView(await runner.tenant(item.tenant).exporter.edit(item.id, changes, actor));
      },
    }),
    route({
      method: 'POST',
      url: '/records/:id/export',
      tag: 'records',
      summary: 'Export a failed record again',
      description: 'Moves a `failed` record of any entity (payment, requisition, vendor) back to `pending`; the tenant\'s lane sends it. Poll `GET /records/:id` for the outcome. While the tenant requires approval, a record an approver rejected needs the approver privilege (else 403 `LL_APPROVAL_REQUIRED`).',
      permission: 'resend',
      params: RecordIdParams,
      status: 202,
      returns: 'the LedgerItem, now `pending`',
      async handler({ params, actor, principal }) {
        const item = await loadItem(runner, params.id);
        // A payment an approver rejected goes again only with an approver's say (while the tenant requires approval).
        return itemView(await runner.tenant(item.tenant).exporter.retry(item.id, actor, { approver: principal?.accountingApprover === true }));
      },
    }),
    route({
      method: 'POST',
      url: '/records/:id/approve',
      tag: 'records',
      summary: 'Approve a record for export',
      description: 'A record `awaiting_approval` goes on to the ERP.',
      permission: 'approve',
      params: RecordIdParams,
      returns: 'the LedgerItem, now `pending`',
      async handler({ params, actor }) {
        const item = await loadItem(runner, params.id);
        return itemView(await runner.tenant(item.tenant).exporter.approve(item.id, actor));
      },
    }),
    route({
      method: 'POST',
      url: '/records/:id/reject',
      tag: 'records',
      summary: 'Reject a record for export',
      description: 'A record `awaiting_approval` is not sent: it goes back to its source as `failed`, with the approver\'s reason in its last error and audit trail.',
      permission: 'approve',
      params: RecordIdParams,
      body: RejectBody,
      returns: 'the LedgerItem, now `failed`',
      async handler({ params, body, actor }) {
        const item = await loadItem(runner, params.id);
        return itemView(await runner.tenant(item.tenant).exporter.reject(item.id, body.reason, actor));
      },
    }),
  ];
}
