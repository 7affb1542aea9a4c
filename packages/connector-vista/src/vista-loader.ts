import { Outcomes, parseCents, type LoadContext, type LoadItem, type Loader, type Outcome } from '@ledgerlink/core';
import { searchAll } from './cache-search.js';
import { describeProblems, outcomeOfRefusedPost, protocolError, readFailure, refusalOf, transportOutcome } from './vista-errors.js';
import { asAccepted, asActionState, readJson, type ActionState, type VistaApi } from './vista-wire.js';

/** The natural key of a payment in Vista's payment history, as the mapping writes it. */
interface NaturalKey {
  vendor: string;
  account: string;
  reference: string;
  method: string;
  amountCents: number;
}

/**
 * The export side: the `create` action is queued, so `load` ends `accepted` with the action's id, and `find`
 * settles it from the action's state and the cache. The action ids this process saw are remembered by
 * idempotency key; after a restart the cache (CM Reference + vendor) is what is left, and Vista's own
 * duplicate-CM-Reference rule stops a second posting.
 */
export class VistaLoader implements Loader {
  readonly #api: VistaApi;
  readonly #apCompany: number;
  readonly #now: () => Date;
  readonly #actions = new Map<string, string>();

  constructor(api: VistaApi, apCompany: number, now: () => Date) {
    this.#api = api;
    this.#apCompany = apCompany;
    this.#now = now;
  }

  load(batch: LoadItem[], _context: LoadContext): Promise<Outcome[]> {
    return Promise.all(batch.map((item) => this.#post(item)));
  }

  async find(item: LoadItem, _context: LoadContext): Promise<Outcome | null> {
    const key = naturalKeyOf(item.payload);
    if (key === undefined) return null;
    const actionId = this.#actions.get(item.idempotencyKey);
    const state = actionId === undefined ? undefined : await this.#actionState(actionId);
    if (state !== undefined && (state.status === 'Queued' || state.status === 'Processing')) return Outcomes.accepted(state.actionId);

    const candidates = await searchAll(this.#api, this.#filters(key, true), `looking up CM Reference ${key.reference} of vendor ${key.vendor}`);
    const found = candidates.find((record) => matches(record, key));
    if (found !== undefined) return Outcomes.synced(String(found.KeyID), { replayed: state === undefined });
    if (state === undefined) return null;
    if (state.status === 'Successful') return Outcomes.accepted(state.actionId); // in Vista, not yet in the cache
    return this.#failed(state, key);
  }

  async #post(item: LoadItem): Promise<Outcome> {
    try {
      const response = await this.#api.create({ APCo: this.#apCompany, ...item.payload });
      const accepted = response.status === 200 || response.status === 202 ? asAccepted(readJson(response.body)) : undefined;
      if (accepted === undefined) return outcomeOfRefusedPost(response, this.#now().getTime());
      this.#actions.set(item.idempotencyKey, accepted.actionId);
      return Outcomes.accepted(accepted.actionId);
    } catch (error) {
      return transportOutcome(error);
    }
  }

  async #actionState(actionId: string): Promise<ActionState | undefined> {
    const response = await this.#api.action(actionId);
    // An action Vista no longer reports (expired from the queue's history): the cache decides alone.
    if (response.status === 404) return undefined;
    const state = response.status === 200 ? asActionState(readJson(response.body)) : undefined;
    if (state === undefined) {
      throw response.status === 200 ? protocolError(response, `reading action ${actionId}`) : readFailure(response, `reading the state of action ${actionId}`);
    }
    return state;
  }

  /**
   * A failed action. A duplicate CM Reference may be our own earlier commit whose answer was lost and which
   * the cache does not show yet: until the payment holding that reference is visible, it stays `accepted`.
   */
  async #failed(state: ActionState, key: NaturalKey): Promise<Outcome> {
    const problems = state.errors ?? [];
    const text = problems.length > 0 ? problems.map((problem) => problem.message).join('; ') : `action ${state.actionId} failed without a message`;
    const erp = { message: text, ...(problems.length > 0 ? { detail: describeProblems(problems) } : {}) };
    if (problems.some((problem) => problem.field === 'DocumentOrCheckNo')) {
      const holders = await searchAll(this.#api, this.#filters(key, false), `looking up who holds CM Reference ${key.reference}`);
      // The cache may have caught up since the first search.
      const ours = holders.find((record) => matches(record, key));
      if (ours !== undefined) return Outcomes.synced(String(ours.KeyID), { replayed: true });
      if (!holders.some((record) => record.Account === key.account)) return Outcomes.accepted(state.actionId);
    }
    return refusalOf(problems, erp);
  }

  #filters(key: NaturalKey, withVendor: boolean) {
    return [
      { field: 'APCo', operator: 'eq' as const, value: String(this.#apCompany) },
      { field: 'DocumentOrCheckNo', operator: 'eq' as const, value: key.reference },
      ...(withVendor ? [{ field: 'VendorID', operator: 'eq' as const, value: key.vendor }] : []),
    ];
  }
}

function naturalKeyOf(payload: Record<string, unknown>): NaturalKey | undefined {
  const { VendorID, Account, DocumentOrCheckNo, PaymentMethod, PaymentTxnAmount } = payload;
  if (typeof VendorID !== 'string' || typeof Account !== 'string' || typeof DocumentOrCheckNo !== 'string') return undefined;
  if (typeof PaymentTxnAmount !== 'string' || typeof PaymentMethod !== 'string') return undefined;
  return { vendor: VendorID, account: Account, reference: DocumentOrCheckNo, method: PaymentMethod, amountCents: parseCents(PaymentTxnAmount) };
}

/** Same CM account, pay method and amount (CM Reference and vendor were the search's filters). */
function matches(record: Record<string, unknown>, key: NaturalKey): boolean {
  const amount = record.PaymentTxnAmount;
  if (typeof amount !== 'string' && typeof amount !== 'number') return false;
  let cents: number;
  try {
    cents = parseCents(amount);
  } catch {
    return false;
  }
  return (
    record.Account === key.account &&
    record.PaymentMethod === key.method &&
    record.DocumentOrCheckNo === key.reference &&
    record.VendorID === key.vendor &&
    cents === key.amountCents &&
    (typeof record.KeyID === 'string' || typeof record.KeyID === 'number')
  );
}
