/**
 * The agent's rules for `POST /v1/ap/invoices` (README.md, "Creating an AP invoice"), in the order given there:
 * shape, Sage's field widths, amounts that add up, vendor, cost codes, the invoice number free for the vendor,
 * then the invoice created with its distributions. The fields are those of Sage's AP import records API
 * (invoice) and APD (distribution).
 */
import { z } from 'zod';
import { amountText, centsOf } from './amounts.js';
import { type AgentAnswer, type ApCompany, type ApDistribution, agentError, invoiceJson } from './ap-company.js';

const Amount = z.string().regex(/^\d{1,12}\.\d{2}$/, 'a decimal amount with two decimals, such as "1250.00"');
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const Text = z.string().max(200);

const Distribution = z.strictObject({
  description: Text.default(''),
  amount: Amount,
  retainage: Amount.default('0.00'),
  job: Text.optional(),
  costCode: Text.optional(),
  category: Text.optional(),
  commitment: Text.optional(),
  commitmentItem: Text.optional(),
});

export const CreateInvoiceBody = z.strictObject({
  vendor: z.string().min(1).max(200),
  invoice: z.string().min(1).max(200),
  description: Text.default(''),
  amount: Amount,
  retainage: Amount.default('0.00'),
  invoiceDate: Day,
  dueDate: Day.optional(),
  job: Text.optional(),
  commitment: Text.optional(),
  distributions: z.array(Distribution).min(1).max(500),
});
export type CreateInvoiceBody = z.infer<typeof CreateInvoiceBody>;

/** Sage 300 CRE's widths of the AP import fields (API / APD records). */
const WIDTHS: Record<string, number> = { vendor: 10, invoice: 15, description: 30, job: 10, costCode: 12, category: 3, commitment: 10, commitmentItem: 10 };

function tooLong(field: string, value: string | undefined): AgentAnswer | undefined {
  const name = field.split('.').pop() as string;
  const max = WIDTHS[name];
  if (value === undefined || max === undefined || value.length <= max) return undefined;
  return agentError(422, 'FIELD_TOO_LONG', `${field} holds at most ${max} characters in Sage AP; "${value}" has ${value.length}.`, {
    field,
    maxLength: max,
    length: value.length,
  });
}

/** Creates one AP invoice with its distributions, or answers why not. */
export function createInvoice(company: ApCompany, body: CreateInvoiceBody): AgentAnswer {
  for (const field of ['vendor', 'invoice', 'description', 'job', 'commitment'] as const) {
    const refused = tooLong(field, body[field]);
    if (refused) return refused;
  }
  for (const [index, line] of body.distributions.entries()) {
    for (const field of ['description', 'job', 'costCode', 'category', 'commitment', 'commitmentItem'] as const) {
      const refused = tooLong(`distributions.${index}.${field}`, line[field]);
      if (refused) return refused;
    }
  }
  const amountCents = centsOf(body.amount) as number;
  const retainageCents = centsOf(body.retainage) as number;
  const lines = body.distributions.map((line) => ({ amountCents: centsOf(line.amount) as number, retainageCents: centsOf(line.retainage) as number }));
  const linesAmount = lines.reduce((sum, line) => sum + line.amountCents, 0);
  const linesRetainage = lines.reduce((sum, line) => sum + line.retainageCents, 0);
  if (linesAmount !== amountCents || linesRetainage !== retainageCents) {
    return agentError(
      422,
      'DISTRIBUTION_MISMATCH',
      `The distributions add up to ${amountText(linesAmount)} with retainage ${amountText(linesRetainage)}, not the invoice's ${body.amount} with retainage ${body.retainage}.`,
      { amount: body.amount, retainage: body.retainage, distributionsAmount: amountText(linesAmount), distributionsRetainage: amountText(linesRetainage) },
    );
  }
  if (retainageCents > amountCents) {
    return agentError(422, 'RETAINAGE_ABOVE_AMOUNT', `Retainage ${body.retainage} is above the invoice amount ${body.amount}.`, { amount: body.amount, retainage: body.retainage });
  }
  const vendor = company.vendors.get(body.vendor);
  if (!vendor) return agentError(404, 'VENDOR_NOT_FOUND', `Vendor ${body.vendor} does not exist in Sage AP.`, { vendor: body.vendor });
  if (company.costCodes) {
    const known = company.costCodes;
    const index = body.distributions.findIndex((line) => line.costCode !== undefined && !known.has(line.costCode));
    if (index >= 0) {
      const costCode = body.distributions[index]?.costCode as string;
      return agentError(422, 'COST_CODE_NOT_FOUND', `Cost code ${costCode} (distribution ${index + 1}) is not set up for the job in Sage.`, {
        field: `distributions.${index}.costCode`,
        costCode,
      });
    }
  }
  const existing = company.invoices.get(body.vendor)?.get(body.invoice);
  if (existing) {
    return agentError(
      409,
      'DUPLICATE_INVOICE',
      `Vendor ${body.vendor} already has invoice ${body.invoice} in Sage AP (${existing.invoiceDate}, ${amountText(existing.amountCents)}).`,
      { vendor: body.vendor, invoice: body.invoice, invoiceDate: existing.invoiceDate, amount: amountText(existing.amountCents) },
    );
  }
  const distributions: ApDistribution[] = body.distributions.map((line, index) => ({
    description: line.description,
    amountCents: lines[index]?.amountCents ?? 0,
    retainageCents: lines[index]?.retainageCents ?? 0,
    job: line.job ?? body.job ?? null,
    costCode: line.costCode ?? null,
    category: line.category ?? null,
    commitment: line.commitment ?? body.commitment ?? null,
    commitmentItem: line.commitmentItem ?? null,
  }));
  const created = company.addInvoice({
    vendor: body.vendor,
    invoice: body.invoice,
    description: body.description,
    invoiceDate: body.invoiceDate,
    amountCents,
    // The retainage is held until released: what a check run pays now is the rest.
    balanceCents: amountCents - retainageCents,
    retainageCents,
    dueDate: body.dueDate ?? null,
    job: body.job ?? null,
    commitment: body.commitment ?? null,
    distributions,
    createdByAgent: true,
  });
  return { status: 201, body: { created: true, invoice: invoiceJson(created) } };
}
