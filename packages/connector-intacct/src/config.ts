import { z } from 'zod';

/** The real Sage Intacct XML gateway: every login goes here; a session may name another endpoint. */
export const INTACCT_GATEWAY_URL = 'https://api.intacct.com/ia/xml/xmlgw.phtml';

const Secret = z.string().min(1, 'must not be empty');
const Id = z.string().trim().min(1, 'must not be empty');

/**
 * Error numbers that name a business rule. Intacct's exact `errorno` values for these are not public, so the
 * defaults are placeholders (see README, "What a first customer deployment must confirm"); the client also
 * recognises each case by the field the error text names, so an unknown code still lands in the right place.
 */
export const IntacctErrorCodes = z
  .object({
    /** Check (document) number already used on that checking account: needs-edit `checkNumber`. */
    duplicateCheckNumber: z.array(z.string().min(1)).default(['BL01001973']),
    /** Checking account (`FINANCIALENTITY`) not found: needs-edit `bankId`. */
    unknownBankAccount: z.array(z.string().min(1)).default(['BL01001974']),
    /** Vendor (`VENDORID`) not found: rejected. */
    unknownVendor: z.array(z.string().min(1)).default(['BL01001975']),
    /** Bill (`RECORDKEY`) not found: rejected. */
    unknownBill: z.array(z.string().min(1)).default(['BL01001976']),
    /** Bill number (`RECORDID`) already used for the vendor: the requisition is rejected (or settled, when it is this one). */
    duplicateBillNumber: z.array(z.string().min(1)).default(['BL01001980']),
    /** GL account (`ACCOUNTNO`) of a bill line not found: rejected, naming the cost code's account. */
    unknownAccount: z.array(z.string().min(1)).default(['BL01001981']),
    /** Vendor ID (`VENDORID`) already used by another vendor: rejected with the vendor to link instead. */
    duplicateVendorId: z.array(z.string().min(1)).default(['BL01001982']),
    /**
     * A function `controlid` that already completed, sent again with `uniqueid=true`: the client looks the payment
     * up (as it does for any refusal a resend can meet, so an unknown code still settles a replay).
     */
    controlIdAlreadyUsed: z.array(z.string().min(1)).default(['XL03000017']),
  })
  .strict();
export type IntacctErrorCodes = z.infer<typeof IntacctErrorCodes>;

/** The connection settings of one Intacct company (a tenant's `connection:` block). */
export const IntacctConfig = z
  .object({
    /** The XML gateway used to log in. Defaults to Intacct's; a session may move later calls to the endpoint it names. */
    endpointUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(INTACCT_GATEWAY_URL),
    /** Web Services sender ID (the ISV's sender credentials, authorised in the company's Web Services settings). */
    senderId: Id,
    /** Web Services sender password. Reference it as `${env:INTACCT_SENDER_PASSWORD}`, never inline. */
    senderPassword: Secret,
    /** Intacct company ID. */
    companyId: Id,
    /** Web Services user ID in that company. */
    userId: Id,
    /** That user's password. Reference it as `${env:INTACCT_USER_PASSWORD}`, never inline. */
    userPassword: Secret,
    /**
     * Entity to take the API session into (`getAPISession/locationid`) when it differs from the sign-in entity:
     * for a multi-entity company signed in at the top level.
     */
    locationId: Id.optional(),
    /** Entity (location) to sign in to (`login/locationid`); absent = the top level. */
    entity: Id.optional(),
    /** Payments per import page (`query` `pagesize`); Intacct returns at most 2,000 rows per call. */
    pageSize: z.number().int().min(1).max(2000).default(100),
    /** Error numbers per business rule; see {@link IntacctErrorCodes}. */
    errorCodes: IntacctErrorCodes.default(IntacctErrorCodes.parse({})),
  })
  .strict();

/** The validated connection settings. */
export type IntacctConfig = z.infer<typeof IntacctConfig>;
/** The settings as written in a tenant's config, before defaults. */
export type IntacctConfigInput = z.input<typeof IntacctConfig>;
