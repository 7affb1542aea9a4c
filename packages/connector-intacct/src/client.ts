import { type ClientContext, type ConnectorClient, ErrorCodes, LedgerlinkError } from '@ledgerlink/core';
import type { IntacctConfig } from './config.js';
import { IntacctGateway, SignInError } from './intacct-gateway.js';
import { failureError } from './intacct-outcomes.js';
import { createPaymentExtractor } from './payment-extractor.js';
import { createPaymentLoader } from './payment-loader.js';
import { createBillLoader } from './bill-loader.js';
import { createVendorExtractor } from './vendor-extractor.js';
import { createVendorLoader } from './vendor-loader.js';

/**
 * The Sage Intacct client: one gateway (sessions, the lane's HTTP) shared by the payment exporter and importer,
 * the bill exporter (requisitions) and the vendor exporter and importer.
 * Built by core with the tenant's validated settings; every call goes through `context.http`.
 */
export function createIntacctClient(context: ClientContext<IntacctConfig>): ConnectorClient {
  const { config, logger } = context;
  const gateway = new IntacctGateway({ config, http: context.http, lane: context.lane, logger });
  return {
    async check() {
      try {
        await gateway.signInAgain();
      } catch (error) {
        if (error instanceof SignInError) throw failureError(error.reply, 'signing in');
        if (error instanceof LedgerlinkError) throw error;
        throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `signing in to Intacct failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
    },
    payments: {
      exporter: createPaymentLoader({ gateway, errorCodes: config.errorCodes, logger }),
      importer: createPaymentExtractor({ gateway, pageSize: config.pageSize }),
    },
    requisitions: {
      exporter: createBillLoader({ gateway, errorCodes: config.errorCodes, logger }),
    },
    vendors: {
      exporter: createVendorLoader({ gateway, errorCodes: config.errorCodes, logger }),
      importer: createVendorExtractor({ gateway, pageSize: config.pageSize }),
    },
    async close() {
      gateway.close();
    },
  };
}
