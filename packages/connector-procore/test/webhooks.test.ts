import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerFor, createProcoreWebhooks, procoreConnector, WebhookDeduper } from '../src/index.js';

const SECRET = 'whsec-test-0123456789';
const NOW = new Date('2025-05-02T12:00:00Z');
const ULID = '01HXA7Z5K3Q9W8E2R4T6Y8V0JP';

/** A v2 delivery of an ERP Request, as webhooks.md shows the payload. */
function payload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 1_234_567,
    ulid: ULID,
    timestamp: '2025-05-02T11:59:58.123Z',
    metadata: { source_user_id: 1, source_company_id: 4264, source_application_id: null },
    user_id: 1,
    company_id: 4264,
    project_id: null,
    api_version: 'v2',
    event_type: 'create',
    resource_name: 'ERP Requests',
    resource_id: 9001,
    ...overrides,
  };
}

const bearer = (companyId = '4264'): Record<string, string> => ({ Authorization: `Bearer ${bearerFor(SECRET, companyId)}` });
const parse = (body: string, headers: Record<string, string>, now = NOW) => procoreConnector.webhooks.parse(body, headers, SECRET, now);

function refusal(body: string, headers: Record<string, string>): { code: string; message: string; details: Record<string, unknown> } {
  try {
    parse(body, headers);
  } catch (error) {
    return error as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected a refusal');
}

describe('the per-company bearer', () => {
  it('is base64url(HMAC-SHA256(secret, "ledgerlink-procore-hook:<company>")), different per company', () => {
    const expected = createHmac('sha256', SECRET).update('ledgerlink-procore-hook:4264').digest('base64url');
    expect(bearerFor(SECRET, '4264')).toBe(expected);
    expect(bearerFor(SECRET, '4265')).not.toBe(expected);
    expect(bearerFor('another-secret', '4264')).not.toBe(expected);
    expect(expected).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('ERP Requests deliveries', () => {
  it('parses a good delivery into the HubEvent the runner fetches the request by', () => {
    expect(parse(JSON.stringify(payload()), bearer())).toEqual([
      { eventId: ULID, companyId: '4264', resourceName: 'ERP Requests', eventType: 'create', resourceId: '9001', occurredAt: '2025-05-02T11:59:58.123Z' },
    ]);
    // Header names in any case; ids given as digit strings are read the same.
    const strings = parse(JSON.stringify(payload({ company_id: '4264', resource_id: '9001' })), { authorization: bearer().Authorization as string });
    expect(strings[0]).toMatchObject({ companyId: '4264', resourceId: '9001' });
  });

  it('falls back to the event id when there is no usable ulid', () => {
    for (const ulid of [undefined, null, '', '   ', 'not-a-ulid', 42]) {
      expect(parse(JSON.stringify(payload({ ulid })), bearer())[0]?.eventId).toBe('1234567');
    }
  });

  it('refuses a wrong bearer, another company\'s bearer, a missing one, and none configured, never echoing a secret', () => {
    const body = JSON.stringify(payload());
    expect(refusal(body, { Authorization: 'Bearer wrong' })).toMatchObject({ code: 'LL_WEBHOOK_UNAUTHENTICATED', details: { reason: 'bad-signature' } });
    const other = refusal(body, bearer('4265'));
    expect(other).toMatchObject({ code: 'LL_WEBHOOK_UNAUTHENTICATED', details: { reason: 'bad-signature', companyId: '4264' } });
    // The deployment secret itself is not a company's bearer.
    expect(refusal(body, { Authorization: `Bearer ${SECRET}` }).details.reason).toBe('bad-signature');
    expect(refusal(body, { Authorization: `Basic ${bearerFor(SECRET, '4264')}` }).details.reason).toBe('bad-signature');
    expect(refusal(body, {})).toMatchObject({ code: 'LL_WEBHOOK_UNAUTHENTICATED', details: { reason: 'missing-signature' } });
    expect(() => procoreConnector.webhooks.parse(body, bearer(), '', NOW)).toThrow(/hub.webhookSecret/);
    const said = JSON.stringify([refusal(body, bearer('4265')), refusal(body, bearer('4265')).message]);
    expect(said).not.toContain(SECRET);
    expect(said).not.toContain(bearerFor(SECRET, '4264'));
    expect(said).not.toContain(bearerFor(SECRET, '4265'));
  });

  it('follows a rotated secret: the old secret\'s bearer is refused after it, and accepted again when it comes back', () => {
    // The expected bearer's digest is remembered per secret and company: a rotation must not answer from the old one.
    const body = JSON.stringify(payload());
    const rotated = 'whsec-rotated-9876543210';
    expect(parse(body, bearer())).toHaveLength(1);
    expect(() => procoreConnector.webhooks.parse(body, bearer(), rotated, NOW)).toThrow(/bearer is not company 4264's/);
    expect(procoreConnector.webhooks.parse(body, { Authorization: `Bearer ${bearerFor(rotated, '4264')}` }, rotated, NOW)).toHaveLength(1);
    expect(() => parse(body, { Authorization: `Bearer ${bearerFor(rotated, '4264')}` })).toThrow(/bearer is not company 4264's/);
    expect(parse(body, bearer())).toHaveLength(1);
  });

  it('refuses malformed JSON and payloads that are not Procore events, saying what is missing', () => {
    expect(refusal('{"id": 1,', bearer())).toMatchObject({ code: 'LL_WEBHOOK_MALFORMED', details: { reason: 'malformed-body' } });
    expect(refusal(JSON.stringify({ id: 5 }), bearer())).toMatchObject({ code: 'LL_WEBHOOK_MALFORMED', details: { missing: ['company_id'] } });
    const bad = refusal(JSON.stringify({ id: 5, company_id: 4264, ulid: ' ', resource_id: ' ', timestamp: 'yesterday' }), bearer());
    expect(bad).toMatchObject({ code: 'LL_WEBHOOK_MALFORMED', details: { reason: 'malformed-event', missing: ['resource_name', 'resource_id', 'event_type', 'timestamp'] } });
    // A delivery cannot mix companies: the bearer proves one.
    const mixed = JSON.stringify([payload(), payload({ company_id: 4265, ulid: undefined, id: 2 })]);
    expect(refusal(mixed, bearer()).details.reason).toBe('malformed-event');
  });

  it('refuses events older than the 12 h retry horizon (configurable) and from the future', () => {
    const old = JSON.stringify(payload({ timestamp: '2025-05-01T23:59:00Z' }));
    expect(refusal(old, bearer())).toMatchObject({ code: 'LL_WEBHOOK_STALE', details: { reason: 'stale' } });
    expect(createProcoreWebhooks({ maxAgeMs: 24 * 3_600_000 }).parse(old, bearer(), SECRET, NOW)).toHaveLength(1);
    expect(refusal(JSON.stringify(payload({ timestamp: '2025-05-02T13:00:00Z' })), bearer()).details.reason).toBe('malformed-event');
  });

  it('yields nothing for resources other than ERP Requests', () => {
    expect(parse(JSON.stringify(payload({ resource_name: 'RFIs', event_type: 'update' })), bearer())).toEqual([]);
    expect(parse(JSON.stringify(payload({ resource_name: 'Payments' })), bearer())).toEqual([]);
  });

  it('yields a duplicate once within a delivery, and the deduper drops repeats across deliveries', () => {
    const event = payload();
    const events = parse(JSON.stringify([event, event]), bearer());
    expect(events).toHaveLength(1);
    const deduper = new WebhookDeduper(2);
    expect(deduper.fresh(events)).toHaveLength(1);
    // Procore delivers the same event again (same ulid): the second delivery is a duplicate.
    expect(deduper.fresh(parse(JSON.stringify(event), bearer()))).toHaveLength(0);
    expect(deduper.isDuplicate('b')).toBe(false);
    expect(deduper.isDuplicate('c')).toBe(false);
    expect(deduper.size).toBe(2);
    expect(deduper.isDuplicate(ULID)).toBe(false);
  });
});
