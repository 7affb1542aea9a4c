import {
  ErrorCodes,
  HttpTransportError,
  LedgerlinkError,
  type ClientContext,
  type ConnectorClient,
  type LoadContext,
} from '@ledgerlink/core';
import type { QboConfig } from './config.js';
import { forbidden, QboApi } from './qbo-api.js';
import { QboBillLoader } from './qbo-bill-loader.js';
import { QboExtractor, VENDORS } from './qbo-extractor.js';
import { QboLoader } from './qbo-loader.js';
import { QboVendorLoader } from './qbo-vendor-loader.js';
import { QboTokens } from './qbo-tokens.js';

/**
 * The QuickBooks Online client of one company: bill payments out (`POST /billpayment`), bill payments back
 * (`GET /query`), subcontractor invoices out as bills (`POST /bill`), vendors out (`POST /vendor`) and back
 * (`GET /query` on Vendor), every call through the tenant's lane.
 */
export function createQboClient(context: ClientContext<QboConfig>): ConnectorClient {
  const { config, http, logger, now } = context;
  const log = logger.child({ connector: 'qbo', realmId: config.realmId });
  const tokens = new QboTokens(config, http, log, now, context.credentials);
  const api = new QboApi(config, http, tokens, now);

  return {
    async check(_context: LoadContext): Promise<void> {
      let response;
      try {
        response = await api.call({ method: 'GET', path: `companyinfo/${encodeURIComponent(config.realmId)}` });
      } catch (error) {
        if (error instanceof HttpTransportError) {
          throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `QuickBooks did not answer at ${config.baseUrl}: ${error.message}`, {
            disposition: 'retryable',
            cause: error,
          });
        }
        throw error;
      }
      if (response.status === 200) return;
      const failure = api.failure(response);
      if (response.status === 403) throw forbidden(failure, config.realmId);
      throw new LedgerlinkError(
        response.status === 429 ? ErrorCodes.ERP_THROTTLED : response.status >= 500 ? ErrorCodes.ERP_SERVER_ERROR : ErrorCodes.ERP_PROTOCOL,
        `QuickBooks could not read company ${config.realmId} (${failure.erp.code ?? `HTTP ${failure.status}`} ${failure.erp.message}): ` +
          'check baseUrl and realmId',
        { details: { status: response.status, erp: failure.erp } },
      );
    },
    payments: {
      exporter: new QboLoader(api, config.realmId),
      importer: new QboExtractor(api, config.importPageSize),
    },
    requisitions: {
      exporter: new QboBillLoader(api, config.realmId),
    },
    vendors: {
      exporter: new QboVendorLoader(api, config.realmId),
      importer: new QboExtractor(api, config.importPageSize, VENDORS),
    },
    async close(): Promise<void> {
      // Nothing to release: OAuth tokens are not sessions, and sockets belong to the lane.
    },
  };
}
