import type { z } from 'zod';
import type { Direction, Entity } from '../connector/capabilities.js';
import { Payment, PaymentIssued } from '../model/payment.js';
import { Requisition } from '../model/requisition.js';
import { ErpVendor, HubVendor } from '../model/vendor.js';

/** The canonical schema on one side of a mapping, as the mapping language uses it. */
export interface ModelSide {
  schema: z.ZodType;
  /** How problems name it: "payment has no field 'vendor.nmae'". */
  label: string;
  /** The field that identifies a record, named in every apply-time error. */
  idField: string;
}

/**
 * Per entity: what an export mapping reads (the canonical record) and what an import mapping must produce.
 * A new entity is one entry here and one schema in core/model.
 */
export const MAPPING_MODELS: Record<Entity, Partial<Record<Direction, ModelSide>>> = {
  payment: {
    export: { schema: Payment, label: 'payment', idField: 'id' },
    import: { schema: PaymentIssued, label: 'payment issued', idField: 'erpPaymentId' },
  },
  requisition: {
    export: { schema: Requisition, label: 'requisition', idField: 'id' },
  },
  vendor: {
    export: { schema: HubVendor, label: 'vendor', idField: 'id' },
    import: { schema: ErpVendor, label: 'ERP vendor', idField: 'erpVendorId' },
  },
};
