import { z } from 'zod';
import { Cents, IsoDate, PositiveCents, Project, Vendor } from './payment.js';

const NonEmpty = z.string().trim().min(1, 'must not be empty');

/**
 * One line of a subcontractor invoice (Procore `create_requisitions` → `line_items[]`): what this period bills
 * against one commitment item, with the retainage held back from it.
 */
export const RequisitionLine = z.object({
  /** Hub line id (`procore_requisition_item_id`): the External Data key of the line. */
  id: NonEmpty,
  /** What the line bills (`description`). */
  description: z.string(),
  /** Work billed this period on the line, integer cents (`amount`); zero allowed (a line with retainage only). */
  amountCents: Cents,
  /** Retainage held back on the line this period, integer cents (`retainage_this_period`). */
  retainageCents: Cents,
  /** The cost code's ERP id (`cost_code_origin_id`): where the ERP posts the cost. */
  costCodeOriginId: NonEmpty.optional(),
  /** The commitment item's ERP id (`commitment_item_origin_id`). */
  commitmentItemOriginId: NonEmpty.optional(),
  /** The cost type's ERP id (`line_item_type_origin_id`). */
  costTypeOriginId: NonEmpty.optional(),
});
export type RequisitionLine = z.infer<typeof RequisitionLine>;

/** The commitment (subcontract or purchase order) a requisition bills against. */
export const CommitmentRef = z.object({
  /** Hub commitment id (`contract_id`). */
  id: NonEmpty,
  /** Its ERP id (`contract_origin_id`), once the commitment is synced. */
  erpId: NonEmpty.optional(),
});
export type CommitmentRef = z.infer<typeof CommitmentRef>;

/**
 * The canonical subcontractor invoice (Procore requisition, export direction): becomes the ERP's AP bill. Its
 * payment (the `Payment` of `payment.ts`) can only be exported once this has an ERP id.
 */
export const Requisition = z
  .object({
    /** Hub requisition id (`procore_requisition_id`): the ledger's key with the tenant. */
    id: NonEmpty,
    /** Invoice number (`invoice_number`): the bill's number in the ERP. */
    number: NonEmpty,
    /** Billing date (`billing_date`): the bill's date. */
    billingDate: IsoDate,
    /** When the bill is due, where the hub says so. */
    dueDate: IsoDate.optional(),
    /** The subcontractor billed: its ERP id must be known (the vendor is synced first). */
    vendor: Vendor,
    /** The project (ERP job: `job_origin_id` is `project.erpId`). */
    project: Project.extend({ erpId: NonEmpty.optional() }),
    commitment: CommitmentRef,
    /** The bill's total this period, integer cents: the sum of the lines' `amountCents`. */
    totalCents: PositiveCents,
    /** Retainage held back this period, integer cents: the sum of the lines' `retainageCents`. */
    retainageCents: Cents,
    lines: z.array(RequisitionLine).min(1, 'a requisition has at least one line'),
    notes: z.string().optional(),
  })
  .superRefine((requisition, context) => {
    const lines = requisition.lines.reduce((sum, line) => sum + line.amountCents, 0);
    if (lines !== requisition.totalCents) {
      context.addIssue({ code: 'custom', path: ['totalCents'], message: `the lines add up to ${lines} cents, not ${requisition.totalCents}` });
    }
    const retainage = requisition.lines.reduce((sum, line) => sum + line.retainageCents, 0);
    if (retainage !== requisition.retainageCents) {
      context.addIssue({ code: 'custom', path: ['retainageCents'], message: `the lines' retainage adds up to ${retainage} cents, not ${requisition.retainageCents}` });
    }
  });
export type Requisition = z.infer<typeof Requisition>;
