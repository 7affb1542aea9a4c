import { ErrorCodes, Outcomes, parseCents, type LoadContext, type LoadItem, type Loader, type Outcome, type Requisition, type RetryableOutcome } from '@ledgerlink/core';
import { thrownOutcome } from './check-loader.js';
import { payablesOf, type YardiPayable } from './check-records.js';
import type { YardiMessageRules } from './config.js';
import { soundId } from './erp-id.js';
import { buildPayableDocument } from './payable-document.js';
import { childText, child, XmlValueError } from './yardi-xml.js';
import { erpAnswerOf, errorsOf, matchesRule, messagesOf, readResult } from './yardi-messages.js';
import type { YardiSoap } from './yardi-soap.js';

type PayableItem = LoadItem<Record<string, unknown>, Requisition>;

/**
 * Writes one payable per requisition with `ImportPayable_Login`; the bill's erpId is the `PayableId` Yardi
 * answers, what the requisition's payments carry as `invoice.erpId` (the check's `Details/Detail/PayableId`).
 * Yardi takes no idempotency key [U], so exactly-once rests on `find`: `GetPayables2` by invoice number and
 * vendor, and the payable is this requisition only when payee, invoice number, amount and invoice date match.
 */
export class PayableLoader implements Loader<Record<string, unknown>, Requisition> {
  constructor(
    private readonly soap: YardiSoap,
    private readonly rules: YardiMessageRules,
  ) {}

  async load(batch: PayableItem[], _context: LoadContext): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const item of batch) outcomes.push(await this.loadOne(item));
    return outcomes;
  }

  async find(item: PayableItem, _context: LoadContext): Promise<Outcome | null> {
    const key = keyOf(item);
    if (key === undefined) return null;
    try {
      const result = readResult(
        'GetPayables2',
        await this.soap.call('GetPayables2', [
          ['InvoiceNumber', key.invoiceNumber],
          ['VendorId', key.payeeId],
        ]),
      );
      const match = payablesOf(result).find((payable) => isThisPayable(payable, key));
      return match === undefined ? null : linked(match.fields['PayableId'], key);
    } catch (error) {
      return thrownOutcome(error, 'no');
    }
  }

  private async loadOne(item: PayableItem): Promise<Outcome> {
    let document: string;
    try {
      document = buildPayableDocument(item.payload);
    } catch (error) {
      if (!(error instanceof XmlValueError)) throw error;
      return Outcomes.rejected(`the payable document cannot be written: ${error.message}; fix that field in the hub and export again`, undefined, ErrorCodes.MAPPING_FAILED);
    }
    let result;
    try {
      result = await this.soap.call('ImportPayable_Login', [['PayableDoc', document]]);
    } catch (error) {
      return thrownOutcome(error, 'unknown');
    }
    const errors = errorsOf(messagesOf(result));
    if (errors.length > 0) {
      const erp = erpAnswerOf(errors);
      const said = `Yardi said: ${erp.message}`;
      const duplicate = errors.every((error) => matchesRule(this.rules.duplicateInvoiceNumber, error.code, error.text));
      if (duplicate) {
        // The number is taken for this payee: by this requisition (committed earlier, its answer lost) when amount
        // and date match, which the lookup settles; else by another bill.
        const found = await this.find(item, { signal: new AbortController().signal });
        if (found !== null) return found;
        return Outcomes.rejected(`Invoice number ${item.record.number} is already used for this vendor in Yardi by another payable: give the requisition another invoice number. ${said}`, erp);
      }
      return Outcomes.rejected(
        `Yardi refused the payable for requisition ${item.record.number}: check that the vendor (payee) exists and is active in Yardi, ` +
          `that the property, job and categories exist, then export again. ${said}`,
        erp,
      );
    }
    const answered = child(child(result, 'Payables'), 'Payable');
    const payableId = soundId(childText(answered, 'PayableId')?.trim());
    // A PayableId is settled only for the payable sent: an answer naming another payee or invoice number is looked up.
    const sameBill = ['PayeeId', 'InvoiceNumber'].every((name) => {
      const said = childText(answered, name)?.trim();
      const sent = item.payload[name];
      return said === undefined || said === '' || typeof sent !== 'string' || said === sent.trim();
    });
    if (payableId !== undefined && sameBill) return Outcomes.synced(payableId);
    return Outcomes.serverError('Yardi answered ImportPayable_Login without an error and without a usable PayableId; the payable may exist, so it is looked up before any retry', {
      committed: 'unknown',
      erp: { message: 'no usable Payables/Payable/PayableId and no error Message in ImportPayable_LoginResult' },
    });
  }
}

interface PayableKey {
  payeeId: string;
  invoiceNumber: string;
  amountCents: number;
  invoiceDate: string;
}

function keyOf(item: PayableItem): PayableKey | undefined {
  const text = (name: string): string | undefined => {
    const value = item.payload[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const payeeId = text('PayeeId');
  const invoiceNumber = text('InvoiceNumber');
  const amount = text('Amount');
  const invoiceDate = text('InvoiceDate');
  const amountCents = amount === undefined ? undefined : centsOf(amount);
  if (payeeId === undefined || invoiceNumber === undefined || amountCents === undefined || invoiceDate === undefined) return undefined;
  return { payeeId, invoiceNumber, amountCents, invoiceDate };
}

function centsOf(value: string): number | undefined {
  try {
    return parseCents(value);
  } catch {
    return undefined;
  }
}

function isThisPayable(payable: YardiPayable, key: PayableKey): boolean {
  const f = payable.fields;
  const amount = f['Amount'] === undefined ? undefined : centsOf(f['Amount']);
  return f['PayeeId'] === key.payeeId && f['InvoiceNumber'] === key.invoiceNumber && amount === key.amountCents && (f['InvoiceDate'] ?? '').slice(0, 10) === key.invoiceDate;
}

/** This requisition's payable, found: settled on its PayableId, never on a blank or malformed one. */
function linked(payableId: string | undefined, key: PayableKey): Outcome {
  const id = soundId(payableId?.trim());
  if (id !== undefined) return Outcomes.synced(id, { replayed: true });
  const outcome: RetryableOutcome = {
    kind: 'retryable',
    code: ErrorCodes.ERP_PROTOCOL,
    reason: 'server',
    committed: 'unknown',
    message: `Yardi shows invoice ${key.invoiceNumber} of payee ${key.payeeId} without a usable PayableId; ledgerlink looks again before writing it anew.`,
  };
  return outcome;
}
