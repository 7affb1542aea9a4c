import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createProcoreWebhooks, procoreConnector, WebhookDeduper } from '../src/index.js';

const SECRET = 'whsec-test-0123456789';
const NOW = new Date('2025-05-02T12:00:00Z');

function payload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 1_234_567,
    ulid: '01HXA7Z5K3Q9W8E2R4T6Y8U0IP'.replace('I', 'J'),
    timestamp: '2025-05-02T11:59:58.123Z',
    metadata: { source_user_id: 1, source_project_id: 501, source_operation_id: null, source_company_id: 4264, source_application_id: null },
    user_id: 1,
    company_id: 4264,
    project_id: 501,
    api_version: 'v2',
    event_type: 'update',
    resource_name: 'Disbursements',
    resource_id: 9001,
    ...overrides,
  };
}

function hmacHeader(body: string, secret = SECRET, at = NOW): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

const parse = (body: string, headers: Record<string, string>, now = NOW) => procoreConnector.webhooks.parse(body, headers, SECRET, now);

describe('webhook deliveries', () => {
  it('accepts the hook\'s static bearer header and maps a disbursement to payment.funding_complete', () => {
    const body = JSON.stringify(payload());
    expect(parse(body, { Authorization: `Bearer ${SECRET}` })).toEqual([
      { eventId: '01HXA7Z5K3Q9W8E2R4T6Y8U0JP', companyId: '4264', type: 'payment.funding_complete', resourceId: '9001', occurredAt: '2025-05-02T11:59:58.123Z' },
    ]);
  });

  it('accepts an HMAC signature, and both together', () => {
    const body = JSON.stringify(payload({ resource_name: 'Requisitions', resource_id: 7001, ulid: undefined }));
    const [event] = parse(body, { 'X-Ledgerlink-Signature': hmacHeader(body) });
    expect(event).toMatchObject({ eventId: '1234567', type: 'invoice.synced', resourceId: '7001' });
    expect(parse(body, { authorization: `Bearer ${SECRET}`, 'x-ledgerlink-signature': hmacHeader(body) })).toHaveLength(1);
  });

  it('refuses a wrong bearer, a wrong or malformed HMAC, and a delivery with neither, each with its reason', () => {
    const body = JSON.stringify(payload());
    const refusal = (headers: Record<string, string>) => {
      try {
        parse(body, headers);
      } catch (error) {
        return error as { code: string; message: string; details: { reason: string } };
      }
      throw new Error('expected a refusal');
    };
    expect(refusal({ authorization: 'Bearer wrong' })).toMatchObject({ code: 'LL_WEBHOOK_UNAUTHENTICATED', details: { reason: 'bad-signature' } });
    expect(refusal({ authorization: `Bearer ${SECRET}x` }).message).toContain('destination_headers');
    expect(refusal({ 'x-ledgerlink-signature': hmacHeader(body, 'other-secret') })).toMatchObject({ code: 'LL_WEBHOOK_UNAUTHENTICATED', details: { reason: 'bad-signature' } });
    expect(refusal({ 'x-ledgerlink-signature': hmacHeader(`${body} `) }).message).toContain('does not match the body');
    expect(refusal({ 'x-ledgerlink-signature': 't=abc,v1=zz' }).message).toContain('malformed');
    // A good bearer does not excuse a bad signature beside it.
    expect(refusal({ authorization: `Bearer ${SECRET}`, 'x-ledgerlink-signature': hmacHeader(body, 'other') }).details.reason).toBe('bad-signature');
    expect(refusal({})).toMatchObject({ code: 'LL_WEBHOOK_UNAUTHENTICATED', details: { reason: 'missing-signature' } });
    // The secret never appears in what is said.
    expect(JSON.stringify(refusal({ authorization: 'Bearer wrong' }))).not.toContain(SECRET);
  });

  it('refuses events older than the 12 h retry horizon (configurable), and stale signatures', () => {
    const old = JSON.stringify(payload({ timestamp: '2025-05-01T23:59:00Z' }));
    expect(() => parse(old, { authorization: `Bearer ${SECRET}` })).toThrow(/stale/);
    const lenient = createProcoreWebhooks({ maxAgeMs: 24 * 3_600_000 });
    expect(lenient.parse(old, { authorization: `Bearer ${SECRET}` }, SECRET, NOW)).toHaveLength(1);
    const body = JSON.stringify(payload());
    const signedLongAgo = hmacHeader(body, SECRET, new Date(NOW.getTime() - 13 * 3_600_000));
    try {
      parse(body, { 'x-ledgerlink-signature': signedLongAgo });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toMatchObject({ code: 'LL_WEBHOOK_STALE', details: { reason: 'stale' } });
    }
  });

  it('refuses malformed JSON and payloads that are not Procore events, saying what is missing', () => {
    expect(() => parse('{"id": 1,', { authorization: `Bearer ${SECRET}` })).toThrow(/not JSON/);
    try {
      parse(JSON.stringify({ id: 5, timestamp: NOW.toISOString() }), { authorization: `Bearer ${SECRET}` });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toMatchObject({ code: 'LL_WEBHOOK_MALFORMED', details: { reason: 'malformed-event', missing: ['company_id', 'resource_id', 'resource_name', 'event_type'] } });
    }
  });

  it('maps other resources, deletes and non-funded states to other; reads the v4 shape', () => {
    const types = [
      payload({ resource_name: 'RFIs' }),
      payload({ event_type: 'delete' }),
      payload({ metadata: { status: 'funding_in_progress' } }),
      payload({ resource_name: 'Requisitions', event_type: 'create' }),
    ].map((event) => parse(JSON.stringify(event), { authorization: `Bearer ${SECRET}` })[0]?.type);
    expect(types).toEqual(['other', 'other', 'other', 'other']);
    const v4 = { id: '77', ulid: undefined, timestamp: NOW.toISOString(), company_id: '4264', resource_type: 'Payments', reason: 'update', resource_id: '9002' };
    expect(parse(JSON.stringify(v4), { authorization: `Bearer ${SECRET}` })[0]).toMatchObject({ eventId: '77', type: 'payment.funding_complete', resourceId: '9002' });
  });

  it('yields a repeated event once within a delivery, and the deduper drops repeats across deliveries', () => {
    const event = payload();
    const body = JSON.stringify([event, event]);
    const events = parse(body, { authorization: `Bearer ${SECRET}` });
    expect(events).toHaveLength(1);
    const deduper = new WebhookDeduper(2);
    expect(deduper.fresh(events)).toHaveLength(1);
    expect(deduper.fresh(parse(JSON.stringify(event), { authorization: `Bearer ${SECRET}` }))).toHaveLength(0);
    expect(deduper.isDuplicate('b')).toBe(false);
    expect(deduper.isDuplicate('c')).toBe(false);
    // Bounded: the least recently seen id was forgotten.
    expect(deduper.size).toBe(2);
    expect(deduper.isDuplicate(events[0]?.eventId as string)).toBe(false);
  });
});
