/**
 * The client's reading of agent protocol v1 (README.md): the request it sends and the answers it reads.
 * Answers may carry fields this client does not know (the agent may add them within v1); they are ignored.
 */
import { z } from 'zod';

/** The protocol major version this client speaks (the `/v1` path prefix). */
export const AGENT_PROTOCOL = '1';

/**
 * An id that addresses an invoice and becomes the payment's erpId: a blank or padded one would mark nothing (or
 * another invoice) and settle the payment on it.
 */
const InvoiceKey = z
  .string()
  .min(1)
  .refine((value) => value.trim() === value && !/\p{Cc}/u.test(value), 'must not be blank, padded with spaces or hold control characters');

/** What the export mapping (mapping.yaml) produces for one payment: the address and the body of the PUT. */
export const SetCodesPayload = z.object({
  /** Sage vendor id (up to 10 characters). */
  vendor: InvoiceKey,
  /** Sage invoice number (up to 15 characters). */
  invoice: InvoiceKey,
  invoiceCode1: z.string().min(1),
  invoiceCode2: z.string().min(1),
  /** Sage AP bank code the check is drawn on. */
  bank: z.string().min(1),
  /** The amount paid, exact decimal; the agent compares it with the invoice's open balance. */
  amount: z.string().optional(),
  /** The date the check is recorded with in Sage. */
  checkDate: z.string().optional(),
});
export type SetCodesPayload = z.infer<typeof SetCodesPayload>;

export const AgentInvoice = z.object({
  vendor: z.string(),
  invoice: z.string(),
  amount: z.string().optional(),
  balance: z.string().optional(),
  status: z.string().optional(),
  invoiceCode1: z.string(),
  invoiceCode2: z.string(),
  bank: z.string().nullable().optional(),
  /** The check date the agent recorded with the codes (`null` before). */
  checkDate: z.string().nullable().optional(),
});
export type AgentInvoice = z.infer<typeof AgentInvoice>;

export const SetCodesAnswer = z.object({ changed: z.boolean(), invoice: AgentInvoice });

export const HealthAnswer = z.object({
  status: z.string(),
  protocols: z.array(z.string()),
  agent: z.object({ name: z.string(), version: z.string() }).optional(),
  sage: z.object({ company: z.string().optional(), version: z.string().optional() }).optional(),
});

export const AgentErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    found: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type AgentErrorBody = z.infer<typeof AgentErrorBody>;

/** `/v1/ap/invoices/{vendor}/{invoice}` with each id percent-encoded (an invoice number may hold a `/`). */
export function invoicePath(vendor: string, invoice: string): string {
  return `/v1/ap/invoices/${encodeURIComponent(vendor)}/${encodeURIComponent(invoice)}`;
}

/** The erpId of a synced payment: the invoice it selected for payment, `<vendor>/<invoice>`. */
export function paymentErpId(vendor: string, invoice: string): string {
  return `${vendor}/${invoice}`;
}

/** Parses a JSON body against a schema; undefined when it is not JSON or not that shape. */
export function readJson<T>(schema: z.ZodType<T>, body: string): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
