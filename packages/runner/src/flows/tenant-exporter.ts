import {
  ErrorCodes,
  isLedgerlinkError,
  LedgerlinkError,
  ledgerErrorOf,
  Payment,
  TOKENS,
  validateRecord,
  type Actor,
  type ConnectorRuntime,
  type EditableField,
  type ExportItem,
  type Invoice,
  type Ledger,
  type LedgerError,
  type LedgerItem,
  type Logger,
  type Outcome,
} from '@ledgerlink/core';
import { inject, injectable } from 'tsyringe';
import type { DeploymentConfig, TenantConfig } from '../config/schema.js';
import type { HubRuntime, HubSlot } from '../hub/hub-runtime.js';
import { RUNNER_TOKENS } from '../tokens.js';
import { assignCheckNumber } from './check-numbers.js';
import { SYSTEM_ACTOR, type LedgerHooks } from './ledger-hooks.js';

const HUB_ACTOR: Actor = { kind: 'hub', id: 'hub' };
/** The ledger cursor that keeps an admin's exports on/off switch across restarts (the config gives the default). */
export const EXPORTS_ENABLED_CURSOR = 'exports:enabled';
const PAGE = 500;

/**
 * What `intake` did with a payment, for the ERP Request dispatch and the CLI: `recorded` new, `reexported` (a
 * failed item asked for again: a new attempt, with the accountant's edits), `known` (nothing to do: synced, in
 * flight, waiting), `ignored` (not a valid payment record; the reason says why, for the close-out).
 */
export type IntakeResult =
  | { kind: 'recorded'; item: LedgerItem }
  | { kind: 'reexported'; item: LedgerItem; edited: EditableField[] }
  | { kind: 'known'; item: LedgerItem }
  | { kind: 'ignored'; reason: string };

/**
 * One tenant's export flow (seed 001, DESIGN "Export a payment"). A funded payment is recorded in the ledger
 * with the state its checks give it: `blocked` while its invoice is not in the ERP, `failed` when the connector
 * refuses it before any call (partial payment, tax, markups), `awaiting_approval` where the customer requires
 * approval, else `pending`. Pending payments are sent through the tenant's lane, a bounded number at a time;
 * the ledger is written before and after each call (LedgerHooks), so whatever happens mid-call is recovered.
 */
@injectable()
export class TenantExporter {
  readonly #inFlight = new Set<string>();
  readonly #closing = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #draining: Promise<void> | undefined;
  #again = false;
  #enabled: boolean;
  #recovered = false;

  constructor(
    @inject(TOKENS.tenant) readonly tenant: string,
    @inject(RUNNER_TOKENS.tenantConfig) private readonly config: TenantConfig,
    @inject(RUNNER_TOKENS.deployment) private readonly deployment: DeploymentConfig,
    @inject(TOKENS.runtime) private readonly runtime: ConnectorRuntime,
    @inject(TOKENS.ledger) private readonly ledger: Ledger,
    @inject(RUNNER_TOKENS.hub) private readonly hubSlot: HubSlot,
    @inject(TOKENS.logger) private readonly logger: Logger,
    @inject(RUNNER_TOKENS.ledgerHooks) private readonly hooks: LedgerHooks,
  ) {
    this.#enabled = config.exports.enabled;
  }

  private get hub(): HubRuntime | null {
    return this.hubSlot.runtime;
  }

  get exportsEnabled(): boolean {
    return this.#enabled;
  }

  /** Switches exports on or off (an admin's decision, kept in the ledger across restarts): pending payments wait while off. */
  async setExportsEnabled(enabled: boolean): Promise<void> {
    await this.ledger.setCursor(this.tenant, EXPORTS_ENABLED_CURSOR, String(enabled));
    this.#enabled = enabled;
    this.logger.info({ enabled }, enabled ? 'exports enabled' : 'exports disabled: pending payments wait');
    if (enabled) this.kick();
  }

  inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Records a funded payment from the hub (webhook or poll). A payment the ledger already has is not recorded
   * twice; a blocked one whose invoice has since reached the ERP is unblocked.
   */
  async intake(raw: unknown, actor: Actor = HUB_ACTOR): Promise<IntakeResult> {
    const sourceId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : '(no id)';
    const valid = validateRecord(Payment, raw, sourceId);
    if (!valid.ok) {
      const reason = valid.errors.map((error) => `${error.field}: ${error.message}`).join('; ');
      this.logger.warn({ paymentId: sourceId, errors: valid.errors }, `payment ${sourceId} from the hub is not a valid payment record: ${reason}`);
      return { kind: 'ignored', reason: `payment ${sourceId} is not a valid payment record: ${reason}` };
    }
    const payment = valid.value;
    if (payment.status !== 'funding_complete' && payment.status !== 'paid') {
      return { kind: 'ignored', reason: `payment ${payment.id} is "${payment.status}", not funding_complete: it is exported once funded` };
    }
    const existing = await this.ledger.getBySource(this.tenant, 'payment', 'export', payment.id);
    if (existing !== undefined) return this.again(existing, payment, actor);

    const record = await assignCheckNumber(payment, this.config, this.ledger, this.tenant);
    const gate = this.gate(record);
    const { item, created } = await this.ledger.upsert(
      {
        tenant: this.tenant,
        entity: 'payment',
        direction: 'export',
        sourceId: payment.id,
        record: record as unknown as Record<string, unknown>,
        ...(gate.state === 'failed' ? {} : { state: gate.state }),
        ...(gate.state === 'blocked' ? { blockedReason: gate.reason } : {}),
      },
      actor,
    );
    if (!created) return { kind: 'known', item };
    let current = item;
    if (gate.state === 'failed') {
      current = await this.ledger.transition(item.id, { from: ['pending'], to: 'failed', action: 'refused', lastError: gate.error }, SYSTEM_ACTOR);
    }
    this.logger.info({ itemId: item.id, paymentId: payment.id, state: current.state }, `payment ${payment.id} recorded as ${current.state}`);
    if (current.state === 'pending') this.kick();
    return { kind: 'recorded', item: current };
  }

  /**
   * The hub asks again for a payment the ledger has (Procore: the accountant edited a failed payment and pressed
   * Export, or a request was repeated). Synced: nothing is sent. Failed: the edited Check Number / Bank ID are
   * applied through the ledger's edit rules and the item is exported again (a new attempt under a new key, the same
   * item: never a second record); a payment an approver rejected goes back to the approver instead. Blocked: its
   * invoice is checked again. In flight or waiting: nothing to do.
   */
  private async again(existing: LedgerItem, payment: Payment, actor: Actor): Promise<IntakeResult> {
    if (existing.state === 'blocked' && payment.invoice.erpId !== undefined) await this.unblock(existing, payment.invoice);
    if (existing.state !== 'failed') return { kind: 'known', item: (await this.ledger.get(existing.id)) ?? existing };
    const before = existing.record as unknown as Payment;
    const changes: Partial<Record<EditableField, string>> = {};
    if (payment.checkNumber !== undefined && payment.checkNumber !== before.checkNumber) changes.checkNumber = payment.checkNumber;
    if (payment.bankId !== before.bankId) changes.bankId = payment.bankId;
    const edited = Object.keys(changes) as EditableField[];
    try {
      if (edited.length > 0) await this.ledger.edit(existing.id, changes, actor);
      let item = await this.ledger.transition(existing.id, { from: ['failed'], to: 'pending', action: 're-export', detail: { requestedBy: 'hub', edited } }, actor);
      if (this.config.requireApproval.payment && (await this.rejectedByApprover(existing.id))) {
        item = await this.ledger.transition(item.id, { from: ['pending'], to: 'awaiting_approval', action: 'awaits approval', detail: { reason: 'rejected by an approver before' } }, SYSTEM_ACTOR);
      }
      this.logger.info({ itemId: item.id, paymentId: payment.id, edited, state: item.state }, `payment ${payment.id} asked for again: ${item.state}`);
      this.kick();
      return { kind: 'reexported', item, edited };
    } catch (error) {
      // Another delivery of the same request moved it first: it is on its way.
      if (!(isLedgerlinkError(error) && error.code === ErrorCodes.LEDGER_TRANSITION)) throw error;
      return { kind: 'known', item: (await this.ledger.get(existing.id)) ?? existing };
    }
  }

  /** True when the item's last approval decision was a rejection. */
  async rejectedByApprover(id: string): Promise<boolean> {
    const decisions = (await this.ledger.audit(id)).filter((entry) => entry.action === 'rejected by approver' || entry.action === 'approved');
    return decisions.at(-1)?.action === 'rejected by approver';
  }

  /** The checks before a payment may go, in the seed's order. */
  private gate(payment: Payment): { state: 'pending' | 'awaiting_approval' } | { state: 'blocked'; reason: string } | { state: 'failed'; error: LedgerError } {
    if (payment.invoice.erpId === undefined) {
      return {
        state: 'blocked',
        reason: `invoice ${payment.invoice.number} is not in ${this.runtime.connector.manifest.displayName} yet: sync the invoice first; the payment goes on by itself once it is`,
      };
    }
    const refusal = this.runtime.preflight(payment);
    if (refusal !== null) {
      const error = ledgerErrorOf(refusal);
      if (error !== undefined) return { state: 'failed', error };
    }
    return { state: this.config.requireApproval.payment ? 'awaiting_approval' : 'pending' };
  }

  /** A blocked payment's invoice reached the ERP: the record takes the invoice's ERP id and goes on. */
  private async unblock(item: LedgerItem, invoice: Pick<Invoice, 'erpId'>): Promise<void> {
    const record = { ...item.record, invoice: { ...(item.record.invoice as Record<string, unknown>), erpId: invoice.erpId } };
    const payment = record as unknown as Payment;
    const gate = this.gate(payment);
    try {
      if (gate.state === 'failed') {
        await this.ledger.transition(item.id, { from: ['blocked'], to: 'failed', action: 'unblocked', record, lastError: gate.error }, SYSTEM_ACTOR);
      } else if (gate.state === 'blocked') {
        return;
      } else {
        // blocked -> awaiting_approval is not a move the state machine has: go through pending.
        await this.ledger.transition(item.id, { from: ['blocked'], to: 'pending', action: 'unblocked', record, detail: { invoiceErpId: invoice.erpId } }, SYSTEM_ACTOR);
        if (gate.state === 'awaiting_approval') {
          await this.ledger.transition(item.id, { from: ['pending'], to: 'awaiting_approval', action: 'awaits approval' }, SYSTEM_ACTOR);
        }
      }
      this.logger.info({ itemId: item.id, invoiceErpId: invoice.erpId }, `payment ${item.sourceId} unblocked: its invoice is in the ERP`);
      this.kick();
    } catch (error) {
      // Someone else moved it first (another delivery of the same event): nothing to do.
      if (!(isLedgerlinkError(error) && error.code === ErrorCodes.LEDGER_TRANSITION)) throw error;
    }
  }

  /**
   * Asks the hub again about every blocked payment's invoice: the ERP Platform sends no "invoice synced" event, so
   * this runs on the hub schedule; a requisition with an `origin_id` is in the ERP.
   */
  async recheckBlocked(only: (invoiceId: string) => boolean = () => true): Promise<number> {
    if (this.hub === null || this.config.hubCompanyId === undefined) return 0;
    const byInvoice = new Map<string, LedgerItem[]>();
    for await (const item of this.items('blocked', 'export')) {
      const invoiceId = String((item.record.invoice as { id?: unknown } | undefined)?.id ?? '');
      if (invoiceId === '' || !only(invoiceId)) continue;
      byInvoice.set(invoiceId, [...(byInvoice.get(invoiceId) ?? []), item]);
    }
    let unblocked = 0;
    for (const [invoiceId, items] of byInvoice) {
      const invoice = await this.hub.client.invoice(this.config.hubCompanyId, invoiceId, { signal: this.#closing.signal });
      if (invoice?.erpId === undefined) continue;
      for (const item of items) {
        await this.unblock(item, invoice);
        unblocked += 1;
      }
    }
    return unblocked;
  }

  /** Approves a payment awaiting approval: it goes on to the ERP. */
  async approve(id: string, actor: Actor): Promise<LedgerItem> {
    const item = await this.ledger.transition(id, { from: ['awaiting_approval'], to: 'pending', action: 'approved' }, actor);
    this.kick();
    return item;
  }

  /** Rejects a payment awaiting approval, with the approver's reason: it fails and is not sent. */
  async reject(id: string, reason: string, actor: Actor): Promise<LedgerItem> {
    return this.ledger.transition(
      id,
      {
        from: ['awaiting_approval'],
        to: 'failed',
        action: 'rejected by approver',
        detail: { reason },
        lastError: { code: ErrorCodes.ERP_REJECTED, kind: 'rejected', message: `rejected by ${actor.id}: ${reason}` },
      },
      actor,
    );
  }

  /** Edits the check number and/or bank ID of a failed payment (seed 001: the only editable fields). */
  async edit(id: string, changes: Partial<Record<EditableField, string>>, actor: Actor): Promise<LedgerItem> {
    return this.ledger.edit(id, changes, actor);
  }

  /**
   * Exports a failed payment again (after an edit, or as it is). While the tenant requires approval, a payment an
   * approver rejected is exported again only by an approver (`approver`): anyone else is refused.
   */
  async retry(id: string, actor: Actor, options: { approver?: boolean } = {}): Promise<LedgerItem> {
    if (this.config.requireApproval.payment && options.approver !== true && (await this.rejectedByApprover(id))) {
      throw new LedgerlinkError(
        ErrorCodes.APPROVAL_REQUIRED,
        `item ${id} was rejected by an accounting approver and tenant ${this.tenant} requires approval: only an accounting approver may export it again`,
        { disposition: 'rejected' },
      );
    }
    const item = await this.ledger.transition(id, { from: ['failed'], to: 'pending', action: 're-export' }, actor);
    this.kick();
    return item;
  }

  /** Starts sending pending payments (again): cheap to call often; one drain runs at a time. */
  kick(): void {
    if (this.#closing.signal.aborted || !this.#recovered) return;
    if (this.#draining !== undefined) {
      this.#again = true;
      return;
    }
    this.#draining = (async () => {
      try {
        do {
          this.#again = false;
          await this.drainOnce();
        } while (this.#again && !this.#closing.signal.aborted);
      } catch (error) {
        this.logger.error({ err: error }, 'reading pending payments from the ledger failed; trying again at the next kick');
      } finally {
        this.#draining = undefined;
      }
    })();
  }

  private async drainOnce(): Promise<void> {
    if (!this.#enabled) return;
    const room = this.deployment.runner.maxInFlight - this.#inFlight.size;
    if (room <= 0) return;
    const batch: LedgerItem[] = [];
    for await (const item of this.items('pending', 'export')) {
      if (this.#inFlight.has(item.id)) continue;
      batch.push(item);
      if (batch.length >= room) break;
    }
    if (batch.length > 0) this.launch(batch, false);
  }

  /**
   * Sends items through the runtime without waiting for them here: the lane paces the calls. `mayBeCommitted`
   * says an earlier attempt may have reached the ERP (a recovery): the engine looks before it writes again.
   */
  private launch(items: LedgerItem[], mayBeCommitted: boolean): void {
    for (const item of items) this.#inFlight.add(item.id);
    const exportItems: ExportItem[] = items.map((item) => ({
      id: item.id,
      idempotencyKey: item.idempotencyKey,
      record: item.record as unknown as Payment,
      ...(mayBeCommitted ? { mayBeCommitted: true } : {}),
    }));
    const self: { run?: Promise<void> } = {};
    const run = (async () => {
      try {
        const outcomes = await this.runtime.exportPayments(exportItems, { signal: this.#closing.signal });
        await Promise.all(items.map((item, index) => this.settleRefusal(item, outcomes[index])));
      } catch (error) {
        // A ledger write failed: the engine stopped; what it sent is in the ledger as an open attempt.
        this.logger.error({ err: error, items: items.length }, 'export stopped: the ledger could not be written; the items are recovered later');
      } finally {
        for (const item of items) this.#inFlight.delete(item.id);
        if (self.run !== undefined) this.#running.delete(self.run);
        this.kick();
      }
    })();
    self.run = run;
    this.#running.add(run);
  }

  /** A refusal before any call (no attempt was written): the item leaves `pending` for `failed`. */
  private async settleRefusal(item: LedgerItem, outcome: Outcome | undefined): Promise<void> {
    if (outcome === undefined || outcome.kind === 'synced' || outcome.kind === 'accepted' || outcome.kind === 'retryable') return;
    const current = await this.ledger.get(item.id);
    if (current?.state !== 'pending') return;
    const error = ledgerErrorOf(outcome);
    await this.ledger.transition(item.id, { from: ['pending'], to: 'failed', action: 'refused', ...(error === undefined ? {} : { lastError: error }) }, SYSTEM_ACTOR);
  }

  /**
   * Settles what an earlier run left `exporting` (a crash, a lost answer, retries given up, a write the ERP
   * queued): before anything new is sent at start, and on the recovery schedule after. An ERP's queued write
   * is looked up; anything else is sent again as "may be committed", so the engine finds an earlier commit
   * (lookup) or the ERP replays it (native key) instead of posting twice.
   */
  async recover(): Promise<{ settled: number; resent: number }> {
    const stored = await this.ledger.getCursor(this.tenant, EXPORTS_ENABLED_CURSOR);
    if (stored !== undefined) this.#enabled = stored === 'true';
    let settled = 0;
    const resend: LedgerItem[] = [];
    for await (const item of this.items('exporting', 'export')) {
      if (this.#inFlight.has(item.id)) continue;
      const last = (await this.ledger.attempts(item.id)).at(-1);
      if (last?.outcome?.kind === 'accepted') {
        if (await this.settleAccepted(item)) settled += 1;
      } else resend.push(item);
    }
    for (let i = 0; i < resend.length; i += this.deployment.runner.maxInFlight) {
      const chunk = resend.slice(i, i + this.deployment.runner.maxInFlight);
      this.launch(chunk, true);
      await this.idle();
    }
    this.#recovered = true;
    if (resend.length > 0 || settled > 0) this.logger.info({ settled, resent: resend.length }, 'recovered exports left in flight');
    this.kick();
    return { settled, resent: resend.length };
  }

  /** Looks up payments the ERP has queued (`accepted`): the settle schedule. */
  async settleQueued(): Promise<number> {
    let settled = 0;
    for await (const item of this.items('exporting', 'export')) {
      if (this.#inFlight.has(item.id)) continue;
      const last = (await this.ledger.attempts(item.id)).at(-1);
      if (last?.outcome?.kind === 'accepted' && (await this.settleAccepted(item))) settled += 1;
    }
    return settled;
  }

  /** One queued payment: the ERP's answer is written as an attempt once it has one; `null` sends it again. */
  private async settleAccepted(item: LedgerItem): Promise<boolean> {
    this.#inFlight.add(item.id);
    let resent = false;
    try {
      const exportItem: ExportItem = { id: item.id, idempotencyKey: item.idempotencyKey, record: item.record as unknown as Payment };
      const found = await this.runtime.settle(exportItem, { signal: this.#closing.signal });
      if (found === null) {
        // The ERP has no trace of the queued write: send it again (the engine looks once more first).
        this.#inFlight.delete(item.id);
        resent = true;
        this.launch([item], true);
        return false;
      }
      if (found.kind === 'accepted') return false;
      await this.hooks.record(exportItem, found);
      return true;
    } catch (error) {
      this.logger.warn({ err: error, itemId: item.id }, `looking up queued payment ${item.sourceId} failed; trying again later`);
      return false;
    } finally {
      if (!resent) this.#inFlight.delete(item.id);
    }
  }

  /** Resolves when nothing this exporter launched is still running. */
  async idle(): Promise<void> {
    while (this.#running.size > 0 || this.#draining !== undefined) {
      await Promise.race([...this.#running, this.#draining].filter((p) => p !== undefined));
    }
  }

  /**
   * Stops sending: no new attempt starts; calls in flight get `graceMs` to finish, then are cancelled (the
   * ledger keeps them `exporting`, recovered at the next start).
   */
  async stop(graceMs: number): Promise<void> {
    this.#recovered = false;
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    const finished = await Promise.race([this.idle().then(() => 'idle' as const), timer]);
    if (finished === 'timeout') {
      this.logger.warn({ inFlight: this.#inFlight.size }, 'calls still in flight at shutdown: cancelling them; they are recovered at the next start');
    }
    this.#closing.abort();
    await this.idle();
  }

  /** Every item of this tenant in a state, page by page. */
  private async *items(state: LedgerItem['state'], direction: 'export' | 'import'): AsyncGenerator<LedgerItem> {
    let cursor: string | undefined;
    do {
      const page = await this.ledger.list({ tenant: this.tenant, direction, state, limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
}
