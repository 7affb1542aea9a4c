/**
 * The Sage 300 CRE client over agent protocol v1: the connection check, the invoice-code exporter (payments), the
 * AP invoice exporter (requisitions) and the vendor exporter and importer. Payments are export only: they are
 * made inside Sage, so there is nothing final to import.
 */
import { type ClientContext, type ConnectorClient, ErrorCodes, HttpTransportError, LedgerlinkError } from '@ledgerlink/core';
import { AgentClient } from './agent-client.js';
import { erpAnswerOf } from './agent-errors.js';
import { AGENT_PROTOCOL, HealthAnswer, readJson } from './agent-wire.js';
import type { Sage300Config } from './config.js';
import { ApInvoiceExporter } from './ap-invoice-exporter.js';
import { InvoiceCodeExporter } from './invoice-code-exporter.js';
import { VendorExporter } from './vendor-exporter.js';
import { VendorImporter } from './vendor-importer.js';

export function createSage300Client(context: ClientContext<Sage300Config>): ConnectorClient {
  const agent = new AgentClient(context);
  if (context.config.caCertificate !== undefined) {
    context.logger.warn(
      { agentUrl: context.config.agentUrl, nodeExtraCaCerts: process.env.NODE_EXTRA_CA_CERTS ?? null },
      'caCertificate is set, but core\'s HTTP client does not take a per-connection CA yet: save the PEM to a file ' +
        'and start the runner with NODE_EXTRA_CA_CERTS=<that file>',
    );
  }
  return {
    check: () => checkAgent(agent, context),
    payments: { exporter: new InvoiceCodeExporter(agent, context.lane) },
    requisitions: { exporter: new ApInvoiceExporter(agent, context.lane) },
    vendors: { exporter: new VendorExporter(agent, context.lane), importer: new VendorImporter(agent) },
    close: async () => {},
  };
}

/** Proves the agent is reachable, accepts the token and speaks protocol v1. */
async function checkAgent(agent: AgentClient, context: ClientContext<Sage300Config>): Promise<void> {
  let response;
  try {
    response = await agent.call({ method: 'GET', path: '/v1/health' });
  } catch (error) {
    if (!(error instanceof HttpTransportError)) throw error;
    const tls = /CERT|SELF.SIGNED|UNABLE.TO.VERIFY/i.test(`${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}`);
    throw new LedgerlinkError(
      ErrorCodes.ERP_TRANSPORT,
      `Cannot reach the Sage agent at ${agent.baseUrl}: ${error.message}. ` +
        (tls
          ? 'The agent\'s certificate is not trusted: start the runner with NODE_EXTRA_CA_CERTS pointing at the CA that signed it.'
          : 'Check that the agent service is running on the Sage server and that this machine can reach it.'),
      { disposition: 'retryable', cause: error },
    );
  }
  if (response.status === 401) {
    throw new LedgerlinkError(
      ErrorCodes.ERP_AUTH,
      `The Sage agent at ${agent.baseUrl} refused the token: set agentToken to the token configured on the agent.`,
      { details: { erp: erpAnswerOf(response) } },
    );
  }
  if (response.status !== 200) {
    const erp = erpAnswerOf(response);
    const code = response.status === 429 || response.status === 503 ? ErrorCodes.ERP_THROTTLED : ErrorCodes.ERP_SERVER_ERROR;
    throw new LedgerlinkError(code, `The Sage agent at ${agent.baseUrl} answered HTTP ${response.status}: ${erp.message}`, {
      disposition: 'retryable',
      details: { erp },
    });
  }
  const health = readJson(HealthAnswer, response.body);
  if (!health) {
    throw new LedgerlinkError(
      ErrorCodes.ERP_PROTOCOL,
      `${agent.baseUrl}/v1/health did not answer as a Sage agent does: check that agentUrl points at the agent, not at another service.`,
    );
  }
  if (!health.protocols.includes(AGENT_PROTOCOL)) {
    throw new LedgerlinkError(
      ErrorCodes.ERP_PROTOCOL,
      `The Sage agent at ${agent.baseUrl} speaks protocol ${health.protocols.join(', ') || '(none)'}; this connector speaks ${AGENT_PROTOCOL}. ` +
        'Install an agent that serves protocol v1, or a connector version for the agent\'s protocol.',
    );
  }
  context.logger.info({ agent: health.agent, sage: health.sage }, 'Sage 300 CRE agent reachable');
}
