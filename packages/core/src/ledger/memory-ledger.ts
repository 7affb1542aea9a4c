import type { Direction, Entity } from '../connector/capabilities.js';
import type { EditableField, Outcome } from '../connector/outcome.js';
import { planEdit } from './edit-rules.js';
import { cloneJson, leaseLost, ledgerSourceKey, nextCounterValue, numberAudit, planNewItem, requireLedgerItem, type LedgerPlan } from './ledger-plan.js';
import {
  compareLedgerCounts,
  decodeLedgerCursor,
  ledgerPageOf,
  ledgerPageSize,
  matchesLedgerFilter,
} from './query-rules.js';
import { planBeginAttempt, planCompleteAttempt, planTransition } from './state-rules.js';
import type {
  Actor,
  AttemptRecord,
  AuditEntry,
  Ledger,
  LedgerFence,
  LedgerFilter,
  LedgerItem,
  LedgerIdPage,
  LedgerPage,
  LedgerState,
  LedgerTransition,
  NewLedgerItem,
} from './types.js';

interface Row {
  /** Creation order: the paging key. */
  sequence: number;
  item: LedgerItem;
  attempts: AttemptRecord[];
  audit: AuditEntry[];
}

/**
 * A Ledger kept in memory, for tests, dry runs and the demo: the same rules as the durable stores, nothing
 * survives the process. Every method does its reads, plans and writes without yielding, so concurrent calls
 * see each other whole; values go in and out as copies, as they would through a database.
 */
export class MemoryLedger implements Ledger {
  private readonly rows = new Map<string, Row>();
  private readonly bySource = new Map<string, string>();
  private readonly cursors = new Map<string, string>();
  private sequence = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  private now(): string {
    return this.clock().toISOString();
  }

  private row(id: string): Row {
    const row = this.rows.get(id);
    requireLedgerItem(row?.item, id);
    return row as Row;
  }

  private apply(row: Row, plan: LedgerPlan): LedgerItem {
    if (!plan.changed) return cloneJson(row.item);
    row.item = cloneJson(plan.item);
    if (plan.attempt !== undefined) {
      const attempt = cloneJson(plan.attempt);
      const index = row.attempts.findIndex((existing) => existing.number === attempt.number);
      if (index === -1) row.attempts.push(attempt);
      else row.attempts[index] = attempt;
    }
    row.audit.push(...numberAudit(cloneJson(plan.audit), row.audit.length));
    return cloneJson(row.item);
  }

  async upsert(input: NewLedgerItem, actor: Actor): Promise<{ item: LedgerItem; created: boolean }> {
    const plan = planNewItem(input, actor, this.now());
    const existingId = this.bySource.get(ledgerSourceKey(plan.item));
    if (existingId !== undefined) return { item: cloneJson(this.row(existingId).item), created: false };
    this.sequence += 1;
    const row: Row = { sequence: this.sequence, item: plan.item, attempts: [], audit: [] };
    this.rows.set(plan.item.id, row);
    this.bySource.set(ledgerSourceKey(plan.item), plan.item.id);
    return { item: this.apply(row, plan), created: true };
  }

  async get(id: string): Promise<LedgerItem | undefined> {
    const row = this.rows.get(id);
    return row === undefined ? undefined : cloneJson(row.item);
  }

  async getBySource(tenant: string, entity: Entity, direction: Direction, sourceId: string): Promise<LedgerItem | undefined> {
    const id = this.bySource.get(ledgerSourceKey({ tenant, entity, direction, sourceId }));
    return id === undefined ? undefined : this.get(id);
  }

  async getByTarget(tenant: string, entity: Entity, direction: Direction, targetId: string): Promise<LedgerItem | undefined> {
    for (const row of this.rows.values()) {
      const { item } = row;
      if (item.tenant === tenant && item.entity === entity && item.direction === direction && item.targetId === targetId) return cloneJson(item);
    }
    return undefined;
  }

  async list(filter: LedgerFilter = {}): Promise<LedgerPage> {
    const after = decodeLedgerCursor(filter.cursor);
    const limit = ledgerPageSize(filter);
    const matching: Row[] = [];
    // Map iteration follows insertion, which is creation order.
    for (const row of this.rows.values()) {
      if (row.sequence <= after || !matchesLedgerFilter(row.item, filter)) continue;
      matching.push(row);
      if (matching.length > limit) break;
    }
    const { page, cursor } = ledgerPageOf(matching, limit, (row) => row.sequence);
    return { items: page.map((row) => cloneJson(row.item)), ...cursor };
  }

  async listIds(filter: LedgerFilter = {}): Promise<LedgerIdPage> {
    const { items, ...cursor } = await this.list(filter);
    return { ids: items.map((item) => item.id), ...cursor };
  }

  async counts(): Promise<{ tenant: string; state: LedgerState; count: number }[]> {
    const counts = new Map<string, { tenant: string; state: LedgerState; count: number }>();
    for (const { item } of this.rows.values()) {
      const key = JSON.stringify([item.tenant, item.state]);
      const entry = counts.get(key) ?? { tenant: item.tenant, state: item.state, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    return [...counts.values()].sort(compareLedgerCounts);
  }

  async transition(id: string, change: LedgerTransition, actor: Actor): Promise<LedgerItem> {
    const row = this.row(id);
    return this.apply(row, planTransition(row.item, change, actor, this.now()));
  }

  /** The current lease epoch per tenant, as a store that keeps tenant leases would hold it (tests of fencing). */
  readonly #epochs = new Map<string, number>();

  /** Makes `epoch` the tenant's current lease epoch: fenced writes of any other epoch are refused from now on. */
  setLeaseEpoch(tenant: string, epoch: number): void {
    this.#epochs.set(tenant, epoch);
  }

  #checkFence(item: LedgerItem, fence: LedgerFence | undefined): void {
    if (fence === undefined) return;
    const current = this.#epochs.get(item.tenant);
    if (current !== fence.epoch) throw leaseLost(item.tenant, fence.epoch, current);
  }

  async beginAttempt(id: string, actor: Actor, fence?: LedgerFence): Promise<{ item: LedgerItem; attempt: AttemptRecord }> {
    const row = this.row(id);
    this.#checkFence(row.item, fence);
    const plan = planBeginAttempt(row.item, actor, this.now());
    const item = this.apply(row, plan);
    return { item, attempt: cloneJson(plan.attempt as AttemptRecord) };
  }

  async completeAttempt(id: string, attemptNumber: number, outcome: Outcome, actor: Actor, fence?: LedgerFence): Promise<LedgerItem> {
    const row = this.row(id);
    this.#checkFence(row.item, fence);
    const attempt = row.attempts.find((existing) => existing.number === attemptNumber);
    return this.apply(row, planCompleteAttempt(row.item, attempt, outcome, actor, this.now(), attemptNumber));
  }

  async edit(id: string, changes: Partial<Record<EditableField, string>>, actor: Actor): Promise<LedgerItem> {
    const row = this.row(id);
    return this.apply(row, planEdit(row.item, changes, actor, this.now()));
  }

  async audit(id: string): Promise<AuditEntry[]> {
    return cloneJson(this.row(id).audit);
  }

  async attempts(id: string): Promise<AttemptRecord[]> {
    return cloneJson(this.row(id).attempts);
  }

  async getCursor(tenant: string, name: string): Promise<string | undefined> {
    return this.cursors.get(JSON.stringify([tenant, name]));
  }

  async setCursor(tenant: string, name: string, value: string): Promise<void> {
    if (typeof value !== 'string') throw new TypeError(`a cursor value is text; got ${JSON.stringify(value)}`);
    this.cursors.set(JSON.stringify([tenant, name]), value);
  }

  async takeNext(tenant: string, name: string, floor: number): Promise<number> {
    const key = JSON.stringify([tenant, name]);
    const value = nextCounterValue(this.cursors.get(key), floor);
    this.cursors.set(key, String(value + 1));
    return value;
  }

  async close(): Promise<void> {
    // Nothing to release; kept for the Ledger contract.
  }
}
