import { z } from 'zod';
import { MAX_CENTS } from './money.js';

/** An ISO calendar date, `YYYY-MM-DD`, that exists on the calendar. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'not a calendar date');

/** Integer cents, strictly positive: zero and negative payments are refused with this reason. */
export const PositiveCents = z
  .number()
  .int('amounts are integer cents')
  .positive('amount must be greater than zero')
  .max(MAX_CENTS, 'amount is out of range');

/** Integer cents, zero allowed (tax, markups, balances). */
export const Cents = z.number().int('amounts are integer cents').min(0, 'amount cannot be negative').max(MAX_CENTS);

const NonEmpty = z.string().trim().min(1, 'must not be empty');

export const PaymentMethod = z.enum(['ach', 'check']);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

/** Procore Pay disbursement states a payment record passes through; export starts at `funding_complete`. */
export const PaymentStatus = z.enum(['pending', 'funding_in_progress', 'funding_complete', 'paid', 'failed', 'voided']);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

/** The hub's vendor (a company in the Procore directory), as far as payments need it. */
export const Vendor = z.object({
  /** Hub vendor id (seed: Vendor ID). */
  id: NonEmpty,
  /** Display name (seed: Company). */
  name: NonEmpty,
  /** The vendor's code in the ERP where the customer keeps one (seed: Vendor Code, Yardi Payee ID). */
  code: NonEmpty.optional(),
  /** The vendor's id in the ERP, once linked. */
  erpId: NonEmpty.optional(),
});
export type Vendor = z.infer<typeof Vendor>;

/** A subcontractor invoice (requisition) as far as the invoice-before-payment rule needs it. */
export const Invoice = z.object({
  /** Hub invoice id. */
  id: NonEmpty,
  /** Invoice number (seed: Invoice No. / Invoice Number). */
  number: NonEmpty,
  /** The invoice's total, in cents; a payment below it is a partial payment. */
  amountCents: PositiveCents,
  /** The bill's id in the ERP. Absent until the invoice is synced: then its payment is `blocked`. */
  erpId: NonEmpty.optional(),
  /** The commitment (subcontract / purchase order) the invoice bills against. */
  commitmentId: NonEmpty.optional(),
});
export type Invoice = z.infer<typeof Invoice>;

export const Project = z.object({
  /** Hub project id. */
  id: NonEmpty,
  /** Project number (seed: Project Number; Yardi Property ID). */
  number: NonEmpty,
  name: NonEmpty.optional(),
});
export type Project = z.infer<typeof Project>;

/**
 * The canonical payment (export direction): a payment record of a paid subcontractor invoice, in the hub's
 * vocabulary (the left column of the seed tables).
 */
export const Payment = z.object({
  /** Hub payment id: stable, the ledger's key together with the tenant. */
  id: NonEmpty,
  /** Disbursement status (seed: Payment Status). Export starts at `funding_complete`. */
  status: PaymentStatus,
  /** Amount paid, integer cents > 0 (seed: Amount / Paid Amount). */
  amountCents: PositiveCents,
  /** Payment method (seed: Payment Method; QuickBooks Online takes ACH as Check). */
  method: PaymentMethod,
  /** Date the payment was funded (seed: Date Payment Funded). */
  fundedOn: IsoDate,
  /** Date paid (seed: Date Paid; Yardi's Payment Date). */
  paidOn: IsoDate.optional(),
  /** Bank ID of the funding account (seed: Bank ID); editable after a failed export. */
  bankId: NonEmpty,
  /** Check number (seed: Check Number); editable after a failed export. */
  checkNumber: NonEmpty.optional(),
  /** Payment number (seed: Payment Number). */
  paymentNumber: NonEmpty.optional(),
  /** Notes (seed: Notes). */
  notes: z.string().optional(),
  vendor: Vendor,
  invoice: Invoice,
  project: Project,
  /** The commitment the paid invoice belongs to. */
  commitmentId: NonEmpty.optional(),
  /** Tax on the payment: not supported when syncing payments, refused when non-zero. */
  taxCents: Cents.optional(),
  /** Markups on the payment: not supported when syncing payments, refused when non-zero. */
  markupCents: Cents.optional(),
});
export type Payment = z.infer<typeof Payment>;

/**
 * A payment as the ERP issued it (import direction): becomes a "Payment Issued" on the commitment in the hub.
 */
export const PaymentIssued = z.object({
  /** The ERP's own id of the payment: the import's natural key (written to the hub as `origin_id`). */
  erpPaymentId: NonEmpty,
  /** The ERP's id of the bill it pays. */
  erpInvoiceId: NonEmpty.optional(),
  /** The invoice number it pays. */
  invoiceNumber: NonEmpty.optional(),
  /** The commitment it pays, when the ERP knows it. */
  commitmentId: NonEmpty.optional(),
  /** The ERP's vendor id. */
  vendorErpId: NonEmpty.optional(),
  amountCents: PositiveCents,
  paidOn: IsoDate,
  method: PaymentMethod,
  checkNumber: NonEmpty.optional(),
  /** The bank/checking account in the ERP. */
  bankId: NonEmpty.optional(),
  /** The payment's status as the ERP states it (e.g. Intacct 'Approved'). */
  erpStatus: NonEmpty,
  paymentNumber: NonEmpty.optional(),
  notes: z.string().optional(),
  projectNumber: NonEmpty.optional(),
});
export type PaymentIssued = z.infer<typeof PaymentIssued>;

/** True when the payment pays less than its invoice's total. */
export function isPartialPayment(payment: Pick<Payment, 'amountCents' | 'invoice'>): boolean {
  return payment.amountCents < payment.invoice.amountCents;
}
