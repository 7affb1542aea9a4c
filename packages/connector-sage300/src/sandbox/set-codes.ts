/**
 * The agent's rules for `PUT /v1/ap/invoices/{vendor}/{invoice}/codes`, in the order README.md gives them:
 * widths, vendor and invoice, same codes (harmless), bank, conflicting codes, paid or different balance,
 * duplicate check, then both codes set together.
 */
import { amountText, centsOf } from './amounts.js';
import { type AgentAnswer, type ApCompany, type ApInvoice, type SetCodesRequest, agentError, invoiceJson, invoiceStatus } from './ap-company.js';

/** Sets both codes of one invoice together, or answers why not. */
export function setCodes(company: ApCompany, vendor: string, invoiceNumber: string, request: SetCodesRequest, now: Date): AgentAnswer {
  for (const field of ['invoiceCode1', 'invoiceCode2'] as const) {
    const value = request[field];
    if (value.length > company.codeMaxLength) {
      const label = field === 'invoiceCode1' ? 'Invoice Code 1' : 'Invoice Code 2';
      return agentError(
        422,
        'CODE_TOO_LONG',
        `${label} holds at most ${company.codeMaxLength} characters in this company; "${value}" has ${value.length}.`,
        { field, maxLength: company.codeMaxLength, length: value.length },
      );
    }
  }
  const located = company.locate(vendor, invoiceNumber);
  if (!('invoiceCode1' in located)) return located;
  const invoice = located;
  const label = `Invoice ${invoice.invoice} of vendor ${invoice.vendor}`;

  // The same codes again change nothing: a retry of a committed request is always answered alike.
  if (invoice.invoiceCode1 === request.invoiceCode1 && invoice.invoiceCode2 === request.invoiceCode2) {
    return { status: 200, body: { changed: false, invoice: invoiceJson(invoice) } };
  }

  if (!company.banks.has(request.bank)) {
    const known = [...company.banks.keys()];
    return agentError(
      422,
      'BANK_NOT_FOUND',
      `Bank ${request.bank} is not an AP bank in Sage.${known.length > 0 ? ` AP banks: ${known.join(', ')}.` : ''}`,
      { bank: request.bank, banks: known },
    );
  }

  const conflict = codeConflict(invoice, request);
  if (conflict) return conflict;

  if (invoice.balanceCents === 0) {
    return agentError(409, 'INVOICE_PAID', `${label} is Fully paid in Sage; there is nothing left to select for payment.`, {
      status: invoiceStatus(invoice),
      balance: amountText(invoice.balanceCents),
    });
  }
  if (request.amount !== undefined) {
    const amountCents = centsOf(request.amount);
    if (amountCents === undefined) return agentError(400, 'INVALID_AMOUNT', `amount "${request.amount}" is not an amount with at most two decimals, e.g. "1234.50"`, { amount: request.amount });
    if (amountCents !== invoice.balanceCents) {
      const balance = amountText(invoice.balanceCents);
      return agentError(
        409,
        'AMOUNT_MISMATCH',
        `${label} has an open balance of ${balance} in Sage, not ${amountText(amountCents)}; a check run would pay ${balance}.`,
        { amount: amountText(amountCents), balance, status: invoiceStatus(invoice) },
      );
    }
  }

  const duplicate = duplicateCheck(company, invoice, request);
  if (duplicate) return duplicate;

  invoice.invoiceCode1 = request.invoiceCode1;
  invoice.invoiceCode2 = request.invoiceCode2;
  invoice.bank = request.bank;
  invoice.checkDate = request.checkDate ?? null;
  invoice.codesSetAt = now.toISOString();
  invoice.setByAgent = true;
  return { status: 200, body: { changed: true, invoice: invoiceJson(invoice) } };
}


function codeConflict(invoice: ApInvoice, request: SetCodesRequest): AgentAnswer | undefined {
  const label = `Invoice ${invoice.invoice} of vendor ${invoice.vendor}`;
  const found = { invoiceCode1: invoice.invoiceCode1, invoiceCode2: invoice.invoiceCode2 };
  const problems: string[] = [];
  if (request.expect) {
    // Compare-and-set: every code named in `expect` must hold exactly that value now ("" = blank).
    for (const [field, name] of [['invoiceCode1', 'Invoice Code 1'], ['invoiceCode2', 'Invoice Code 2']] as const) {
      const expected = request.expect[field];
      if (expected !== undefined && invoice[field] !== expected) {
        problems.push(`${name} = ${invoice[field] === '' ? '(blank)' : invoice[field]}, not ${expected === '' ? '(blank)' : expected} as expected`);
      }
    }
    if (problems.length === 0) return undefined;
    return agentError(409, 'CODE_CONFLICT', `${label} has ${problems.join(' and ')}. Read it again and retry.`, found);
  }
  // Without `expect` the agent only fills blank codes: it never overwrites what someone else put there.
  const fixes: string[] = [];
  if (invoice.invoiceCode1 !== '' && invoice.invoiceCode1 !== request.invoiceCode1) {
    problems.push(`Invoice Code 1 = ${invoice.invoiceCode1}; expected ${request.invoiceCode1}`);
    fixes.push('Clear Invoice Code 1 in Sage AP');
  }
  if (invoice.invoiceCode2 !== '' && invoice.invoiceCode2 !== request.invoiceCode2) {
    problems.push(`Invoice Code 2 = ${invoice.invoiceCode2}; expected ${request.invoiceCode2}`);
    fixes.push(fixes.length > 0 ? 'Invoice Code 2 there, or correct the check number' : 'Clear it in Sage AP or correct the check number');
  }
  if (problems.length === 0) return undefined;
  return agentError(409, 'CODE_CONFLICT', `${label} already has ${problems.join(', and ')}. ${fixes.join(' and ')}.`, found);
}

/**
 * A check number is one check on one bank account: refused when Sage's check register already has it for
 * that bank, or when another invoice was already selected for payment with it on that bank.
 */
function duplicateCheck(company: ApCompany, invoice: ApInvoice, request: SetCodesRequest): AgentAnswer | undefined {
  const checkNumber = request.invoiceCode2;
  const issued = company.checks.find((check) => check.bank === request.bank && check.checkNumber === checkNumber);
  if (issued) {
    return agentError(
      409,
      'DUPLICATE_CHECK',
      `Check ${checkNumber} on bank ${request.bank} is already in Sage's check register (vendor ${issued.vendor}, ${issued.date}). Use another check number.`,
      { bank: request.bank, checkNumber, source: 'check-register', vendor: issued.vendor, invoice: issued.invoice, date: issued.date },
    );
  }
  const selected = company.allInvoices().find(
    (other) =>
      other !== invoice &&
      other.bank === request.bank &&
      other.invoiceCode1 === request.invoiceCode1 &&
      other.invoiceCode2 === checkNumber,
  );
  if (selected) {
    return agentError(
      409,
      'DUPLICATE_CHECK',
      `Check ${checkNumber} on bank ${request.bank} is already Invoice Code 2 of invoice ${selected.invoice} of vendor ${selected.vendor}. Use another check number.`,
      { bank: request.bank, checkNumber, source: 'invoice-codes', vendor: selected.vendor, invoice: selected.invoice },
    );
  }
  return undefined;
}
