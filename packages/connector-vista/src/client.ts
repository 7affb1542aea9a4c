import type { ClientContext, ConnectorClient } from '@ledgerlink/core';
import type { VistaConfig } from './config.js';
import { createInvoiceLoader, createVendorExtractor, createVendorLoader } from './entity-objects.js';
import { readFailure, typedError } from './vista-errors.js';
import { VistaExtractor } from './vista-extractor.js';
import { VistaLoader } from './vista-loader.js';
import { VistaApi } from './vista-wire.js';

/**
 * The Vista client: the Trimble Direct API's JSON over the lane's HttpClient only. Writes go to the Action
 * Queue (`actions/create`), reads come from the cache (`cache`, `cache/search`).
 */
export function createVistaClient({ config, http, now }: ClientContext<VistaConfig>): ConnectorClient {
  const api = new VistaApi(config, http);
  return {
    async check() {
      // The cheapest call that proves the key, the subscriber and the object: one cache record.
      const response = await api.readCache(1, 0).catch((error: unknown) => {
        throw typedError(error, `reading the ${config.paymentObject} cache`);
      });
      if (response.status !== 200) throw readFailure(response, `reading the ${config.paymentObject} cache`);
    },
    payments: {
      exporter: new VistaLoader(api, config.apCompany, now),
      importer: new VistaExtractor(api, config.apCompany),
    },
    requisitions: { exporter: createInvoiceLoader(api, config, now) },
    vendors: { exporter: createVendorLoader(api, config, now), importer: createVendorExtractor(api, config) },
    async close() {},
  };
}
