/**
 * Every path ledgerlink calls on Procore, in one file, so a first live company corrects the inferred ones here and
 * nowhere else. **[V]** = stated in Procore's public `procore/documentation` (`erp_integration/`,
 * `plan_your_app/webhooks*.md`); **[I]** = inferred from the documented endpoints' names and Procore's usual REST
 * conventions (the REST reference pages are not in that repository). `PLATFORM-WIRE.md` states the bodies.
 */

const seg = (value: string): string => encodeURIComponent(value);
const company = (companyId: string): string => `/rest/v1.0/companies/${seg(companyId)}`;

export const platformPaths = {
  /** [I] ERP connections of a company: GET (list), POST (create). */
  erpConnections: (companyId: string): string => `${company(companyId)}/erp_connections`,
  /** [I] One ERP connection: PATCH (metadata, name). */
  erpConnection: (companyId: string, id: string): string => `${company(companyId)}/erp_connections/${seg(id)}`,
  /** [I] "ERP Requests Show" [V by name]: the request a webhook's `resource_id` names. */
  erpRequest: (companyId: string, id: string): string => `${company(companyId)}/erp_requests/${seg(id)}`,
  /** [I] Request Details, filtered by status and paged: the fallback for lost webhooks. */
  erpRequestDetails: (companyId: string): string => `${company(companyId)}/erp_request_details`,
  /** [I] One Request Detail: PATCH closes it out ("Update ERP Request Detail" [V by name]). */
  erpRequestDetail: (companyId: string, id: string): string => `${company(companyId)}/erp_request_details/${seg(id)}`,
  /** [I] "Sync External Data" [V by name]: writes `origin_id`s. */
  externalDataSync: (companyId: string): string => `${company(companyId)}/external_data/sync`,
  /** [I] "Invoice Payments Sync" [V by name]: bulk create/update by `origin_id`. */
  invoicePaymentsSync: (companyId: string): string => `${company(companyId)}/invoice_payments/sync`,
  /** [I] "Invoice Payments Unlink" [V by name]. */
  invoicePaymentUnlink: (companyId: string, id: string): string => `${company(companyId)}/invoice_payments/${seg(id)}/unlink`,
  /** [I] ERP Requests of a company, `filters[request_name]=` and paged: finds `create_requisitions` (no detail). */
  erpRequests: (companyId: string): string => `${company(companyId)}/erp_requests`,
  /** [I] External Data of one object (`?item_type=&item_id=`): whether Procore shows it synced. */
  externalData: (companyId: string): string => `${company(companyId)}/external_data`,
  /** [V `PATCH /staged_records/sync`; prefix I] Staged Records sync: bulk create/update by item type and origin_id. */
  stagedRecordsSync: (companyId: string): string => `${company(companyId)}/erp/staged_records/sync`,
  /** [I] "Sync Company Vendors" [V by name]: updates vendors already synced, by `origin_id`. */
  vendorsSync: (companyId: string): string => `${company(companyId)}/vendors/sync`,
  /** [I] A company's vendors, paged, each with its `origin_id`. */
  vendors: (companyId: string): string => `${company(companyId)}/vendors`,
  /** [I] A company's vendor (its ERP id is `origin_id`). */
  vendor: (companyId: string, id: string): string => `${company(companyId)}/vendors/${seg(id)}`,
  /** [I] A project's requisition (subcontractor invoice): its ERP bill id is `origin_id` once synced. */
  requisition: (projectId: string, id: string): string => `/rest/v1.0/projects/${seg(projectId)}/requisitions/${seg(id)}`,
  /** [I] A project (`?company_id=`). */
  project: (projectId: string): string => `/rest/v1.0/projects/${seg(projectId)}`,
  /** [I] A company's projects (`?company_id=`, paged): where a requisition is looked for when its project is unknown. */
  projects: (): string => '/rest/v1.0/projects',
  /** [V] Webhook hooks: POST (create), GET `?company_id=` (list). */
  hooks: (): string => '/rest/v1.0/webhooks/hooks',
  /** [V] One hook: PATCH `?company_id=`. */
  hook: (id: string): string => `/rest/v1.0/webhooks/hooks/${seg(id)}`,
  /** [V] A hook's triggers: POST (create), GET `?company_id=` (list). */
  hookTriggers: (hookId: string): string => `/rest/v1.0/webhooks/hooks/${seg(hookId)}/triggers`,
} as const;

/** [V] The webhook resource of ERP Requests, and the event ledgerlink's trigger asks for. */
export const ERP_REQUESTS_RESOURCE = 'ERP Requests';
export const ERP_REQUESTS_EVENT = 'create';

/** [I] The largest page a list answers, and the most items one bulk write (External Data, Invoice Payments) takes. */
export const MAX_PER_PAGE = 100;
export const MAX_BULK = 100;
