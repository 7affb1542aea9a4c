import type { ClientContext, ExtractPage, LoadContext } from './contracts.js';
import { defineConnector, type Connector, type ConnectorDefinition } from './define-connector.js';
import type { Invoice, Payment, PaymentIssued } from '../model/payment.js';

/**
 * The hub side (Procore): where payments come from and where payments issued go back to. A hub connector is
 * a plugin like an ERP connector, with this client instead of a loader/extractor pair.
 */

/** A hub webhook event, already verified and parsed. */
export interface HubEvent {
  /** The event's own id (Procore: `ulid` or `id`): the dedupe key, deliveries repeat. */
  eventId: string;
  /** The hub company the event belongs to: routes it to a tenant. */
  companyId: string;
  /** `payment.funding_complete`, `invoice.synced`... */
  type: 'payment.funding_complete' | 'invoice.synced' | 'other';
  /** The resource it is about (payment id, invoice id). */
  resourceId: string;
  /** When the hub says it happened (ISO). */
  occurredAt: string;
}

export interface HubClient {
  /** Proves the connection settings work. */
  check(context: LoadContext): Promise<void>;
  /**
   * Payments at 'Funding Complete' for a company, oldest first, from a cursor: the polling fallback so a
   * missed webhook is still exported.
   */
  fundedPayments(companyId: string, context: LoadContext & { cursor?: string }): AsyncIterable<ExtractPage<Payment>>;
  /** One payment with its vendor, invoice and project, in the canonical model. */
  payment(companyId: string, paymentId: string, context: LoadContext): Promise<Payment | undefined>;
  /** One invoice, with its ERP id once synced (for the invoice-before-payment rule). */
  invoice(companyId: string, invoiceId: string, context: LoadContext): Promise<Invoice | undefined>;
  /**
   * Writes a payment issued onto its commitment (Procore `contract_payments`) with `origin_id` = originId.
   * Idempotent: a repeat with the same origin id returns the existing one (`replayed`).
   */
  writePaymentIssued(
    companyId: string,
    payment: PaymentIssued,
    originId: string,
    context: LoadContext,
  ): Promise<{ hubId: string; replayed: boolean }>;
  close(): Promise<void>;
}

/** Parses and verifies webhook deliveries; pure, no I/O (the runner's HTTP route calls it). */
export interface HubWebhooks {
  /**
   * Verifies the delivery's signature (constant-time) and parses it. Throws a LedgerlinkError with what is
   * wrong (bad signature, stale timestamp, malformed body).
   */
  parse(body: string, headers: Record<string, string>, secret: string, now: Date): HubEvent[];
}

/** A hub connector: the hub's client factory plus its webhook parser. */
export interface HubConnector<TConfig = unknown> extends Omit<Connector<TConfig>, 'createClient'> {
  readonly role: 'hub';
  createHubClient(context: ClientContext<TConfig>): HubClient;
  readonly webhooks: HubWebhooks;
}

export interface HubConnectorDefinition<TConfig> extends Omit<ConnectorDefinition<TConfig>, 'createClient'> {
  createHubClient(context: ClientContext<TConfig>): HubClient;
  webhooks: HubWebhooks;
}

/** Defines the hub connector, validated like an ERP connector (manifest, capabilities). */
export function defineHubConnector<TConfig>(definition: HubConnectorDefinition<TConfig>): HubConnector<TConfig> {
  const { createHubClient, webhooks, ...rest } = definition;
  const base = defineConnector<TConfig>({
    ...rest,
    createClient: () => {
      throw new Error('a hub connector has no ERP client; use createHubClient');
    },
  });
  return Object.freeze({
    manifest: base.manifest,
    capabilities: base.capabilities,
    configSchema: base.configSchema,
    mapping: base.mapping,
    role: 'hub' as const,
    createHubClient,
    webhooks,
  });
}
