/**
 * The client's reading of the agent's AP invoice creation and vendor routes (README.md, "Creating an AP invoice",
 * "Vendors"): the payloads the mappings produce and the answers read back. Unknown answer fields are ignored.
 */
import { z } from 'zod';

/** An id that becomes an erpId: never blank, padded, or holding control characters. */
const ErpKey = z
  .string()
  .min(1)
  .refine((value) => value.trim() === value && !/\p{Cc}/u.test(value), 'must not be blank, padded with spaces or hold control characters');
const Money = z.string().regex(/^\d{1,12}\.\d{2}$/, 'an amount with two decimals');
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** Sage's width of an AP invoice's and a distribution's description (API / APD records). */
export const DESCRIPTION_WIDTH = 30;

/** What `entities.requisition.export` produces: the body of `POST /v1/ap/invoices`. */
export const CreateInvoicePayload = z.object({
  vendor: ErpKey,
  invoice: ErpKey,
  description: z.string().optional(),
  amount: Money,
  retainage: Money.optional(),
  invoiceDate: Day,
  dueDate: Day.optional(),
  job: z.string().min(1).optional(),
  commitment: z.string().min(1).optional(),
  distributions: z
    .array(
      z.object({
        description: z.string().optional(),
        amount: Money,
        retainage: Money.optional(),
        job: z.string().min(1).optional(),
        costCode: z.string().min(1).optional(),
        category: z.string().min(1).optional(),
        commitment: z.string().min(1).optional(),
        commitmentItem: z.string().min(1).optional(),
      }),
    )
    .min(1),
});
export type CreateInvoicePayload = z.infer<typeof CreateInvoicePayload>;

/** An AP invoice as the agent shows it, the fields the bill export compares. */
export const AgentBill = z.object({ vendor: z.string(), invoice: z.string(), amount: z.string(), invoiceDate: z.string() });
export type AgentBill = z.infer<typeof AgentBill>;
export const CreateInvoiceAnswer = z.object({ created: z.boolean(), invoice: AgentBill });

/** What `entities.vendor.export` produces: the body of `POST /v1/ap/vendors`. */
export const CreateVendorPayload = z.object({
  vendor: ErpKey,
  name: z.string().min(1),
  status: z.enum(['Active', 'Inactive']),
  address: z.object({ street: z.string().optional(), city: z.string().optional(), state: z.string().optional(), zip: z.string().optional() }).optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  taxId: z.string().optional(),
});
export type CreateVendorPayload = z.infer<typeof CreateVendorPayload>;

export const AgentVendor = z.object({ vendor: z.string(), name: z.string() });
export const CreateVendorAnswer = z.object({ created: z.boolean(), vendor: AgentVendor });

/** A page of `GET /v1/ap/vendors`: raw vendor objects (the import mapping reads them), and the next cursor. */
export const VendorPage = z.object({
  vendors: z.array(z.record(z.string(), z.unknown())),
  nextCursor: z.string().min(1).nullable(),
});

/** "1234.50" -> 123450; undefined for anything else (the agent's amounts are compared exactly, never as floats). */
export function centsOfAmount(text: string): number | undefined {
  const match = /^(\d{1,12})\.(\d{2})$/.exec(text);
  return match === null ? undefined : Number(match[1]) * 100 + Number(match[2]);
}
