import { z } from 'zod';

/** Path segments of the Direct API URL: letters, digits, `_` and `-`, so nothing can escape the route. */
const Segment = z.string().trim().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" or "-" only (a path segment of the Direct API URL)');

/**
 * The connection settings of one Vista company through the Trimble App Xchange Direct API (a tenant's
 * `connection:` block). The application key is given as a `${env:NAME}` reference in the runner's config and
 * never appears in errors or logs.
 */
export const VistaConfigSchema = z
  .object({
    /** API host; Trimble's is `https://api.xchange.trimble.com` (a test instance has its own key, same host). */
    baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.xchange.trimble.com' }).default('https://api.xchange.trimble.com'),
    /** The subscriber UID Trimble assigns to the customer's Vista (the `{subscriberUid}` of every URL). */
    subscriberUid: Segment,
    /** The `X-Application-Key` Trimble issues per environment. */
    applicationKey: z.string().trim().min(1, 'must not be empty; set it to ${env:VISTA_APPLICATION_KEY}'),
    /** The Vista module of the AP payment object (the `{module}` segment). */
    module: Segment.default('ap'),
    /** The Direct API version of that module (the `{apiVersion}` segment). */
    apiVersion: Segment.default('1'),
    /**
     * The AP payment data object the `create` action and the cache reads use. Its exact name is not public
     * ([U]); Trimble lists "Payment Histories" among the AP objects. Confirm on the first deployment.
     */
    paymentObject: Segment.default('paymenthistories'),
    /**
     * The AP invoice data object requisitions are created in ([U]; Trimble lists "Invoices" among the AP
     * objects). `invoices` when absent.
     */
    invoiceObject: Segment.optional(),
    /** The AP vendor data object ([U]; Trimble lists "Vendors"). `vendors` when absent. */
    vendorObject: Segment.optional(),
    /** The Vista AP company (`APCo`) the payments belong to. */
    apCompany: z.number().int().min(1).max(255),
    /** The vendor group (`VendorGroup`) of the AP company's vendors; the AP company's number when absent. */
    vendorGroup: z.number().int().min(1).max(255).optional(),
    /** Records per cache page (`limit`), at most 1000. */
    pageSize: z.number().int().min(1).max(1000).default(1000),
  })
  .strict();

export type VistaConfig = z.infer<typeof VistaConfigSchema>;
