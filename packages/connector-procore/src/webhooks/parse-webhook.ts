import type { HubEvent, HubWebhooks } from '@ledgerlink/core';
import { refuse, verifyDelivery } from './verify-delivery.js';

/** Procore discards an undelivered event after 12 hours of retries: anything older is a replay. */
export const PROCORE_RETRY_HORIZON_MS = 12 * 60 * 60 * 1000;

export interface ProcoreWebhookOptions {
  /** Events (and HMAC signatures) older than this are refused as stale. Default: Procore's 12 h retry horizon. */
  maxAgeMs?: number;
  /** How far in the future a signature or event time may be (clock skew). Default 5 minutes. */
  clockSkewMs?: number;
}

const PAYMENT_RESOURCES = new Set(['payments', 'disbursements', 'payment', 'disbursement']);
const INVOICE_RESOURCES = new Set(['requisitions', 'requisition', 'subcontractor invoices']);

/**
 * Parses Procore webhook deliveries (payload v2.0 `{id, ulid, timestamp, metadata, user_id, company_id, project_id,
 * api_version, event_type, resource_name, resource_id}`; v4.0's `reason` / `resource_type` and string ids are read
 * too). Pure: no I/O, the clock is passed in.
 */
export function createProcoreWebhooks(options: ProcoreWebhookOptions = {}): HubWebhooks {
  const maxAgeMs = options.maxAgeMs ?? PROCORE_RETRY_HORIZON_MS;
  const skewMs = options.clockSkewMs ?? 5 * 60 * 1000;
  return {
    parse(body: string, headers: Record<string, string>, secret: string, now: Date): HubEvent[] {
      const lower: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
      verifyDelivery(body, lower, secret, now, maxAgeMs, skewMs);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body) as unknown;
      } catch (error) {
        throw refuse('malformed-body', `the webhook body is not JSON (${(error as Error).message}); the delivery is refused`);
      }
      const items = Array.isArray(parsed) ? parsed : [parsed];
      const seen = new Set<string>();
      const events: HubEvent[] = [];
      for (const item of items) {
        const event = readEvent(item, now, maxAgeMs, skewMs);
        // A delivery that repeats an event inside itself yields it once.
        if (seen.has(event.eventId)) continue;
        seen.add(event.eventId);
        events.push(event);
      }
      return events;
    },
  };
}

function readEvent(item: unknown, now: Date, maxAgeMs: number, skewMs: number): HubEvent {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw refuse('malformed-event', 'a webhook event is not a JSON object');
  }
  const event = item as Record<string, unknown>;
  const eventId = idOf(event.ulid) ?? idOf(event.id);
  const companyId = idOf(event.company_id);
  const resourceId = idOf(event.resource_id);
  const resource = (stringOf(event.resource_name) ?? stringOf(event.resource_type))?.toLowerCase();
  const action = (stringOf(event.event_type) ?? stringOf(event.reason))?.toLowerCase();
  const timestamp = stringOf(event.timestamp);
  const missing = [
    eventId === undefined ? 'ulid/id' : undefined,
    companyId === undefined ? 'company_id' : undefined,
    resourceId === undefined ? 'resource_id' : undefined,
    resource === undefined ? 'resource_name' : undefined,
    action === undefined ? 'event_type' : undefined,
    timestamp === undefined || Number.isNaN(Date.parse(timestamp)) ? 'timestamp' : undefined,
  ].filter((name): name is string => name !== undefined);
  if (missing.length > 0) {
    throw refuse('malformed-event', `webhook event ${eventId ?? '(no id)'} lacks ${missing.join(', ')}; it is not a Procore webhook payload`, { missing });
  }
  const occurredAt = new Date(Date.parse(timestamp as string));
  const age = now.getTime() - occurredAt.getTime();
  if (age > maxAgeMs) {
    throw refuse(
      'stale',
      `webhook event ${eventId as string} is from ${occurredAt.toISOString()}, older than the ${Math.round(maxAgeMs / 3_600_000)} h retry horizon: ` +
        'it is refused as stale (a replay); the polling fallback still finds its payment',
      { eventId, occurredAt: occurredAt.toISOString() },
    );
  }
  if (-age > skewMs) {
    throw refuse('malformed-event', `webhook event ${eventId as string} is dated ${occurredAt.toISOString()}, in the future: check the sender's clock`, { eventId });
  }
  return {
    eventId: eventId as string,
    companyId: companyId as string,
    type: typeOf(resource as string, action as string, statusOf(event)),
    resourceId: resourceId as string,
    occurredAt: occurredAt.toISOString(),
  };
}

/**
 * [I] Procore's payload says what changed, not to which state. A create/update on a payment or disbursement is a
 * funding-complete candidate unless a status in the payload says otherwise; an update of a requisition is an
 * invoice-synced candidate likewise. The runner re-reads the resource and acts on what it finds.
 */
function typeOf(resource: string, action: string, status: string | undefined): HubEvent['type'] {
  if (action === 'delete') return 'other';
  if (PAYMENT_RESOURCES.has(resource)) {
    return status === undefined || status === 'funding_complete' ? 'payment.funding_complete' : 'other';
  }
  if (INVOICE_RESOURCES.has(resource) && action === 'update') {
    return status === undefined || status === 'synced' ? 'invoice.synced' : 'other';
  }
  return 'other';
}

function statusOf(event: Record<string, unknown>): string | undefined {
  const metadata = event.metadata;
  const raw = stringOf(event.status) ?? (typeof metadata === 'object' && metadata !== null ? stringOf((metadata as Record<string, unknown>).status) : undefined);
  return raw?.toLowerCase().replace(/[\s-]+/g, '_');
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return stringOf(value);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
