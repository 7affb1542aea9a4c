/**
 * The Acumatica client: one cookie session shared by the exporter, the importer and the connection check, all
 * of it through the lane's HTTP client.
 */
import { ErrorCodes, HttpTransportError, LedgerlinkError, type ClientContext, type ConnectorClient, type LoadContext } from '@ledgerlink/core';
import { erpAnswer } from './acumatica-errors.js';
import { entityUrl } from './acumatica-wire.js';
import { createBillExporter } from './bill-exporter.js';
import { createCheckExporter } from './check-exporter.js';
import { createCheckImporter } from './check-importer.js';
import type { AcumaticaConfig } from './config.js';
import { AcumaticaSession, SignInError } from './session.js';
import { createVendorExporter } from './vendor-exporter.js';
import { createVendorImporter } from './vendor-importer.js';

export function createAcumaticaClient(context: ClientContext<AcumaticaConfig>): ConnectorClient {
  const logger = context.logger.child({ connector: 'acumatica' });
  const session = new AcumaticaSession({ config: context.config, http: context.http, lane: context.lane, logger });
  return {
    async check(_context: LoadContext): Promise<void> {
      await checkConnection(context.config, session);
    },
    payments: {
      exporter: createCheckExporter({ config: context.config, session, logger }),
      importer: createCheckImporter({ config: context.config, session }),
    },
    requisitions: { exporter: createBillExporter({ config: context.config, session, logger }) },
    vendors: {
      exporter: createVendorExporter({ config: context.config, session }),
      importer: createVendorImporter({ config: context.config, session }),
    },
    close: () => session.close(),
  };
}

/** Signs in, reads one check (proving the endpoint and the user's rights to checks), signs out. */
async function checkConnection(config: AcumaticaConfig, session: AcumaticaSession): Promise<void> {
  try {
    const response = await session.run((send) => send({ method: 'GET', url: entityUrl(config, 'Check', { $top: 1 }) }));
    if (response.status === 200) return;
    const erp = erpAnswer(response);
    if (response.status === 401 || response.status === 403) {
      throw new LedgerlinkError(
        ErrorCodes.ERP_AUTH,
        `Acumatica user "${config.username}" signed in but may not read checks (HTTP ${response.status}: ${erp.message}). ` +
          'Grant its role access to Checks and Payments (AP302000).',
        { details: { erp } },
      );
    }
    if (response.status === 404) {
      throw new LedgerlinkError(
        ErrorCodes.CONNECTOR_CONFIG_INVALID,
        `Acumatica has no endpoint ${config.endpointName}/${config.endpointVersion} with a Check entity at ${config.baseUrl} (HTTP 404). ` +
          'Check baseUrl, endpointName and endpointVersion (Web Service Endpoints, SM207060).',
        { details: { erp } },
      );
    }
    const code = response.status === 429 ? ErrorCodes.ERP_THROTTLED : response.status >= 500 ? ErrorCodes.ERP_SERVER_ERROR : ErrorCodes.ERP_PROTOCOL;
    throw new LedgerlinkError(code, `Acumatica answered the connection check with HTTP ${response.status}: ${erp.message}`, {
      disposition: code === ErrorCodes.ERP_PROTOCOL ? 'fatal' : 'retryable',
      details: { erp },
    });
  } catch (error) {
    if (error instanceof SignInError) throw error.toError();
    if (error instanceof HttpTransportError) {
      throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `Could not reach Acumatica at ${config.baseUrl}: ${error.message}`, {
        disposition: 'retryable',
        cause: error,
      });
    }
    throw error;
  }
}
