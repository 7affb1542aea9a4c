import {
  ErrorCodes,
  isLedgerlinkError,
  type ClientContext,
  type CloseOut,
  type ErpRequest,
  type ExternalDataUpdate,
  type HubClient,
  type Invoice,
  type LoadContext,
  type PaymentIssuedResult,
  type PaymentIssuedWrite,
  type StagedRecordResult,
  type StagedRecordWrite,
  type VendorUpdate,
  type VendorUpdateResult,
} from '@ledgerlink/core';
import type { ProcoreConfig } from './config.js';
import { contractPayment, readRequisition, type RequisitionPlaces } from './contract-payment.js';
import { closeOut, fetchErpRequest, openRequests, readOriginId } from './erp-requests.js';
import { HubReads } from './hub-reads.js';
import { syncStagedRecords } from './hub-staged-records.js';
import { readHubVendor, readVendorLinks, syncVendors } from './hub-vendors.js';
import { requisitionBatch } from './requisition-batch.js';
import { readRequisitionReset } from './requisitions.js';
import { createHubSetup } from './hub-setup.js';
import { syncExternalData, syncPaymentsIssued, unlinkPaymentIssued } from './hub-writes.js';
import { platformPaths } from './platform-paths.js';
import { ProcoreApi } from './procore-api.js';
import { ProcoreTokens } from './procore-tokens.js';
import { procoreId, property } from './procore-wire.js';

/** The Procore hub client, with what tests and the runner's metrics may read besides the contract. */
export interface ProcoreHubClient extends HubClient {
  /** Access tokens granted so far (client credentials: one per expiry or refusal). */
  tokenGrants(): number;
}

/**
 * The Procore ERP Platform client of one service account: ERP Requests in, close-outs, External Data and payments
 * issued out, and the company setup. Every call goes through the hub's lane.
 */
export function createProcoreHubClient(context: ClientContext<ProcoreConfig>): ProcoreHubClient {
  const { config, http, lane, now } = context;
  const logger = context.logger.child({ connector: 'procore' });
  const tokens = new ProcoreTokens(config, http, logger, now);
  const api = new ProcoreApi(config, http, lane, tokens, now);
  const reads = new HubReads(api, now);
  const places: RequisitionPlaces = new Map();
  // `create_requisitions` batches found fully synced by the fallback: not read again (see openRequests).
  const closedBatches = new Set<string>();

  const requisitionIn = async (companyId: string, projectId: string, invoiceId: string): Promise<Invoice | undefined> => {
    const wire = await api.jsonOrMissing({
      method: 'GET',
      path: platformPaths.requisition(projectId, invoiceId),
      companyId,
      doing: `reading requisition ${invoiceId} of project ${projectId}`,
    });
    return wire === undefined ? undefined : readRequisition(wire, invoiceId);
  };

  return {
    async check(_context: LoadContext): Promise<void> {
      await tokens.current();
      // Listing each company's ERP connections proves the grant, the company and the ERP Integrations permission.
      for (const companyId of config.companyIds) {
        await api.json({
          method: 'GET',
          path: platformPaths.erpConnections(companyId),
          companyId,
          params: { page: '1', per_page: '1' },
          doing: `reading the ERP connections of company ${companyId} (is the service account installed there?)`,
        });
      }
    },

    erpRequest: (companyId: string, requestId: string): Promise<ErpRequest | undefined> => {
      if (procoreId(requestId) === undefined) return Promise.resolve(undefined);
      return fetchErpRequest(api, companyId, requestId);
    },

    openRequests: (companyId: string, context?: { known?: (requestIds: readonly string[]) => Promise<ReadonlySet<string>> }): AsyncIterable<ErpRequest[]> =>
      openRequests(api, logger, companyId, config.perPage, closedBatches, context?.known),

    contractPayment: (request: ErpRequest): Promise<unknown> => contractPayment(reads, places, request),

    async invoice(companyId: string, invoiceId: string): Promise<Invoice | undefined> {
      if (procoreId(invoiceId) === undefined) return undefined;
      const known = places.get(`${companyId}/${invoiceId}`);
      if (known !== undefined) return requisitionIn(companyId, known, invoiceId);
      // Requisitions are project-scoped and the contract passes no project (after a restart the payments' places are
      // forgotten): look through the company's projects.
      try {
        for await (const projects of api.pages(
          { method: 'GET', path: platformPaths.projects(), companyId, params: { company_id: companyId }, doing: `listing the projects of company ${companyId}` },
          config.perPage,
        )) {
          for (const project of projects) {
            const projectId = procoreId(property(project, 'id'));
            if (projectId === undefined) continue;
            const found = await requisitionIn(companyId, projectId, invoiceId);
            if (found !== undefined) {
              places.set(`${companyId}/${invoiceId}`, projectId);
              return found;
            }
          }
        }
      } catch (error) {
        // The projects list is an inferred path: where it is missing, the requisition cannot be found (yet), which is
        // what `undefined` says; the payment's next ERP Request teaches the client where it lives.
        if (!(isLedgerlinkError(error) && error.code === ErrorCodes.HUB_NOT_FOUND)) throw error;
        logger.warn({ companyId, invoiceId }, 'cannot list the company\'s projects to find a requisition (HTTP 404); check platformPaths.projects');
      }
      return undefined;
    },

    originId(companyId: string, itemType: string, itemId: string): Promise<string | undefined> {
      // Not a Procore id: no object to ask about (a blank or foreign id never becomes a call).
      if (procoreId(itemId) === undefined) return Promise.resolve(undefined);
      return readOriginId(api, companyId, itemType, itemId);
    },

    closeOut: (companyId: string, requestDetailId: string, closing: CloseOut): Promise<void> => closeOut(api, companyId, requestDetailId, closing),

    syncExternalData: (companyId: string, updates: ExternalDataUpdate[]): Promise<void> => syncExternalData(api, companyId, updates),

    syncPaymentsIssued: (companyId: string, writes: PaymentIssuedWrite[]): Promise<PaymentIssuedResult[]> => syncPaymentsIssued(api, companyId, writes),

    unlinkPaymentIssued: (companyId: string, paymentId: string): Promise<void> => unlinkPaymentIssued(api, companyId, paymentId),

    requisitions: (request: ErpRequest): Promise<unknown[]> => requisitionBatch(api, reads, places, config.perPage, request),

    vendor: (request: ErpRequest): Promise<unknown> => Promise.resolve().then(() => readHubVendor(request)),

    syncStagedRecords: (companyId: string, records: StagedRecordWrite[]): Promise<StagedRecordResult[]> => syncStagedRecords(api, companyId, records),

    syncVendors: (companyId: string, updates: VendorUpdate[]): Promise<VendorUpdateResult[]> => syncVendors(api, companyId, updates, config.perPage),

    vendorLinks: readVendorLinks,

    requisitionReset: readRequisitionReset,

    setup: createHubSetup(api, config.namespace, config.perPage),

    tokenGrants: () => tokens.grants,

    async close(): Promise<void> {
      // Nothing to release: access tokens are not sessions, and sockets belong to the lane.
    },
  };
}
