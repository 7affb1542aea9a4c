import {
  ErrorCodes,
  HttpTransportError,
  LedgerlinkError,
  Outcomes,
  parseCents,
  type LoadContext,
  type LoadItem,
  type Loader,
  type Outcome,
  type RetryableOutcome,
} from '@ledgerlink/core';
import { buildCheckDocument } from './check-document.js';
import { checksOf, importedCheckId, payablesOf } from './check-records.js';
import type { YardiMessageRules } from './config.js';
import { soundId } from './erp-id.js';
import { errorsOf, messagesOf, readResult, refusalOutcome, type CheckReferences } from './yardi-messages.js';
import type { YardiSoap } from './yardi-soap.js';
import { XmlValueError } from './yardi-xml.js';

/**
 * Writes one check per payment with `ImportCheck_Login`. Yardi has no idempotency key [U], so exactly-once
 * rests on `find`: the engine calls it before any retry whose earlier attempt may have committed, and it
 * looks the check up by its natural key (check number + bank) with `GetCheckInvoice`.
 */
export class CheckLoader implements Loader {
  constructor(
    private readonly soap: YardiSoap,
    private readonly rules: YardiMessageRules,
  ) {}

  async load(batch: LoadItem[], _context: LoadContext): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const item of batch) outcomes.push(await this.loadOne(item));
    return outcomes;
  }

  /**
   * Finds a check an earlier attempt committed. With a check number: `GetCheckInvoice` by check number and bank,
   * then payee, amount, date and payables compared here (another payee's check with that number is not ours: the write
   * then meets Yardi's duplicate-number rule and asks for an edit). Without one: `GetPayables2` by payable id,
   * and a check on that bank to that payee for that amount and date. Reads only.
   */
  async find(item: LoadItem, _context: LoadContext): Promise<Outcome | null> {
    const refs = referencesOf(item);
    const amount = stringField(item.payload, 'AmountPaid');
    const cents = amount === undefined ? item.record.amountCents : centsOf(amount);
    if (cents === undefined) {
      return Outcomes.rejected(
        `the mapped AmountPaid ${JSON.stringify(amount)} of payment ${item.id} is not an exact amount; fix the mapping (format: money)`,
        undefined,
        ErrorCodes.MAPPING_FAILED,
      );
    }
    const date = stringField(item.payload, 'PaymentDate');
    try {
      if (refs.checkNumber !== undefined) {
        const result = readResult(
          'GetCheckInvoice',
          await this.soap.call('GetCheckInvoice', [
            ['CheckNumber', refs.checkNumber],
            ['BankId', refs.bankId],
          ]),
        );
        const match = checksOf(result).find(
          (check) =>
            check.fields['BankId'] === refs.bankId &&
            check.fields['CheckNumber'] === refs.checkNumber &&
            check.fields['PayeeId'] === refs.payeeId &&
            sameCents(check.fields['AmountPaid'], cents) &&
            // Another payment may reuse the number (its refusal lost): date and payables must be this one's too.
            (date === undefined || (check.fields['PaymentDate'] ?? '').startsWith(date)) &&
            check.details.length > 0 &&
            check.details.every((detail) => detail['PayableId'] === refs.payableId),
        );
        return match === undefined ? null : linked(match.fields['CheckId'], refs);
      }
      const result = readResult('GetPayables2', await this.soap.call('GetPayables2', [['PayableId', refs.payableId]]));
      for (const payable of payablesOf(result)) {
        if (payable.fields['PayableId'] !== refs.payableId) continue;
        const match = payable.checks.find(
          (check) =>
            check['BankId'] === refs.bankId &&
            check['PayeeId'] === refs.payeeId &&
            sameCents(check['AmountPaid'], cents) &&
            (date === undefined || (check['PaymentDate'] ?? '').startsWith(date)),
        );
        if (match !== undefined) return linked(match['CheckId'], refs);
      }
      return null;
    } catch (error) {
      return thrownOutcome(error, 'no');
    }
  }

  private async loadOne(item: LoadItem): Promise<Outcome> {
    const refs = referencesOf(item);
    let document: string;
    try {
      document = buildCheckDocument(item.payload);
    } catch (error) {
      if (!(error instanceof XmlValueError)) throw error;
      return Outcomes.rejected(`the check document cannot be written: ${error.message}; fix that field in the hub and export again`, undefined, ErrorCodes.MAPPING_FAILED);
    }
    let result;
    try {
      result = await this.soap.call('ImportCheck_Login', [['CheckDoc', document]]);
    } catch (error) {
      return thrownOutcome(error, 'unknown');
    }
    const errors = errorsOf(messagesOf(result));
    if (errors.length > 0) return refusalOutcome(errors, this.rules, refs);
    const checkId = importedCheckId(result);
    if (checkId !== undefined) return Outcomes.synced(checkId);
    return Outcomes.serverError('Yardi answered ImportCheck_Login without an error and without a CheckId; the check may exist, so it is looked up before any retry', {
      committed: 'unknown',
      erp: { message: 'no Checks/Check/CheckId and no error Message in ImportCheck_LoginResult' },
    });
  }
}

function stringField(payload: Record<string, unknown>, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function centsOf(value: string): number | undefined {
  try {
    return parseCents(value);
  } catch {
    return undefined;
  }
}

function sameCents(value: string | undefined, cents: number): boolean {
  return value !== undefined && centsOf(value) === cents;
}

/**
 * Our check, found: linked by its CheckId. A blank or malformed CheckId never settles the payment; the check
 * exists, so it is not written again, and the lookup is retried until Yardi shows a usable id.
 */
function linked(checkId: string | undefined, refs: CheckReferences): Outcome {
  const id = soundId(checkId?.trim());
  if (id !== undefined) return Outcomes.synced(id, { replayed: true });
  const outcome: RetryableOutcome = {
    kind: 'retryable',
    code: ErrorCodes.ERP_PROTOCOL,
    reason: 'server',
    committed: 'unknown',
    message: `Yardi shows check ${refs.checkNumber ?? '(no number)'} on bank ${refs.bankId} for payable ${refs.payableId} without a usable CheckId; ledgerlink looks again before writing it anew.`,
  };
  return outcome;
}

function referencesOf(item: LoadItem): CheckReferences {
  const details = item.payload['Details'];
  const first: unknown = Array.isArray(details) ? details[0] : undefined;
  const payableId = typeof first === 'object' && first !== null ? (first as Record<string, unknown>)['PayableId'] : undefined;
  return {
    checkNumber: stringField(item.payload, 'CheckNumber'),
    bankId: stringField(item.payload, 'BankId') ?? item.record.bankId,
    payeeId: stringField(item.payload, 'PayeeId') ?? item.record.vendor.code ?? '',
    payableId: typeof payableId === 'string' ? payableId : (item.record.invoice.erpId ?? ''),
  };
}

/**
 * A call that threw instead of answering with a result. `committed` is what a failure with an answer means
 * for this call: `unknown` for the write (a Fault or 5xx may come after Yardi stored the check), `no` for reads.
 * Authentication is not a record's fault: the record fails with LL_ERP_AUTH and the message says what to fix.
 */
export function thrownOutcome(error: unknown, committed: 'no' | 'unknown'): Outcome {
  if (error instanceof HttpTransportError) {
    return Outcomes.transport(error.message, { reason: error.reason === 'timeout' ? 'timeout' : 'network', committed: error.committed });
  }
  if (error instanceof LedgerlinkError) {
    const erp = (error.details?.['erp'] as { message: string } | undefined) ?? undefined;
    switch (error.code) {
      case ErrorCodes.ERP_THROTTLED: {
        const retryAfterMs = error.details?.['retryAfterMs'];
        return Outcomes.throttled(error.message, {
          ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
          ...(erp === undefined ? {} : { erp }),
        });
      }
      case ErrorCodes.ERP_SERVER_ERROR:
        return Outcomes.serverError(error.message, { committed, ...(erp === undefined ? {} : { erp }) });
      case ErrorCodes.ERP_PROTOCOL:
        // An unreadable answer to a write may follow a commit: retry, looking the check up first.
        return Outcomes.serverError(error.message, { committed });
      default:
        return Outcomes.rejected(error.message, erp, error.code);
    }
  }
  throw error;
}
