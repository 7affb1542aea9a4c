import { z } from 'zod';

const NonEmpty = z.string().trim().min(1, 'must not be empty');

/** A postal address as Procore's directory keeps it (every part optional: the directory often has none). */
export const Address = z.object({
  street: NonEmpty.optional(),
  city: NonEmpty.optional(),
  /** State or province code (`state_code`). */
  stateCode: NonEmpty.optional(),
  zip: NonEmpty.optional(),
  /** ISO 3166-1 alpha-2 (`country_code`). */
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'a two-letter country code such as "US"').optional(),
});
export type Address = z.infer<typeof Address>;

/**
 * The canonical vendor (export direction): a company of Procore's directory (`create_vendor` → `vendor`), to be
 * created as the ERP's AP vendor. Its ERP id, once known, is written back as External Data `origin_id`.
 */
export const HubVendor = z.object({
  /** Hub vendor id: the ledger's key with the tenant. */
  id: NonEmpty,
  /** Legal or display name (`name` / `company`). */
  name: NonEmpty,
  /** The vendor's code in the ERP where the customer keeps one (`origin_code`, `abbreviated_name`). */
  code: NonEmpty.optional(),
  address: Address.optional(),
  email: NonEmpty.optional(),
  phone: NonEmpty.optional(),
  /** Tax id (US EIN/SSN for 1099s) where the hub holds it. */
  taxId: NonEmpty.optional(),
  /** Inactive vendors are still exported (the ERP may need them for history) but flagged inactive. */
  isActive: z.boolean(),
});
export type HubVendor = z.infer<typeof HubVendor>;

/**
 * A vendor as the ERP holds it (import direction, `sync_vendors`): staged in Procore as a Staged Record with
 * `origin_id` = `erpVendorId`, or updating the hub vendor already linked to it.
 */
export const ErpVendor = z.object({
  /** The ERP's own id of the vendor: the import's natural key (the Staged Record's `origin_id`). */
  erpVendorId: NonEmpty,
  name: NonEmpty,
  /** The vendor's code or number in the ERP (`origin_code`). */
  code: NonEmpty.optional(),
  address: Address.optional(),
  email: NonEmpty.optional(),
  phone: NonEmpty.optional(),
  isActive: z.boolean(),
  /** The ERP's status text as it states it (e.g. Intacct 'active'). */
  erpStatus: NonEmpty.optional(),
});
export type ErpVendor = z.infer<typeof ErpVendor>;
