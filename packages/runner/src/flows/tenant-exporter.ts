import {
  ENTITY_DEFINITIONS,
  ErrorCodes,
  isLedgerlinkError,
  LedgerlinkError,
  ledgerErrorOf,
  TOKENS,
  validateRecord,
  type Actor,
  type ConnectorRuntime,
  type EditableField,
  type Entity,
  type Ledger,
  type LedgerError,
  type LedgerFilter,
  type LedgerItem,
  type Logger,
  type Outcome,
  type Payment,
  type RecordExportItem,
} from '@ledgerlink/core';
import { inject, injectable } from 'tsyringe';
import type { DeploymentConfig, TenantConfig } from '../config/schema.js';
import type { HubRuntime, HubSlot } from '../hub/hub-runtime.js';
import { RUNNER_TOKENS } from '../tokens.js';
import { exportPolicyOf, type ExportPolicy } from './export-policy.js';
import { SYSTEM_ACTOR, type LedgerHooks } from './ledger-hooks.js';

const HUB_ACTOR: Actor = { kind: 'hub', id: 'hub' };
/** The ledger cursor that keeps an admin's exports on/off switch across restarts (the config gives the default). */
export const EXPORTS_ENABLED_CURSOR = 'exports:enabled';
const PAGE = 500;
/** The entities some other entity waits for (its definition names them as prerequisites). */
const DEPENDED_ON: ReadonlySet<Entity> = new Set(Object.values(ENTITY_DEFINITIONS).flatMap((definition) => definition.prerequisites.map((prerequisite) => prerequisite.entity)));

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
  /**
   * Items this process moved to `pending` (or found there), oldest first: what the next drain sends. The ledger stays
   * the truth; the queue only spares listing pending rows per kick. An item is queued with the value the committed write
   * that moved it to `pending` returned, and sent as it is: nothing changes a pending item's record or key (only an
   * attempt or a refusal moves it on, and `beginAttempt` refuses an item that is no longer pending). One found by a
   * listing, or queued by its id alone, is read again before it goes.
   */
  readonly #pending = new Map<string, LedgerItem | undefined>();
  readonly #policies = new Map<Entity, ExportPolicy>();
  readonly #closing = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #draining: Promise<void> | undefined;
  #again = false;
  #enabled: boolean;
  #recovered = false;
  /** Epoch ms before which nothing left `exporting` is sent again (a previous holder's calls may be in flight). */
  #resendNotBefore = 0;

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

  /** Records a funded payment from the hub (webhook or poll): `intakeRecord('payment', …)`. */
  intake(raw: unknown, actor: Actor = HUB_ACTOR): Promise<IntakeResult> {
    return this.intakeRecord('payment', raw, actor);
  }

  /**
   * Records a record of any entity from the hub, keyed by its hub id (`definition.sourceIdOf`): validated
   * against the entity's export model, prepared and gated by its policy and prerequisites. A record the ledger
   * already has is not recorded twice; a blocked one whose prerequisite has since reached the ERP is unblocked.
   */
  async intakeRecord(entity: Entity, raw: unknown, actor: Actor = HUB_ACTOR): Promise<IntakeResult> {
    const definition = ENTITY_DEFINITIONS[entity];
    const { label } = definition;
    const rawId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : '(no id)';
    if (definition.exportModel === undefined) return { kind: 'ignored', reason: `${label} ${rawId}: ledgerlink does not export ${label}s` };
    const valid = validateRecord(definition.exportModel, raw, rawId);
    if (!valid.ok) {
      const reason = valid.errors.map((error) => `${error.field}: ${error.message}`).join('; ');
      this.logger.warn({ entity, sourceId: rawId, errors: valid.errors }, `${label} ${rawId} from the hub is not a valid ${label} record: ${reason}`);
      return { kind: 'ignored', reason: `${label} ${rawId} is not a valid ${label} record: ${reason}` };
    }
    const policy = this.policy(entity);
    const sourceId = definition.sourceIdOf(valid.value);
    const ignored = policy.ignore(valid.value);
    if (ignored !== null) return { kind: 'ignored', reason: ignored };
    const existing = await this.ledger.getBySource(this.tenant, entity, 'export', sourceId);
    if (existing !== undefined) return this.again(existing, valid.value, actor);

    const record = await policy.prepare(valid.value);
    const gate = this.gate(entity, record);
    const { item, created } = await this.ledger.upsert(
      {
        tenant: this.tenant,
        entity,
        direction: 'export',
        sourceId,
        record: record as Record<string, unknown>,
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
    this.logger.info({ itemId: item.id, entity, sourceId, state: current.state }, `${label} ${sourceId} recorded as ${current.state}`);
    if (current.state === 'pending') this.kick(current);
    else if (current.state === 'blocked') {
      await this.recheckItem(current);
      // The re-check may have moved it on (unblocked, or failed): the caller closes out on what it says now.
      current = (await this.ledger.get(current.id)) ?? current;
    }
    return { kind: 'recorded', item: current };
  }

  private policy(entity: Entity): ExportPolicy {
    let policy = this.#policies.get(entity);
    if (policy === undefined) {
      policy = exportPolicyOf(entity, this.runtime, this.config, this.ledger, this.tenant);
      this.#policies.set(entity, policy);
    }
    return policy;
  }

  /**
   * The hub asks again for a record the ledger has (Procore: the accountant edited a failed payment and pressed
   * Export, or a request was repeated). Synced: nothing is sent. Failed: the edited fields a payment allows (Check
   * Number / Bank ID) are applied through the ledger's edit rules and the item is exported again (a new attempt
   * under a new key, the same item: never a second record); a payment an approver rejected goes back to the
   * approver instead. Blocked: its prerequisites are checked again. In flight or waiting: nothing to do.
   */
  private async again(existing: LedgerItem, record: unknown, actor: Actor): Promise<IntakeResult> {
    if (existing.state === 'blocked') await this.unblockFrom(existing, record);
    if (existing.state !== 'failed') return { kind: 'known', item: (await this.ledger.get(existing.id)) ?? existing };
    const changes: Partial<Record<EditableField, string>> = {};
    if (existing.entity === 'payment') {
      const before = existing.record as unknown as Payment;
      const payment = record as Payment;
      if (payment.checkNumber !== undefined && payment.checkNumber !== before.checkNumber) changes.checkNumber = payment.checkNumber;
      if (payment.bankId !== before.bankId) changes.bankId = payment.bankId;
    }
    const edited = Object.keys(changes) as EditableField[];
    try {
      if (edited.length > 0) await this.ledger.edit(existing.id, changes, actor);
      const freshKey = await this.keyWasSent(existing.id);
      // One move, decided first: through pending, a drain could start a payment an approver rejected before it
      // reached awaiting_approval, and send it to the ERP past the approver.
      const toApprover = this.policy(existing.entity).requiresApproval && (await this.rejectedByApprover(existing.id));
      const item = await this.ledger.transition(
        existing.id,
        toApprover
          ? { from: ['failed'], to: 'awaiting_approval', action: 're-export', detail: { requestedBy: 'hub', edited, reason: 'rejected by an approver before' }, freshKey }
          : { from: ['failed'], to: 'pending', action: 're-export', detail: { requestedBy: 'hub', edited }, freshKey },
        actor,
      );
      this.logger.info({ itemId: item.id, entity: existing.entity, sourceId: existing.sourceId, edited, state: item.state }, `${existing.entity} ${existing.sourceId} asked for again: ${item.state}`);
      this.kick(item);
      return { kind: 'reexported', item, edited };
    } catch (error) {
      // Another delivery of the same request moved it first: it is on its way.
      if (!(isLedgerlinkError(error) && error.code === ErrorCodes.LEDGER_TRANSITION)) throw error;
      return { kind: 'known', item: (await this.ledger.get(existing.id)) ?? existing };
    }
  }

  /**
   * Whether the item's current idempotency key already went to the ERP (its last attempt used it): a re-export then
   * takes a new one, so an ERP that replays answers by key does not hand back its old refusal. An edit has already
   * given the item a new key; a record refused before any call never sent one.
   */
  private async keyWasSent(id: string): Promise<boolean> {
    const [item, attempts] = await Promise.all([this.ledger.get(id), this.ledger.attempts(id)]);
    return item !== undefined && attempts.at(-1)?.idempotencyKey === item.idempotencyKey;
  }

  /** True when the item's last approval decision was a rejection. */
  async rejectedByApprover(id: string): Promise<boolean> {
    const decisions = (await this.ledger.audit(id)).filter((entry) => entry.action === 'rejected by approver' || entry.action === 'approved');
    return decisions.at(-1)?.action === 'rejected by approver';
  }

  /**
   * The checks before a record may go, in the seed's order: the definition's prerequisites (the first without an
   * ERP id blocks it), then the policy's refusal (the connector cannot take it), then approval.
   */
  private gate(entity: Entity, record: unknown): { state: 'pending' | 'awaiting_approval' } | { state: 'blocked'; reason: string } | { state: 'failed'; error: LedgerError } {
    const missing = ENTITY_DEFINITIONS[entity].prerequisites.find((prerequisite) => prerequisite.erpIdOf(record) === undefined);
    if (missing !== undefined) {
      // The definition says "the ERP"; the accountant reads the ERP's name.
      return { state: 'blocked', reason: missing.blockedReason(record).replace(/\bthe ERP\b/, this.runtime.connector.manifest.displayName) };
    }
    const policy = this.policy(entity);
    const error = policy.refusal(record);
    if (error !== undefined) return { state: 'failed', error };
    return { state: policy.requiresApproval ? 'awaiting_approval' : 'pending' };
  }

  /**
   * A blocked record asked for again by the hub: the ERP ids of prerequisites the new copy carries (Procore now
   * knows the invoice's bill) are taken into the ledger's record, and it goes on if nothing is missing any more.
   */
  private async unblockFrom(item: LedgerItem, fresh: unknown): Promise<void> {
    let record: unknown = item.record;
    for (const prerequisite of ENTITY_DEFINITIONS[item.entity].prerequisites) {
      const erpId = prerequisite.erpIdOf(fresh);
      if (prerequisite.erpIdOf(record) === undefined && erpId !== undefined) record = prerequisite.withErpId(record, erpId);
    }
    if (record !== item.record) await this.unblock(item, record, 'the hub knows its prerequisite\'s ERP id');
  }

  /** A blocked record's prerequisite reached the ERP: the record carries its ERP id and goes on (or stays blocked on the next). */
  private async unblock(item: LedgerItem, learnt: unknown, why: string): Promise<void> {
    const record = await this.fromLedger(item.entity, learnt);
    const gate = this.gate(item.entity, record);
    const written = record as Record<string, unknown>;
    try {
      if (gate.state === 'failed') {
        await this.ledger.transition(item.id, { from: ['blocked'], to: 'failed', action: 'unblocked', record: written, lastError: gate.error }, SYSTEM_ACTOR);
      } else if (gate.state === 'blocked') {
        // Another prerequisite is still missing: it waits for that one (this one is found again then).
        return;
      } else {
        // One move (straight to awaiting_approval where approval is required): through pending, a drain could start
        // the item between two moves, past the approver.
        await this.ledger.transition(item.id, { from: ['blocked'], to: gate.state, action: 'unblocked', record: written, detail: { why } }, SYSTEM_ACTOR);
      }
      this.logger.info({ itemId: item.id, entity: item.entity, sourceId: item.sourceId }, `${item.entity} ${item.sourceId} unblocked: ${why}`);
      this.kick(item.id);
    } catch (error) {
      // Someone else moved it first (another delivery of the same event): nothing to do.
      if (!(isLedgerlinkError(error) && error.code === ErrorCodes.LEDGER_TRANSITION)) throw error;
    }
  }

  /** The record with the ERP id of every missing prerequisite this ledger has synced filled in. */
  private async fromLedger(entity: Entity, record: unknown): Promise<unknown> {
    let filled = record;
    for (const prerequisite of ENTITY_DEFINITIONS[entity].prerequisites) {
      if (prerequisite.erpIdOf(filled) !== undefined) continue;
      const exported = await this.ledger.getBySource(this.tenant, prerequisite.entity, 'export', prerequisite.sourceIdOf(filled));
      if (exported?.state === 'synced' && exported.targetId !== undefined) filled = prerequisite.withErpId(filled, exported.targetId);
    }
    return filled;
  }

  /**
   * Someone else put a prerequisite in the ERP and the hub says so (Procore: the accountant linked a vendor to its ERP
   * vendor): what waits on it goes on, as when ledgerlink's own export of it syncs.
   */
  prerequisiteSynced(entity: Entity, sourceId: string, erpId: string): Promise<number> {
    return this.unblockDependents(entity, sourceId, erpId);
  }

  /**
   * A record ledgerlink exported has synced: every blocked record waiting on it (a payment on its requisition, a
   * requisition on its vendor) takes its ERP id and goes on, through this same flow.
   */
  private async unblockDependents(entity: Entity, sourceId: string, erpId: string): Promise<number> {
    // Nothing waits on a payment: no ledger read per synced payment.
    if (!DEPENDED_ON.has(entity)) return 0;
    let unblocked = 0;
    for await (const item of this.items('blocked', 'export')) {
      const prerequisite = ENTITY_DEFINITIONS[item.entity].prerequisites.find((candidate) => candidate.entity === entity);
      if (prerequisite === undefined || prerequisite.erpIdOf(item.record) !== undefined || prerequisite.sourceIdOf(item.record) !== sourceId) continue;
      await this.unblock(item, prerequisite.withErpId(item.record, erpId), `its ${ENTITY_DEFINITIONS[entity].label} ${sourceId} is in the ERP as ${erpId}`);
      unblocked += 1;
    }
    return unblocked;
  }

  /**
   * One blocked record: its first missing prerequisite (whatever entity the definition names) is looked up in this
   * ledger (ledgerlink exported it) and then in the hub, by the prerequisite's `hubItemType` (someone else put it in
   * the ERP: a vendor another integration created, an invoice synced elsewhere; the hub object has an `origin_id`).
   */
  private async recheckItem(item: LedgerItem, only: (prerequisiteId: string) => boolean = () => true): Promise<boolean> {
    const prerequisite = ENTITY_DEFINITIONS[item.entity].prerequisites.find((candidate) => candidate.erpIdOf(item.record) === undefined);
    if (prerequisite === undefined) return false;
    const prerequisiteId = prerequisite.sourceIdOf(item.record);
    if (prerequisiteId === '' || !only(prerequisiteId)) return false;
    const exported = await this.ledger.getBySource(this.tenant, prerequisite.entity, 'export', prerequisiteId);
    let erpId = exported?.state === 'synced' ? exported.targetId : undefined;
    if (erpId === undefined && this.hub !== null && this.config.hubCompanyId !== undefined) {
      const { hubItemType } = ENTITY_DEFINITIONS[prerequisite.entity];
      erpId = await this.hub.client.originId(this.config.hubCompanyId, hubItemType, prerequisiteId, { signal: this.#closing.signal });
    }
    if (erpId === undefined) return false;
    const current = await this.ledger.get(item.id);
    if (current?.state !== 'blocked') return false;
    await this.unblock(current, prerequisite.withErpId(current.record, erpId), `its ${ENTITY_DEFINITIONS[prerequisite.entity].label} ${prerequisiteId} is in the ERP as ${erpId}`);
    return true;
  }

  /**
   * The periodic re-check of every blocked record, whatever it waits on (the ERP Platform sends no "invoice synced"
   * event, and a vendor someone else put in the ERP may never come as a `link_vendor`): runs on the hub schedule. `only` narrows it to prerequisites
   * by hub id.
   */
  async recheckBlocked(only: (prerequisiteId: string) => boolean = () => true): Promise<number> {
    let unblocked = 0;
    for await (const item of this.items('blocked', 'export')) {
      if (await this.recheckItem(item, only)) unblocked += 1;
    }
    return unblocked;
  }

  /** Approves a payment awaiting approval: it goes on to the ERP. */
  async approve(id: string, actor: Actor): Promise<LedgerItem> {
    const item = await this.ledger.transition(id, { from: ['awaiting_approval'], to: 'pending', action: 'approved' }, actor);
    this.kick(item);
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

  /**
   * Edits the check number and/or bank ID of a failed payment (seed 001: the only editable fields). Other entities
   * have none: their fields come from the hub, so they are fixed there (or exported again as they are).
   */
  async edit(id: string, changes: Partial<Record<EditableField, string>>, actor: Actor): Promise<LedgerItem> {
    const item = await this.ledger.get(id);
    if (item !== undefined && item.entity !== 'payment') {
      const { label } = ENTITY_DEFINITIONS[item.entity];
      throw new LedgerlinkError(
        ErrorCodes.LEDGER_EDIT_REFUSED,
        `${label} ${item.sourceId} (item ${id}) has no fields to edit here: Check Number and Bank ID belong to payments; correct the ${label} in the hub and export it again`,
        { details: { itemId: id, entity: item.entity, state: item.state } },
      );
    }
    return this.ledger.edit(id, changes, actor);
  }

  /**
   * Exports a failed record of any entity again (a payment after an edit, or as it is). Where its entity requires
   * approval (payments, when the tenant says so), one an approver rejected is exported again only by an approver
   * (`approver`): anyone else is refused.
   */
  async retry(id: string, actor: Actor, options: { approver?: boolean } = {}): Promise<LedgerItem> {
    const entity = (await this.ledger.get(id))?.entity ?? 'payment';
    if (this.policy(entity).requiresApproval && options.approver !== true && (await this.rejectedByApprover(id))) {
      throw new LedgerlinkError(
        ErrorCodes.APPROVAL_REQUIRED,
        `item ${id} was rejected by an accounting approver and tenant ${this.tenant} requires approval: only an accounting approver may export it again`,
        { disposition: 'rejected' },
      );
    }
    const item = await this.ledger.transition(id, { from: ['failed'], to: 'pending', action: 're-export', freshKey: await this.keyWasSent(id) }, actor);
    this.kick(item);
    return item;
  }

  /**
   * Starts sending pending payments (again): cheap to call often; one drain runs at a time. `moved`: an item this
   * process just moved to `pending`, queued for the drain: the item as the committed write returned it, or its id.
   */
  kick(moved?: LedgerItem | string): void {
    if (typeof moved === 'string') this.#queue(moved);
    else if (moved !== undefined) this.#pending.set(moved.id, moved);
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

  /** Sends the queued items that are still pending, as many as there is room for; each is read by id first. */
  private async drainOnce(): Promise<void> {
    if (!this.#enabled) return;
    const room = this.deployment.runner.maxInFlight - this.#inFlight.size;
    if (room <= 0) return;
    const taken: (LedgerItem | string)[] = [];
    for (const [id, item] of this.#pending) {
      this.#pending.delete(id);
      if (this.#inFlight.has(id)) continue;
      taken.push(item ?? id);
      if (taken.length >= room) break;
    }
    if (taken.length === 0) return;
    const read = await Promise.all(taken.map((item) => (typeof item === 'string' ? this.ledger.get(item) : item)));
    // Moved on since it was queued (sent by an earlier drain, approved away, failed): nothing to send for it.
    const batch = read.filter((item): item is LedgerItem => item?.state === 'pending' && item.tenant === this.tenant && item.direction === 'export' && !this.#inFlight.has(item.id));
    if (batch.length > 0) this.launch(batch, false);
    if (batch.length < taken.length && this.#pending.size > 0) this.#again = true;
  }

  /**
   * The settle tick's look at the ledger (one page by the tenant/state index, no scan): pending items this process
   * was not told of (another process or replica moved them there: the CLI, another replica's API) join the queue.
   * Their ids only: during a burst the page is mostly items already queued or in flight, and reading 500 records every
   * tick cost about 5% of a replica's drain; the drain reads the ones it takes.
   */
  async findPending(): Promise<void> {
    const { ids } = await this.ledger.listIds({ tenant: this.tenant, direction: 'export', state: 'pending', limit: PAGE });
    for (const id of ids) if (!this.#inFlight.has(id)) this.#queue(id);
    this.kick();
  }

  /** Every pending item of the tenant into the queue (recovery: after a start or a takeover). */
  private async queueAllPending(): Promise<void> {
    for await (const item of this.items('pending', 'export')) if (!this.#inFlight.has(item.id)) this.#queue(item.id);
  }

  /** Queues an item by its id (read before it goes), keeping the value a write handed over if it is queued already. */
  #queue(id: string): void {
    if (!this.#pending.has(id)) this.#pending.set(id, undefined);
  }

  /**
   * Sends items through the runtime without waiting for them here: the lane paces the calls. `mayBeCommitted`
   * says an earlier attempt may have reached the ERP (a recovery): the engine looks before it writes again.
   */
  private launch(items: LedgerItem[], mayBeCommitted: boolean): void {
    for (const item of items) this.#inFlight.add(item.id);
    const byEntity = new Map<Entity, LedgerItem[]>();
    for (const item of items) byEntity.set(item.entity, [...(byEntity.get(item.entity) ?? []), item]);
    const self: { run?: Promise<void> } = {};
    const run = (async () => {
      try {
        await Promise.all([...byEntity].map(([entity, group]) => this.send(entity, group, mayBeCommitted)));
      } catch (error) {
        const moved = await this.movedOnSinceListed(error);
        if (moved !== undefined) {
          // A tick listed the item as pending a moment before an earlier run settled it: nothing was sent for it.
          this.logger.debug({ itemId: moved.id, state: moved.state }, `item ${moved.id} is already "${moved.state}": an earlier run settled it after this tick listed it; nothing was sent`);
        } else if (isLedgerlinkError(error) && error.code === ErrorCodes.LEASE_LOST) {
          // Another replica holds the tenant now: it settles what this run left open, through lookup or key.
          this.logger.warn({ items: items.length }, 'export stopped: this replica lost the tenant\'s lease; its new holder settles these items');
        } else {
          // A ledger write failed: the engine stopped; what it sent is in the ledger as an open attempt.
          this.logger.error({ err: error, items: items.length }, 'export stopped: the ledger could not be written; the items are recovered later');
        }
      } finally {
        for (const item of items) this.#inFlight.delete(item.id);
        if (self.run !== undefined) this.#running.delete(self.run);
        this.kick();
      }
    })();
    self.run = run;
    this.#running.add(run);
  }

  /**
   * The item a refused `beginAttempt` names, when the refusal only means the item moved on (synced, failed, sent by
   * another run) between the tick's listing and the attempt: the normal race of a paged listing, not a failure.
   */
  private async movedOnSinceListed(error: unknown): Promise<LedgerItem | undefined> {
    if (!isLedgerlinkError(error) || error.code !== ErrorCodes.LEDGER_TRANSITION) return undefined;
    const itemId = error.details?.itemId;
    if (typeof itemId !== 'string') return undefined;
    const current = await this.ledger.get(itemId).catch(() => undefined);
    return current !== undefined && current.state !== 'pending' ? current : undefined;
  }

  /** One entity's items through the runtime's entity-generic export; what synced unblocks its dependents. */
  private async send(entity: Entity, items: LedgerItem[], mayBeCommitted: boolean): Promise<void> {
    const exportItems: RecordExportItem[] = items.map((item) => ({
      id: item.id,
      idempotencyKey: item.idempotencyKey,
      record: item.record,
      ...(mayBeCommitted ? { mayBeCommitted: true } : {}),
    }));
    const outcomes = await this.runtime.exportRecords(entity, exportItems, { signal: this.#closing.signal, hooks: this.hooks });
    await Promise.all(items.map((item, index) => this.settled(item, outcomes[index])));
  }

  /** After an attempt: a synced record unblocks what waits on it; a refusal before any call fails the item. */
  private async settled(item: LedgerItem, outcome: Outcome | undefined): Promise<void> {
    if (outcome?.kind === 'synced') {
      await this.unblockDependents(item.entity, item.sourceId, outcome.erpId);
      return;
    }
    await this.settleRefusal(item, outcome);
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
  async recover(options: { resendAfterMs?: number } = {}): Promise<{ settled: number; resent: number; heldBackMs: number }> {
    await this.refreshExportsSwitch();
    if ((options.resendAfterMs ?? 0) > 0) this.#resendNotBefore = Date.now() + (options.resendAfterMs ?? 0);
    const heldBackMs = this.#resendNotBefore - Date.now();
    if (heldBackMs > 0) {
      // Taken over from a replica that may still have calls in flight: new work goes on at once, and what it left
      // `exporting` is settled only once none of its calls can still reach the ERP (the caller runs this again then).
      this.#recovered = true;
      await this.queueAllPending();
      this.kick();
      this.logger.info({ heldBackMs }, `the previous holder's calls may still be in flight: its unfinished exports are settled in ${Math.ceil(heldBackMs / 1000)} s`);
      return { settled: 0, resent: 0, heldBackMs };
    }
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
    await this.queueAllPending();
    this.kick();
    return { settled, resent: resend.length, heldBackMs: 0 };
  }

  /**
   * Reads the exports switch from the store: an admin may have flipped it through another replica's API. Done at
   * recovery and on every settle tick, so a switch-off reaches the tenant's holder within `settleMs`.
   */
  async refreshExportsSwitch(): Promise<void> {
    const stored = await this.ledger.getCursor(this.tenant, EXPORTS_ENABLED_CURSOR);
    if (stored === undefined) return;
    const enabled = stored === 'true';
    if (enabled !== this.#enabled) this.logger.info({ enabled }, enabled ? 'exports enabled (switched on elsewhere)' : 'exports disabled (switched off elsewhere): pending items wait');
    this.#enabled = enabled;
  }

  /** Looks up payments the ERP has queued (`accepted`): the settle schedule. */
  async settleQueued(): Promise<number> {
    let settled = 0;
    // By id: under load nearly every exporting item is one of this process's calls in flight, skipped unread.
    for await (const id of this.ids('exporting', 'export')) {
      if (this.#inFlight.has(id)) continue;
      const item = await this.ledger.get(id);
      if (item?.state !== 'exporting' || this.#inFlight.has(id)) continue;
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
      const exportItem: RecordExportItem = { id: item.id, idempotencyKey: item.idempotencyKey, record: item.record };
      const found = await this.runtime.settleRecord(item.entity, exportItem, { signal: this.#closing.signal });
      if (found === null) {
        // The ERP has no trace of the queued write: send it again (the engine looks once more first).
        this.#inFlight.delete(item.id);
        resent = true;
        this.launch([item], true);
        return false;
      }
      if (found.kind === 'accepted') return false;
      await this.hooks.record(exportItem, found);
      if (found.kind === 'synced') await this.unblockDependents(item.entity, item.sourceId, found.erpId);
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

  /** The ids of every item of the tenant in `state`, a page at a time (as `items`, without reading the items). */
  private ids(state: LedgerItem['state'], direction: 'export' | 'import'): AsyncGenerator<string> {
    return this.paged(state, direction, async (filter) => {
      const { ids, nextCursor } = await this.ledger.listIds(filter);
      return { values: ids, nextCursor };
    });
  }

  /** Every item of this tenant in a state, page by page. */
  private items(state: LedgerItem['state'], direction: 'export' | 'import'): AsyncGenerator<LedgerItem> {
    return this.paged(state, direction, async (filter) => {
      const { items, nextCursor } = await this.ledger.list(filter);
      return { values: items, nextCursor };
    });
  }

  /** A listing of the tenant's items in `state` followed from page to page by its cursors. */
  private async *paged<T>(
    state: LedgerItem['state'],
    direction: 'export' | 'import',
    read: (filter: LedgerFilter) => Promise<{ values: T[]; nextCursor?: string | undefined }>,
  ): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const page = await read({ tenant: this.tenant, direction, state, limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
      yield* page.values;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
}
