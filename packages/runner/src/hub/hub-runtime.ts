import {
  assertCompatible,
  Lane,
  parseConnectorConfig,
  resolveRateLimit,
  type Connector,
  type CredentialStore,
  type HubClient,
  type HubConnector,
  type LaneStats,
  type Logger,
  type RateLimitOverride,
} from '@ledgerlink/core';

/** The hub's client behind its own lane: Procore's rate limit is a lane like any ERP's. */
export interface HubRuntime {
  readonly connector: HubConnector;
  readonly client: HubClient;
  /** The webhook secret from the config, when one is set. */
  readonly webhookSecret: string | undefined;
  laneStats(): LaneStats;
  close(): Promise<void>;
}

/** What the DI container holds for the hub: its runtime, or null when the deployment has no hub. */
export interface HubSlot {
  readonly runtime: HubRuntime | null;
}

export interface HubRuntimeOptions {
  config: unknown;
  webhookSecret?: string;
  rateLimit?: RateLimitOverride;
  logger: Logger;
  now: () => Date;
  timeoutMs?: number;
  credentials?: CredentialStore;
  /** Told of every hub call and how it ended (metrics). */
  onCall?: (operation: string, outcome: 'ok' | 'error', error?: unknown) => void;
}

export function createHubRuntime(connector: HubConnector, options: HubRuntimeOptions): HubRuntime {
  assertCompatible(connector);
  const { id } = connector.manifest;
  const logger = options.logger.child({ connector: id, connectorVersion: connector.manifest.version, role: 'hub' });
  // The hub connector's config is checked like a tenant's connection block; "hub" names it in errors.
  const config = parseConnectorConfig(connector as unknown as Connector, options.config, 'hub');
  const rateLimit = resolveRateLimit(connector.capabilities.rateLimit, options.rateLimit, { label: `hub ${id}`, logger });
  const lane = new Lane({ key: `hub/${id}`, rateLimit, logger, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
  const inner = connector.createHubClient({
    config,
    http: lane.http,
    lane: lane.signals,
    logger,
    now: options.now,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
  const client = observed(inner, options.onCall);
  let closed: Promise<void> | undefined;
  return {
    connector,
    client,
    webhookSecret: options.webhookSecret,
    laneStats: () => lane.stats(),
    close() {
      closed ??= (async () => {
        await lane.close();
        await client.close();
      })();
      return closed;
    },
  };
}

/** The hub client with each call reported (ok or error) to `onCall`; iterations report once per page. */
function observed(client: HubClient, onCall: HubRuntimeOptions['onCall']): HubClient {
  if (onCall === undefined) return client;
  const report = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    try {
      const value = await work();
      onCall(operation, 'ok');
      return value;
    } catch (error) {
      onCall(operation, 'error', error);
      throw error;
    }
  };
  return {
    check: (context) => report('check', () => client.check(context)),
    erpRequest: (companyId, requestId, context) => report('erpRequest', () => client.erpRequest(companyId, requestId, context)),
    openRequests: (companyId, context) => ({
      async *[Symbol.asyncIterator]() {
        try {
          for await (const page of client.openRequests(companyId, context)) {
            onCall('openRequests', 'ok');
            yield page;
          }
        } catch (error) {
          onCall('openRequests', 'error', error);
          throw error;
        }
      },
    }),
    contractPayment: (request, context) => report('contractPayment', () => client.contractPayment(request, context)),
    invoice: (companyId, invoiceId, context) => report('invoice', () => client.invoice(companyId, invoiceId, context)),
    originId: (companyId, itemType, itemId, context) => report('originId', () => client.originId(companyId, itemType, itemId, context)),
    closeOut: (companyId, detailId, closeOut, context) => report('closeOut', () => client.closeOut(companyId, detailId, closeOut, context)),
    syncExternalData: (companyId, updates, context) => report('syncExternalData', () => client.syncExternalData(companyId, updates, context)),
    syncPaymentsIssued: (companyId, writes, context) => report('syncPaymentsIssued', () => client.syncPaymentsIssued(companyId, writes, context)),
    unlinkPaymentIssued: (companyId, paymentId, context) => report('unlinkPaymentIssued', () => client.unlinkPaymentIssued(companyId, paymentId, context)),
    requisitions: (request, context) => report('requisitions', () => client.requisitions(request, context)),
    vendor: (request, context) => report('vendor', () => client.vendor(request, context)),
    syncStagedRecords: (companyId, records, context) => report('syncStagedRecords', () => client.syncStagedRecords(companyId, records, context)),
    syncVendors: (companyId, updates, context) => report('syncVendors', () => client.syncVendors(companyId, updates, context)),
    // Pure readers of a request already fetched: no call to report.
    vendorLinks: (request) => client.vendorLinks(request),
    requisitionReset: (request) => client.requisitionReset(request),
    setup: client.setup,
    close: () => client.close(),
  };
}
