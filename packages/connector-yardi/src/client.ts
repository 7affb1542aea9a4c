import { HttpTransportError, ErrorCodes, LedgerlinkError, type ClientContext, type ConnectorClient, type LoadContext } from '@ledgerlink/core';
import { CheckExtractor } from './check-extractor.js';
import { CheckLoader } from './check-loader.js';
import type { YardiConfig } from './config.js';
import { PayableLoader } from './payable-loader.js';
import { VendorExtractor } from './vendor-extractor.js';
import { VendorLoader } from './vendor-loader.js';
import { readResult } from './yardi-messages.js';
import { YardiSoap } from './yardi-soap.js';

/**
 * The Yardi Voyager client of one database: checks out with `ImportCheck_Login`, posted checks back with
 * `GetCheckInvoice`, every SOAP call through the tenant's lane. The envelopes are built and read with
 * fast-xml-parser rather than the `soap` package's client, which fetches the WSDL and sends through its own
 * HTTP stack: here every byte goes through core's `HttpClient`, so nothing bypasses the rate limit.
 */
export function createYardiClient(context: ClientContext<YardiConfig>): ConnectorClient {
  const { config, http, lane, now } = context;
  const soap = new YardiSoap(config, http, lane, now);

  return {
    async check(_context: LoadContext): Promise<void> {
      // A read of today's checks: it needs a valid login and an interface licence that covers Vendor Invoicing.
      const today = now().toISOString().slice(0, 10);
      try {
        readResult(
          'GetCheckInvoice',
          await soap.call('GetCheckInvoice', [
            ['CheckFromDate', today],
            ['CheckToDate', today],
          ]),
        );
      } catch (error) {
        if (error instanceof HttpTransportError) {
          throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `Yardi did not answer at ${new URL(config.url).origin}: ${error.message}; check url`, {
            disposition: 'retryable',
            cause: error,
          });
        }
        throw error;
      }
    },
    payments: {
      exporter: new CheckLoader(soap, config.messageRules),
      importer: new CheckExtractor(soap, config, now),
    },
    requisitions: { exporter: new PayableLoader(soap, config.messageRules) },
    vendors: { exporter: new VendorLoader(soap, config), importer: new VendorExtractor(soap, config) },
    async close(): Promise<void> {
      // Nothing to release: Yardi's interface calls carry their login and hold no session.
    },
  };
}
