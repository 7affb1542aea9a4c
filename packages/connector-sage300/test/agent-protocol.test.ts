import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sage300Sandbox } from '../src/sandbox/index.js';
import { call, startCompany } from './helpers.js';

const CODES_4471 = '/v1/ap/invoices/ACME/4471/codes';
const body = (check: string, extra: Record<string, unknown> = {}) => ({ invoiceCode1: 'PROCOREPAY', invoiceCode2: check, bank: 'OPER', ...extra });

describe('agent protocol v1, as the sandbox agent serves it', () => {
  let sandbox: Sage300Sandbox;
  beforeEach(async () => {
    sandbox = await startCompany();
  });
  afterEach(() => sandbox.close());

  describe('authentication', () => {
    it('refuses a request without a token, with UNAUTHORIZED and a Bearer challenge', async () => {
      const answer = await call(sandbox, 'GET', '/v1/health', { token: null });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="sage300-agent"');
      expect(answer.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    });

    it('refuses a wrong token, and changes nothing', async () => {
      const answer = await call(sandbox, 'PUT', CODES_4471, { token: 'not-the-agent-token-000', body: body('5001') });
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect(sandbox.payments()).toEqual([]);
    });

    it('answers health with the protocols it speaks and the Sage company', async () => {
      const answer = await call(sandbox, 'GET', '/v1/health');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('agent-protocol')).toBe('1');
      expect(answer.body).toMatchObject({ status: 'ok', protocols: ['1'], sage: { company: 'Sandbox Construction Co.' } });
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first answer to a repeated key, marked Idempotency-Replayed', async () => {
      const first = await call(sandbox, 'PUT', CODES_4471, { body: body('5001'), idempotencyKey: 'pay-1.r1' });
      const again = await call(sandbox, 'PUT', CODES_4471, { body: body('5001'), idempotencyKey: 'pay-1.r1' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ changed: true });
      expect(first.headers.get('idempotency-replayed')).toBeNull();
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotency-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
    });

    it('refuses the same key for a different request', async () => {
      await call(sandbox, 'PUT', CODES_4471, { body: body('5001'), idempotencyKey: 'pay-1.r1' });
      const other = await call(sandbox, 'PUT', CODES_4471, { body: body('5009'), idempotencyKey: 'pay-1.r1' });
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    });

    it('does not keep a refusal: once Sage is corrected, the same key goes through', async () => {
      await call(sandbox, 'PUT', CODES_4471, { body: body('5002') });
      const refused = await call(sandbox, 'PUT', CODES_4471, { body: body('5001'), idempotencyKey: 'pay-2.r1' });
      expect(refused.status).toBe(409);
      // Someone corrects Invoice Code 2 (compare-and-set, as a correction tool would).
      const corrected = await call(sandbox, 'PUT', CODES_4471, { body: body('5001', { expect: { invoiceCode2: '5002' } }) });
      expect(corrected.status).toBe(200);
      const retried = await call(sandbox, 'PUT', CODES_4471, { body: body('5001'), idempotencyKey: 'pay-2.r1' });
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ changed: false, invoice: { invoiceCode2: '5001' } });
    });
  });

  describe('setting the codes', () => {
    it('sets both codes and keeps the bank and check date beside them', async () => {
      const answer = await call(sandbox, 'PUT', CODES_4471, { body: body('5001', { amount: '12500.50', checkDate: '2025-03-14' }) });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        changed: true,
        invoice: { vendor: 'ACME', invoice: '4471', invoiceCode1: 'PROCOREPAY', invoiceCode2: '5001', bank: 'OPER', checkDate: '2025-03-14', status: 'Open' },
      });
    });

    it('answers the same codes twice with changed: false and keeps one selection', async () => {
      await call(sandbox, 'PUT', CODES_4471, { body: body('5001') });
      const again = await call(sandbox, 'PUT', CODES_4471, { body: body('5001') });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ changed: false });
      expect(sandbox.payments().map((payment) => payment.erpId)).toEqual(['ACME/4471']);
    });

    it('refuses another check number in Invoice Code 2, showing what it found', async () => {
      await call(sandbox, 'PUT', CODES_4471, { body: body('5002') });
      const answer = await call(sandbox, 'PUT', CODES_4471, { body: body('5001') });
      expect(answer.status).toBe(409);
      expect(answer.body).toEqual({
        error: {
          code: 'CODE_CONFLICT',
          message: 'Invoice 4471 of vendor ACME already has Invoice Code 2 = 5002; expected 5001. Clear it in Sage AP or correct the check number.',
          found: { invoiceCode1: 'PROCOREPAY', invoiceCode2: '5002' },
        },
      });
    });

    it('refuses a compare-and-set whose expectation no longer holds', async () => {
      const answer = await call(sandbox, 'PUT', CODES_4471, { body: body('5001', { expect: { invoiceCode2: '4999' } }) });
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ error: { code: 'CODE_CONFLICT', found: { invoiceCode1: '', invoiceCode2: '' } } });
    });

    it('refuses unknown body fields, naming them, so a newer client learns the agent is older', async () => {
      const answer = await call(sandbox, 'PUT', CODES_4471, { body: body('5001', { memo: 'x' }) });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain('memo');
    });

    it('addresses an invoice number holding a slash, percent-encoded', async () => {
      const answer = await call(sandbox, 'PUT', '/v1/ap/invoices/BOLT/2024%2F17/codes', { body: body('5003', { amount: '0.99' }) });
      expect(answer.status).toBe(200);
      expect(sandbox.payments().map((payment) => payment.erpId)).toEqual(['BOLT/2024/17']);
    });

    it('tells an unknown vendor from an invoice that belongs to another vendor', async () => {
      const vendor = await call(sandbox, 'PUT', '/v1/ap/invoices/NOPE/4471/codes', { body: body('5001') });
      expect(vendor.status).toBe(404);
      expect(vendor.body).toMatchObject({ error: { code: 'VENDOR_NOT_FOUND' } });
      const invoice = await call(sandbox, 'PUT', '/v1/ap/invoices/BOLT/4471/codes', { body: body('5001') });
      expect(invoice.status).toBe(404);
      expect(invoice.body).toMatchObject({
        error: { code: 'INVOICE_NOT_FOUND', message: 'Vendor BOLT has no invoice 4471 in Sage AP. Invoice 4471 exists for vendor ACME.' },
      });
    });
  });

  describe('reading', () => {
    it('lists invoices by code, page by page', async () => {
      await call(sandbox, 'PUT', CODES_4471, { body: body('5001') });
      await call(sandbox, 'PUT', '/v1/ap/invoices/BOLT/9001/codes', { body: body('5004') });
      const first = await call(sandbox, 'GET', '/v1/ap/invoices?invoiceCode1=PROCOREPAY&limit=1');
      expect(first.body).toMatchObject({ invoices: [{ vendor: 'ACME', invoice: '4471' }] });
      const cursor = String(first.body.nextCursor);
      const second = await call(sandbox, 'GET', `/v1/ap/invoices?invoiceCode1=PROCOREPAY&limit=1&cursor=${cursor}`);
      expect(second.body).toMatchObject({ invoices: [{ vendor: 'BOLT', invoice: '9001', invoiceCode2: '5004' }], nextCursor: null });
    });

    it('lists the AP banks', async () => {
      const answer = await call(sandbox, 'GET', '/v1/ap/banks');
      expect(answer.body).toEqual({ banks: [{ bank: 'OPER', name: 'Operating account' }, { bank: 'PAYROLL', name: 'Payroll account' }] });
    });
  });

  describe('busy', () => {
    it('answers 429 BUSY with Retry-After while Sage is locked', async () => {
      sandbox.setFaults({ throttleNext: 1 });
      const busy = await call(sandbox, 'PUT', CODES_4471, { body: body('5001') });
      expect(busy.status).toBe(429);
      expect(busy.headers.get('retry-after')).toBe('0');
      expect(busy.body).toMatchObject({ error: { code: 'BUSY' } });
      expect(sandbox.stats()).toMatchObject({ requests: 1, throttled: 1 });
      expect(sandbox.payments()).toEqual([]);
    });

    it('answers BUSY above its published concurrency when limits are enforced', async () => {
      sandbox.setFaults({ enforceLimits: true, latencyMs: 200 });
      const answers = await Promise.all([call(sandbox, 'GET', '/v1/health'), call(sandbox, 'GET', '/v1/health')]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 429]);
    });
  });
});
