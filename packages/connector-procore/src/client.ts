import {
  ErrorCodes,
  LedgerlinkError,
  type ClientContext,
  type ExtractPage,
  type HubClient,
  type Invoice,
  type LoadContext,
  type Payment,
  type PaymentIssued,
} from '@ledgerlink/core';
import type { ProcoreConfig } from './config.js';
import { fundedPayments } from './funded-payments.js';
import { HubIndex } from './hub-index.js';
import { HubLookups } from './hub-lookups.js';
import { ProcoreApi } from './procore-api.js';
import { ProcoreTokens } from './procore-tokens.js';
import { idText, parseJson, property } from './procore-wire.js';
import { readPayment, readRequisition } from './read-payment.js';
import { writePaymentIssued } from './write-payment-issued.js';

/** The Procore hub client, with what tests and the runner's metrics may read besides the contract. */
export interface ProcoreHubClient extends HubClient {
  /** Successful token refreshes so far (each one rotated the single-use refresh token). */
  tokenRotations(): number;
}

/**
 * The Procore client of one app connection: funded payments out of Procore Pay, invoices' ERP sync state, payments
 * issued back onto commitments. Every call goes through the hub's lane.
 */
export function createProcoreHubClient(context: ClientContext<ProcoreConfig>): ProcoreHubClient {
  const { config, http, lane, now } = context;
  const logger = context.logger.child({ connector: 'procore' });
  const tokens = new ProcoreTokens(config, http, logger, now, context.credentials);
  const api = new ProcoreApi(config, http, lane, tokens, now);
  const index = new HubIndex();
  const lookups = new HubLookups(api, config.perPage);

  return {
    async check(_context: LoadContext): Promise<void> {
      const { body } = await api.json({
        method: 'GET',
        path: '/rest/v1.0/companies',
        doing: 'listing the companies the app can reach',
      });
      const reachable = new Set((Array.isArray(body) ? body : []).map((row) => idText(property(row, 'id'))));
      const missing = config.companyIds.filter((id) => !reachable.has(id));
      if (missing.length > 0) {
        throw new LedgerlinkError(
          ErrorCodes.ERP_AUTH,
          `the Procore app is not connected to compan${missing.length === 1 ? 'y' : 'ies'} ${missing.join(', ')}: ` +
            'a company admin installs it in App Management, or remove the id from companyIds',
          { details: { missing } },
        );
      }
    },

    fundedPayments(companyId: string, options: LoadContext & { cursor?: string }): AsyncIterable<ExtractPage<Payment>> {
      return fundedPayments(api, index, logger, {
        companyId,
        perPage: config.perPage,
        signal: options.signal,
        ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
      });
    },

    async payment(companyId: string, paymentId: string, _context: LoadContext): Promise<Payment | undefined> {
      const doing = `reading payment ${paymentId} of company ${companyId}`;
      const response = await api.call({
        method: 'GET',
        path: `/rest/v1.0/companies/${encodeURIComponent(companyId)}/payments/disbursements/${encodeURIComponent(paymentId)}`,
        companyId,
        doing,
      });
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw api.error(response, doing);
      const payment = readPayment(parseJson(response.body));
      index.learn(companyId, payment);
      return payment;
    },

    async invoice(companyId: string, invoiceId: string, _context: LoadContext): Promise<Invoice | undefined> {
      const placed = index.invoice(companyId, invoiceId);
      if (placed !== undefined) {
        const wire = await lookups.requisition(companyId, placed.projectId, invoiceId);
        if (wire !== undefined) return readRequisition(wire);
      }
      // Requisitions are project-scoped and the contract passes no project: try the company's projects in turn.
      for (const project of await lookups.companyProjects(companyId)) {
        if (project.id === placed?.projectId) continue;
        const wire = await lookups.requisition(companyId, project.id, invoiceId);
        if (wire !== undefined) return readRequisition(wire);
      }
      return undefined;
    },

    writePaymentIssued(companyId: string, payment: PaymentIssued, originId: string, _context: LoadContext) {
      return writePaymentIssued(api, lookups, index, companyId, payment, originId);
    },

    tokenRotations: () => tokens.rotations,

    async close(): Promise<void> {
      // Nothing to release: OAuth tokens are not sessions, and sockets belong to the lane.
    },
  };
}
