import {
  ErrorCodes,
  Outcomes,
  parseCents,
  type LoadContext,
  type LoadItem,
  type Loader,
  type Outcome,
  type Requisition,
} from '@ledgerlink/core';
import type { QboApi, QboFailure } from './qbo-api.js';
import { createEntity, saidBy, textAt } from './qbo-create.js';
import { thrownOutcome } from './qbo-outcomes.js';
import { DOC_NUMBER_MAX, isQboId, property, queryLiteral, wireAmount } from './qbo-wire.js';

type BillItem = LoadItem<Record<string, unknown>, Requisition>;

/** 610 Object Not Found and 2500 Invalid Reference Id: a reference QuickBooks cannot use. */
const REFERENCE_CODES = new Set(['610', '2500']);
const DUPLICATE_DOC_NUMBER = '6140';

/**
 * The Bill body as QuickBooks takes it: the mapped payload with each `Line[].Amount` turned from an exact decimal
 * string into a JSON number carrying the same digits (checked, never assumed). `TotalAmt` is not sent: QuickBooks
 * adds the lines up itself.
 */
export function toWireBill(payload: Record<string, unknown>): Record<string, unknown> {
  const lines = payload['Line'];
  if (!Array.isArray(lines) || lines.length === 0) throw new RangeError('Line must hold at least one line');
  const { TotalAmt: _ignored, ...rest } = payload;
  return {
    ...rest,
    Line: lines.map((line: unknown, index) => {
      const record = (typeof line === 'object' && line !== null ? line : {}) as Record<string, unknown>;
      return { ...record, Amount: wireAmount(record['Amount'], `Line[${index}].Amount`) };
    }),
  };
}

/**
 * Subcontractor invoices as QuickBooks bills: `POST /bill?requestid=…` (QuickBooks' own idempotency: the same
 * attempt retried gets the stored answer), and `find` by the requisition's natural key (vendor + bill number,
 * then total and date compared here), so a lost answer never becomes a second bill nor settles on another one.
 */
export class QboBillLoader implements Loader<Record<string, unknown>, Requisition> {
  constructor(
    private readonly api: QboApi,
    private readonly realmId: string,
  ) {}

  async load(batch: BillItem[], _context: LoadContext): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const item of batch) outcomes.push(await this.loadOne(item));
    return outcomes;
  }

  async find(item: BillItem, _context: LoadContext): Promise<Outcome | null> {
    try {
      const id = await this.lookUp(item);
      return id === undefined ? null : Outcomes.synced(id, { replayed: true });
    } catch (error) {
      return thrownOutcome(error);
    }
  }

  /**
   * The Id of the bill QuickBooks holds for this requisition: same vendor and DocNumber (a query), then the same
   * total and date. Without a DocNumber there is no key that is this requisition's own, so nothing is found.
   */
  private async lookUp(item: BillItem): Promise<string | undefined> {
    const vendorId = textAt(item.payload, 'VendorRef', 'value') ?? item.record.vendor.erpId;
    const docNumber = textAt(item.payload, 'DocNumber');
    if (vendorId === undefined || docNumber === undefined) return undefined;
    const rows = await this.api.query<Record<string, unknown>>(
      `select * from Bill where DocNumber = ${queryLiteral(docNumber)} and VendorRef = ${queryLiteral(vendorId)} MAXRESULTS 1000`,
      'Bill',
    );
    const txnDate = textAt(item.payload, 'TxnDate');
    const match = rows.find(
      (row) =>
        isQboId(property(row, 'Id')) &&
        property(row, 'DocNumber') === docNumber &&
        property(property(row, 'VendorRef'), 'value') === vendorId &&
        centsOrUndefined(property(row, 'TotalAmt')) === item.record.totalCents &&
        (txnDate === undefined || property(row, 'TxnDate') === txnDate),
    );
    return match === undefined ? undefined : (match['Id'] as string);
  }

  private async loadOne(item: BillItem): Promise<Outcome> {
    const docNumber = textAt(item.payload, 'DocNumber');
    if (docNumber !== undefined && docNumber.length > DOC_NUMBER_MAX) {
      return Outcomes.rejected(
        `invoice number ${docNumber} is ${docNumber.length} characters; QuickBooks' bill number (DocNumber) takes at most ${DOC_NUMBER_MAX}: shorten it in the hub and export again`,
        undefined,
        ErrorCodes.RECORD_INVALID,
      );
    }
    let body: Record<string, unknown>;
    try {
      body = toWireBill(item.payload);
    } catch (error) {
      return Outcomes.rejected(`the mapped bill of requisition ${item.record.id} cannot be sent: ${(error as Error).message}`, undefined, ErrorCodes.MAPPING_FAILED);
    }
    const answer = await createEntity(this.api, this.realmId, 'bill', 'Bill', body, item.idempotencyKey);
    if (answer.kind === 'created') return Outcomes.synced(answer.id);
    if (answer.kind === 'outcome') return answer.outcome;
    return this.refused(item, answer.failure);
  }

  private async refused(item: BillItem, failure: QboFailure): Promise<Outcome> {
    const errors = failure.fault?.errors ?? [];
    const said = saidBy(failure);
    const vendorId = textAt(item.payload, 'VendorRef', 'value') ?? '';
    const docNumber = textAt(item.payload, 'DocNumber') ?? item.record.number;
    if (errors.some((error) => error.code === DUPLICATE_DOC_NUMBER)) {
      // The bill number is taken for this vendor: by this very requisition (an earlier attempt whose answer was
      // lost, past QuickBooks' requestid memory), or by another bill.
      try {
        const id = await this.lookUp(item);
        if (id !== undefined) return Outcomes.synced(id, { replayed: true });
      } catch (error) {
        return thrownOutcome(error);
      }
      return Outcomes.rejected(
        `QuickBooks already has bill number ${docNumber} for vendor ${vendorId}, with another total or date: check that invoice in QuickBooks; ` +
          `a different invoice needs a different number. QuickBooks said: ${said}`,
        failure.erp,
      );
    }
    const reference = errors.find((error) => REFERENCE_CODES.has(error.code ?? ''));
    if (reference !== undefined) {
      let target = /VendorRef/i.test(reference.element ?? '') ? 'vendor' : /AccountRef|Line/i.test(reference.element ?? '') ? 'account' : /CustomerRef/i.test(reference.element ?? '') ? 'customer' : undefined;
      if (target === undefined) {
        try {
          const vendors = await this.api.query<unknown>(`select * from Vendor where Id = ${queryLiteral(vendorId)}`, 'Vendor');
          target = vendors.length === 0 ? 'vendor' : 'account';
        } catch (error) {
          return thrownOutcome(error);
        }
      }
      if (target === 'vendor') {
        return Outcomes.rejected(
          `QuickBooks has no active vendor ${vendorId}: export or link the subcontractor's vendor first (or reactivate it), then export the invoice again. QuickBooks said: ${said}`,
          failure.erp,
        );
      }
      const accounts = (Array.isArray(item.payload['Line']) ? item.payload['Line'] : [])
        .map((line: unknown) => textAt(line, 'AccountBasedExpenseLineDetail', 'AccountRef', 'value'))
        .filter((id): id is string => id !== undefined);
      return Outcomes.rejected(
        `QuickBooks cannot post to ${target === 'customer' ? 'the project (customer)' : `expense account ${[...new Set(accounts)].join(', ')}`} of requisition ${item.record.id}: ` +
          `check the cost codes' origin ids (or the expenseAccounts lookup) against QuickBooks' chart of accounts. QuickBooks said: ${said}`,
        failure.erp,
      );
    }
    return Outcomes.rejected(`QuickBooks refused the bill of requisition ${item.record.id}: ${said}`, failure.erp);
  }
}

function centsOrUndefined(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  try {
    return parseCents(value);
  } catch {
    return undefined;
  }
}
