import {
  ErrorCodes,
  HttpTransportError,
  Outcomes,
  parseCents,
  type LoadContext,
  type LoadItem,
  type Loader,
  type Outcome,
  type RetryableOutcome,
} from '@ledgerlink/core';
import { searchAll } from './cache-search.js';
import { soundId } from './erp-id.js';
import { describeProblems, erpAnswerOf, outcomeOfRefusedPost, protocolError, readFailure, refusalOf, transportOutcome, typedError } from './vista-errors.js';
import { asAccepted, asActionState, readJson, type ActionState, type VistaApi } from './vista-wire.js';

/** The natural key of a payment in Vista's payment history, as the mapping writes it. */
interface NaturalKey {
  vendor: string;
  account: string;
  reference: string;
  method: string;
  amountCents: number;
  /** Payment Date, `YYYY-MM-DD`. */
  date?: string;
  /** The AP transactions paid, as `APTrans=cents` sorted and joined. */
  invoices?: string;
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
    if (key === 'amount') {
      return Outcomes.rejected(
        `the mapped PaymentTxnAmount ${JSON.stringify(item.payload.PaymentTxnAmount)} of payment ${item.id} is not an exact amount; fix the mapping (format: money)`,
        undefined,
        ErrorCodes.MAPPING_FAILED,
      );
    }
    try {
      return await this.#find(item, key);
    } catch (error) {
      // A lost answer while looking: the earlier attempt's fate is still unknown, so the next one looks again.
      if (error instanceof HttpTransportError && error.reason !== 'cancelled') {
        return Outcomes.transport(`Vista Direct API, looking up CM Reference ${key.reference}: ${error.message}`, { reason: error.reason, committed: 'unknown' });
      }
      throw typedError(error, `looking up CM Reference ${key.reference}`);
    }
  }

  async #find(item: LoadItem, key: NaturalKey): Promise<Outcome | null> {
    const actionId = this.#actions.get(item.idempotencyKey);
    const state = actionId === undefined ? undefined : await this.#actionState(actionId);
    if (state !== undefined && (state.status === 'Queued' || state.status === 'Processing')) return Outcomes.accepted(actionId);

    const candidates = await searchAll(this.#api, this.#filters(key, true), `looking up CM Reference ${key.reference} of vendor ${key.vendor}`);
    const found = candidates.find((record) => matches(record, key));
    if (found !== undefined) return linked(found, key, state === undefined);
    if (state === undefined) return null;
    if (state.status === 'Successful') return Outcomes.accepted(actionId); // in Vista, not yet in the cache
    return this.#failed(state, key);
  }

  async #post(item: LoadItem): Promise<Outcome> {
    try {
      const response = await this.#api.create({ APCo: this.#apCompany, ...item.payload });
      if (response.status < 200 || response.status >= 300) return outcomeOfRefusedPost(response, this.#now().getTime());
      const accepted = asAccepted(readJson(response.body));
      if (accepted === undefined) {
        // A 2xx means the queue may have taken the action: without its id, look before posting again.
        return Outcomes.serverError(
          `Vista Direct API answered HTTP ${response.status} to the create action without a usable actionId; the payment is looked up before any retry`,
          { committed: 'unknown', erp: erpAnswerOf(response) },
        );
      }
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
      if (ours !== undefined) return linked(ours, key, true);
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

/** The payload's natural key; `'amount'` when its amount is not an exact decimal (a broken mapping override). */
function naturalKeyOf(payload: Record<string, unknown>): NaturalKey | 'amount' | undefined {
  const { VendorID, Account, DocumentOrCheckNo, PaymentMethod, PaymentTxnAmount } = payload;
  if (typeof VendorID !== 'string' || typeof Account !== 'string' || typeof DocumentOrCheckNo !== 'string') return undefined;
  if (typeof PaymentTxnAmount !== 'string' || typeof PaymentMethod !== 'string') return undefined;
  const amountCents = centsOf(PaymentTxnAmount);
  if (amountCents === undefined) return 'amount';
  const date = typeof payload.PaymentDate === 'string' ? dateOf(payload.PaymentDate) : undefined;
  const invoices = invoicesKey(payload.Invoices);
  return {
    vendor: VendorID,
    account: Account,
    reference: DocumentOrCheckNo,
    method: PaymentMethod,
    amountCents,
    ...(date === undefined ? {} : { date }),
    ...(invoices === undefined ? {} : { invoices }),
  };
}

/** The calendar date as written (`2025-03-14` or `2025-03-14T00:00:00`), never shifted by a time zone. */
function dateOf(value: unknown): string | undefined {
  const match = typeof value === 'string' ? /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(value.trim()) : null;
  return match?.[1];
}

/** The AP transactions paid and their amounts, order-free; undefined when not a readable list. */
function invoicesKey(invoices: unknown): string | undefined {
  if (!Array.isArray(invoices)) return undefined;
  const lines: string[] = [];
  for (const line of invoices as unknown[]) {
    if (typeof line !== 'object' || line === null) return undefined;
    const { APTrans, Amount } = line as Record<string, unknown>;
    const cents = typeof Amount === 'string' || typeof Amount === 'number' ? centsOf(Amount) : undefined;
    if ((typeof APTrans !== 'string' && typeof APTrans !== 'number') || cents === undefined) return undefined;
    lines.push(`${String(APTrans)}=${cents}`);
  }
  return lines.sort().join(',');
}

function centsOf(amount: string | number): number | undefined {
  try {
    return parseCents(amount);
  } catch {
    return undefined;
  }
}

/**
 * The payment found in the cache, linked by its KeyID. A blank or malformed KeyID never settles it: the payment
 * is there (so it is not posted again), and the lookup is retried until Vista shows a usable id.
 */
function linked(record: Record<string, unknown>, key: NaturalKey, replayed: boolean): Outcome {
  const id = soundId(record.KeyID);
  if (id !== undefined) return Outcomes.synced(id, { replayed });
  const outcome: RetryableOutcome = {
    kind: 'retryable',
    code: ErrorCodes.ERP_PROTOCOL,
    reason: 'server',
    committed: 'unknown',
    message:
      `Vista's cache shows CM Reference ${key.reference} of vendor ${key.vendor} with the KeyID ${JSON.stringify(record.KeyID) ?? 'undefined'}, ` +
      'which is not an id; ledgerlink looks again before any new posting. If it persists, report it to Trimble support.',
  };
  return outcome;
}

/**
 * Same CM account, pay method, amount, date and AP transactions paid (CM Reference and vendor were the search's
 * filters, and are checked again): another payment reusing the CM Reference is never taken for this one.
 */
function matches(record: Record<string, unknown>, key: NaturalKey): boolean {
  const amount = record.PaymentTxnAmount;
  if (typeof amount !== 'string' && typeof amount !== 'number') return false;
  return (
    record.Account === key.account &&
    record.PaymentMethod === key.method &&
    record.DocumentOrCheckNo === key.reference &&
    record.VendorID === key.vendor &&
    centsOf(amount) === key.amountCents &&
    (key.date === undefined || dateOf(record.PaymentDate) === key.date) &&
    (key.invoices === undefined || invoicesKey(record.Invoices) === key.invoices)
  );
}
