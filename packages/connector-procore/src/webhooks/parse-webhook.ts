import type { HubEvent, HubWebhooks } from '@ledgerlink/core';
import { ERP_REQUESTS_RESOURCE } from '../platform-paths.js';
import { presentedBearer, refuse, verifyBearer } from './verify-delivery.js';

/** Procore discards an undelivered event after 12 hours of retries [V]: anything older is a replay. */
export const PROCORE_RETRY_HORIZON_MS = 12 * 60 * 60 * 1000;

export interface ProcoreWebhookOptions {
  /** Events older than this are refused as stale. Default: Procore's 12 h retry horizon. */
  maxAgeMs?: number;
  /** How far in the future an event time may be (clock skew). Default 5 minutes. */
  clockSkewMs?: number;
}

/** A delivery body is small; anything this large is not one (and is not parsed). */
const MAX_BODY_CHARS = 1_000_000;

/**
 * Parses Procore's v2 webhook deliveries (`{id, ulid, timestamp, company_id, project_id, user_id, resource_name,
 * resource_id, event_type, api_version, metadata}`, webhooks.md) into `HubEvent`s. The bearer is checked against the
 * company the body names (`bearerFor(secret, company_id)`), in constant time. Events of resources other than
 * `ERP Requests` yield nothing. Pure: no I/O, the clock is passed in.
 */
export function createProcoreWebhooks(options: ProcoreWebhookOptions = {}): HubWebhooks {
  const maxAgeMs = options.maxAgeMs ?? PROCORE_RETRY_HORIZON_MS;
  const skewMs = options.clockSkewMs ?? 5 * 60 * 1000;
  return {
    parse(body: string, headers: Record<string, string>, secret: string, now: Date): HubEvent[] {
      const lower: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') lower[name.toLowerCase()] = value;
      const bearer = presentedBearer(lower, secret);
      if (typeof body !== 'string' || body.length > MAX_BODY_CHARS) throw refuse('malformed-body', 'the webhook body is not a Procore delivery (empty or too large)');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body) as unknown;
      } catch (error) {
        throw refuse('malformed-body', `the webhook body is not JSON (${(error as Error).message}); the delivery is refused`);
      }
      const items = Array.isArray(parsed) ? parsed : [parsed];
      if (items.length === 0) throw refuse('malformed-event', 'the webhook body is an empty list');
      // The bearer proves one company: every event of the delivery must be that company's.
      const companies = new Set(items.map((item) => idOf(field(item, 'company_id'))));
      const [companyId] = companies;
      if (companies.size !== 1 || companyId === undefined) {
        throw refuse('malformed-event', 'the delivery does not name one company_id: its bearer cannot be checked', { missing: ['company_id'] });
      }
      verifyBearer(bearer, secret, companyId);
      const seen = new Set<string>();
      const events: HubEvent[] = [];
      for (const item of items) {
        const event = readEvent(item, companyId, now, maxAgeMs, skewMs);
        // A delivery that repeats an event inside itself yields it once; other resources yield nothing.
        if (event === undefined || seen.has(event.eventId)) continue;
        seen.add(event.eventId);
        events.push(event);
      }
      return events;
    },
  };
}

function readEvent(item: unknown, companyId: string, now: Date, maxAgeMs: number, skewMs: number): HubEvent | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw refuse('malformed-event', 'a webhook event is not a JSON object');
  const event = item as Record<string, unknown>;
  const eventId = ulidOf(event.ulid) ?? idOf(event.id);
  const resourceName = stringOf(event.resource_name);
  const resourceId = idOf(event.resource_id);
  const eventType = stringOf(event.event_type);
  const timestamp = stringOf(event.timestamp);
  const time = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  const missing = [
    eventId === undefined ? 'ulid/id' : undefined,
    resourceName === undefined ? 'resource_name' : undefined,
    resourceId === undefined ? 'resource_id' : undefined,
    eventType === undefined ? 'event_type' : undefined,
    Number.isNaN(time) ? 'timestamp' : undefined,
  ].filter((name): name is string => name !== undefined);
  if (missing.length > 0) {
    throw refuse('malformed-event', `webhook event ${eventId ?? '(no id)'} lacks ${missing.join(', ')}; it is not a Procore webhook payload`, { missing });
  }
  if (resourceName !== ERP_REQUESTS_RESOURCE) return undefined;
  const occurredAt = new Date(time);
  const age = now.getTime() - time;
  if (age > maxAgeMs) {
    throw refuse(
      'stale',
      `webhook event ${eventId as string} is from ${occurredAt.toISOString()}, older than the ${Math.round(maxAgeMs / 3_600_000)} h retry horizon: ` +
        'it is refused as stale (a replay); the open-requests fallback still finds its work',
      { eventId, occurredAt: occurredAt.toISOString() },
    );
  }
  if (-age > skewMs) throw refuse('malformed-event', `webhook event ${eventId as string} is dated ${occurredAt.toISOString()}, in the future: check the sender's clock`, { eventId });
  return {
    eventId: eventId as string,
    companyId,
    resourceName: resourceName as string,
    eventType: eventType as string,
    resourceId: resourceId as string,
    occurredAt: occurredAt.toISOString(),
  };
}

function field(item: unknown, key: string): unknown {
  return typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>)[key] : undefined;
}

/** A ULID: 26 characters of Crockford base32. */
function ulidOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^[0-9A-HJKMNP-TV-Z]{26}$/i.test(value.trim()) ? value.trim().toUpperCase() : undefined;
}

/** A Procore id: a safe non-negative integer or a string of digits. */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  return typeof value === 'string' && /^\d{1,30}$/.test(value.trim()) ? value.trim() : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
