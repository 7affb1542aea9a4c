import { z } from 'zod';

const Secret = z.string().min(1, 'must not be empty');
const Id = z.string().trim().min(1, 'must not be empty');

/** A pattern that compiles; one that does not would throw at the first answer it is matched against. */
function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

/** One rule: Yardi's message codes that mean it, and case-insensitive patterns of its text. */
function rule(patterns: string[]) {
  return z
    .object({
      /** Message codes (the `code` attribute of a `Message`, or a Fault's detail code). */
      codes: z.array(z.string().min(1)).default([]),
      /** Case-insensitive regular expressions matched against the message text. */
      patterns: z.array(z.string().min(1).refine(compiles, 'must be a valid regular expression')).default(patterns),
    })
    .strict()
    .default({ codes: [], patterns });
}

/**
 * Yardi's namespace for the Vendor Invoicing interface, as Yardi's .asmx services name theirs
 * (`http://tempuri.org/YSI.Interfaces.WebServices/<interface>`). [I]: confirm from the customer's WSDL.
 */
export const DEFAULT_NAMESPACE = 'http://tempuri.org/YSI.Interfaces.WebServices/ItfVendorInvoicing';

/**
 * How the client recognises each business rule in Yardi's answer. Yardi's message format is not public, so a
 * rule is matched by the message's code when Yardi gives one, else by its text. The defaults match this
 * package's sandbox; confirm them on a first customer deployment (README). Every other error message is a
 * rejection (unknown payee, unknown payable...), with Yardi's text kept.
 */
export const YardiMessageRules = z
  .object({
    /** Check number already used on that bank: needs-edit `checkNumber`. */
    duplicateCheckNumber: rule(['check number .* already (?:exists|used)', 'duplicate check']),
    /** Bank not found: needs-edit `bankId`. */
    unknownBank: rule(['bank .*(?:not found|does not exist)', 'invalid bank']),
    /** Invoice number already used for the payee (requisition export): this requisition when amount and date match, else rejected. */
    duplicateInvoiceNumber: rule(['invoice number .* already exists', 'duplicate invoice']),
    /** Vendor code already taken (vendor export): this vendor when the name matches, else rejected. */
    duplicateVendor: rule(['vendor .* already exists', 'duplicate vendor']),
    /** Credentials or interface licence refused (a SOAP Fault): LL_ERP_AUTH. */
    authentication: rule(['password', 'user ?name', 'licen[cs]e', 'not authori[sz]ed', 'login failed']),
  })
  .strict();
export type YardiMessageRules = z.infer<typeof YardiMessageRules>;

/**
 * The connection settings of one Yardi Voyager database (a tenant's `connection:` block). Every SOAP call
 * carries the seven login fields in its body; secrets are `${env:NAME}` references in the runner's config and
 * never appear in errors or logs.
 */
export const YardiConfig = z
  .object({
    /** The Vendor Invoicing service URL, e.g. `https://www.yardiasp13.com/<client>/webservices/ItfVendorInvoicing.asmx`. */
    url: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the Vendor Invoicing .asmx service' }),
    /** The interface user's name (`UserName`). */
    userName: Id,
    /** The interface user's password (`Password`). Reference it as `${env:YARDI_PASSWORD}`, never inline. */
    password: Secret,
    /** The database server (`ServerName`), as Yardi gives it with the interface credentials. */
    serverName: Id,
    /** The Voyager database (`Database`). */
    database: Id,
    /** `Platform`: `SQL Server` or `Oracle`. */
    platform: z.enum(['SQL Server', 'Oracle']).default('SQL Server'),
    /** The licensed interface entity (`InterfaceEntity`), the vendor name on the interface licence. */
    interfaceEntity: Id,
    /** The interface licence key (`InterfaceLicense`). Reference it as `${env:YARDI_INTERFACE_LICENSE}`. */
    interfaceLicense: Secret,
    /** The SOAP namespace of the service (from the WSDL's targetNamespace). */
    namespace: z.url().default(DEFAULT_NAMESPACE),
    /** First check date the import reads when it has no cursor (YYYY-MM-DD): the customer's go-live date. */
    importStartDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').default('2020-01-01'),
    /** Days per `GetCheckInvoice` date window: one window is one page. */
    importWindowDays: z.number().int().min(1).max(3660).default(366),
    /**
     * Days before the cursor that each import reads again: a check entered or posted late, with an earlier
     * check date, is still seen. Re-reads are harmless (the hub write is keyed by the check id).
     */
    importLookbackDays: z.number().int().min(0).max(366).default(7),
    /**
     * The `YardiPropertyId`s the vendor import reads with `GetVendors_Login` (one page each) and the vendor export
     * creates vendors under (`ImportVendors_Login`, the first one). Empty (the default): one call with an empty
     * property id [U: whether Voyager then answers every vendor].
     */
    vendorPropertyIds: z.array(z.string().trim()).default([]),
    /** How the client recognises Yardi's messages; see {@link YardiMessageRules}. */
    messageRules: YardiMessageRules.default(YardiMessageRules.parse({})),
  })
  .strict();

/** The validated connection settings. */
export type YardiConfig = z.infer<typeof YardiConfig>;
/** The settings as written in a tenant's config, before defaults. */
export type YardiConfigInput = z.input<typeof YardiConfig>;
