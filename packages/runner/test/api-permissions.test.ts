import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, TOKENS, untilStateOf, type ApiStack, type TokenName } from './api-harness.js';

/**
 * Every route x every role (seed 003's matrix as README-api.md states it), written out here independently
 * of the server's own table, so a change to either shows. Each allowed call is made for real and must
 * succeed; each refused one must be a 403 and change nothing.
 */

const ROLES = ['read_only', 'read_only_flagged', 'standard', 'approver', 'admin', 'admin_approver'] as const satisfies readonly TokenName[];
type Role = (typeof ROLES)[number];
const ALL: Role[] = [...ROLES];
const STANDARD_UP: Role[] = ['standard', 'approver', 'admin', 'admin_approver'];
const APPROVERS: Role[] = ['approver', 'admin_approver'];
const IMPORTERS: Role[] = ['approver', 'admin', 'admin_approver'];
const ADMINS: Role[] = ['admin', 'admin_approver'];

interface Call {
  method: string;
  path: string;
  body?: unknown;
  /** Checks an allowed call's answer. */
  check?: (body: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any -- each route's answer differs
  /** Checks the ledger or runner after a refused call: nothing moved. */
  unchanged?: () => Promise<void>;
}

interface RouteCase {
  name: string;
  allowed: Role[];
  status: number;
  /** Makes what the call needs (a record in the right state) and says how to call it. */
  prepare(): Promise<Call>;
}

let stack: ApiStack;
let failedId: string;
let n = 0;

async function awaitingApproval(): Promise<string> {
  const item = await stack.intake('appr', stack.payment());
  expect(item.state).toBe('awaiting_approval');
  return item.id;
}

/** A failed record that exports cleanly once moved back to pending (rejected by an approver, without any ERP call). */
async function rejectedRecord(): Promise<string> {
  const id = await awaitingApproval();
  await stack.runner.tenant('appr').exporter.reject(id, 'fixture', { kind: 'user', id: 'fixture' });
  return id;
}

function stays(id: string, state: string): () => Promise<void> {
  return async () => expect((await stack.runner.ledger.get(id))?.state).toBe(state);
}

const CASES: RouteCase[] = [
  { name: 'GET /records', allowed: ALL, status: 200, prepare: async () => ({ method: 'GET', path: '/records?state=failed&tenant=acme' }) },
  { name: 'GET /records/:id', allowed: ALL, status: 200, prepare: async () => ({ method: 'GET', path: `/records/${failedId}` }) },
  {
    name: 'PATCH /records/:id',
    allowed: STANDARD_UP,
    status: 200,
    prepare: async () => {
      const before = (await stack.runner.ledger.get(failedId))?.revision;
      const checkNumber = String(60_000 + ++n);
      return {
        method: 'PATCH',
        path: `/records/${failedId}`,
        body: { checkNumber },
        check: (body) => expect(body).toMatchObject({ state: 'failed', record: { checkNumber } }),
        unchanged: async () => expect((await stack.runner.ledger.get(failedId))?.revision).toBe(before),
      };
    },
  },
  {
    name: 'POST /records/:id/export',
    allowed: STANDARD_UP,
    status: 202,
    prepare: async () => {
      // A payment the ERP refused (not one an approver rejected: that one is tested on its own below).
      const id = (await stack.failedRecord('acme')).id;
      return { method: 'POST', path: `/records/${id}/export`, check: (body) => expect(body).toMatchObject({ id, state: 'pending' }), unchanged: stays(id, 'failed') };
    },
  },
  {
    name: 'POST /records/:id/approve',
    allowed: APPROVERS,
    status: 200,
    prepare: async () => {
      const id = await awaitingApproval();
      return { method: 'POST', path: `/records/${id}/approve`, check: (body) => expect(body).toMatchObject({ id, state: 'pending' }), unchanged: stays(id, 'awaiting_approval') };
    },
  },
  {
    name: 'POST /records/:id/reject',
    allowed: APPROVERS,
    status: 200,
    prepare: async () => {
      const id = await awaitingApproval();
      return {
        method: 'POST',
        path: `/records/${id}/reject`,
        body: { reason: 'wrong project' },
        check: (body) => expect(body).toMatchObject({ id, state: 'failed', lastError: { message: expect.stringContaining('wrong project') } }),
        unchanged: stays(id, 'awaiting_approval'),
      };
    },
  },
  { name: 'GET /tenants', allowed: ALL, status: 200, prepare: async () => ({ method: 'GET', path: '/tenants' }) },
  { name: 'POST /tenants/:id/import', allowed: IMPORTERS, status: 200, prepare: async () => ({
      method: 'POST',
      path: '/tenants/acme/import',
      check: (body) => expect(body).toMatchObject({ read: expect.any(Number), written: expect.any(Number), failed: expect.any(Number) }),
    }),
  },
  { name: 'GET /tenants/:id/schedule', allowed: ALL, status: 200, prepare: async () => ({ method: 'GET', path: '/tenants/acme/schedule' }) },
  {
    name: 'PUT /tenants/:id/schedule',
    allowed: ADMINS,
    status: 200,
    prepare: async () => {
      const before = stack.runner.scheduler?.importEvery('acme');
      const everyMinutes = 30 + ++n;
      return {
        method: 'PUT',
        path: '/tenants/acme/schedule',
        body: { everyMinutes },
        check: (body) => expect(body).toMatchObject({ tenant: 'acme', everyMinutes, importable: true }),
        unchanged: async () => expect(stack.runner.scheduler?.importEvery('acme')).toBe(before),
      };
    },
  },
  {
    name: 'POST /tenants/:id/exports/disable',
    allowed: ADMINS,
    status: 200,
    prepare: async () => {
      await stack.runner.tenant('appr').exporter.setExportsEnabled(true);
      return {
        method: 'POST',
        path: '/tenants/appr/exports/disable',
        check: (body) => expect(body).toEqual({ tenant: 'appr', exportsEnabled: false }),
        unchanged: async () => expect(stack.runner.tenant('appr').exporter.exportsEnabled).toBe(true),
      };
    },
  },
  {
    name: 'POST /tenants/:id/exports/enable',
    allowed: ADMINS,
    status: 200,
    prepare: async () => {
      await stack.runner.tenant('appr').exporter.setExportsEnabled(false);
      return {
        method: 'POST',
        path: '/tenants/appr/exports/enable',
        check: (body) => expect(body).toEqual({ tenant: 'appr', exportsEnabled: true }),
        unchanged: async () => expect(stack.runner.tenant('appr').exporter.exportsEnabled).toBe(false),
      };
    },
  },
  { name: 'GET /session', allowed: ALL, status: 200, prepare: async () => ({ method: 'GET', path: '/session' }) },
  { name: 'GET /stats/exports', allowed: ALL, status: 200, prepare: async () => ({ method: 'GET', path: '/stats/exports?hours=1&bucketMinutes=10' }) },
];

const PUBLIC = ['/healthz', '/readyz', '/metrics', '/openapi.json', '/'];

describe('route x role matrix (seed 003)', () => {
  beforeAll(async () => {
    stack = await startApiStack();
    failedId = (await stack.failedRecord('acme')).id;
  }, 60_000);
  afterAll(async () => {
    await stack.runner.tenant('appr').exporter.setExportsEnabled(true);
    await stack?.close();
  });

  for (const route of CASES) {
    describe(route.name, () => {
      for (const role of ROLES) {
        const allowed = route.allowed.includes(role);
        it(`${role}: ${allowed ? route.status : 403}`, async () => {
          const call = await route.prepare();
          const answer = await stack.call(call.method, call.path, { token: role, ...(call.body === undefined ? {} : { body: call.body }) });
          if (allowed) {
            expect(answer.status, JSON.stringify(answer.body)).toBe(route.status);
            call.check?.(answer.body);
          } else {
            expect(answer.status, JSON.stringify(answer.body)).toBe(403);
            expect(answer.body).toMatchObject({ code: 'LL_API_FORBIDDEN', details: { role: role.startsWith('read_only') ? 'read_only' : expect.any(String) } });
            expect(answer.body.message).toMatch(/needs /);
            await call.unchanged?.();
          }
        });
      }

      it('no token, a wrong token, an expired token and a malformed header: 401', async () => {
        const call = await route.prepare();
        const body = call.body === undefined ? {} : { body: call.body };
        const none = await stack.call(call.method, call.path, body);
        expect(none.status).toBe(401);
        expect(none.body).toMatchObject({ code: 'LL_API_UNAUTHENTICATED', message: expect.stringMatching(/Authorization: Bearer/) });
        const wrong = await stack.call(call.method, call.path, { token: { raw: `${TOKENS.admin_approver}x` }, ...body });
        expect(wrong.status).toBe(401);
        expect(wrong.body.code).toBe('LL_API_UNAUTHENTICATED');
        const expired = await stack.call(call.method, call.path, { token: 'expired', ...body });
        expect(expired.status).toBe(401);
        expect(expired.body).toMatchObject({ code: 'LL_API_TOKEN_EXPIRED', details: { subject: 'expired@example.test' } });
        const basic = await stack.call(call.method, call.path, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKENS.admin}`).toString('base64')}` }, ...body });
        expect(basic.status).toBe(401);
        await call.unchanged?.();
      });
    });
  }

  it('public routes answer without a token, and with any token', async () => {
    for (const path of PUBLIC) {
      const anonymous = await stack.call('GET', path);
      expect(anonymous.status, path).toBe(200);
      const withToken = await stack.call('GET', path, { token: 'read_only' });
      expect(withToken.status, path).toBe(200);
    }
  });

  it('acts as the token subject: the audit trail names who approved', async () => {
    await stack.runner.tenant('appr').exporter.setExportsEnabled(true);
    const id = await awaitingApproval();
    const answer = await stack.call('POST', `/records/${id}/approve`, { token: 'approver' });
    expect(answer.status).toBe(200);
    const audit = await stack.runner.ledger.audit(id);
    expect(audit.find((entry) => entry.action === 'approved')?.actor).toEqual({ kind: 'user', id: 'approver@example.test' });
    await untilStateOf(stack.runner, id, 'synced');
  });

  describe('POST /records/:id/export of a payment an approver rejected (tenant requires approval)', () => {
    // Only the approver privilege exports it again; standard and admin are refused and nothing moves.
    for (const role of ROLES) {
      const approver = APPROVERS.includes(role);
      const reads = role.startsWith('read_only');
      it(`${role}: ${approver ? 202 : 403}`, async () => {
        const id = await rejectedRecord();
        const answer = await stack.call('POST', `/records/${id}/export`, { token: role });
        if (approver) {
          expect(answer.status, JSON.stringify(answer.body)).toBe(202);
          expect(answer.body).toMatchObject({ id, state: 'pending' });
          await untilStateOf(stack.runner, id, 'synced');
          return;
        }
        expect(answer.status, JSON.stringify(answer.body)).toBe(403);
        expect(answer.body.code).toBe(reads ? 'LL_API_FORBIDDEN' : 'LL_APPROVAL_REQUIRED');
        if (!reads) expect(answer.body.message).toMatch(/rejected by an accounting approver/);
        expect((await stack.runner.ledger.get(id))?.state).toBe('failed');
        // Editing it first changes nothing: still refused.
        if (!reads) {
          expect((await stack.call('PATCH', `/records/${id}`, { token: role, body: { checkNumber: String(70_000 + ++n) } })).status).toBe(200);
          expect((await stack.call('POST', `/records/${id}/export`, { token: role })).status).toBe(403);
          expect((await stack.runner.ledger.attempts(id))).toEqual([]);
        }
      });
    }

    it('the same payment asked for again from Procore goes back to the approver, not to the ERP', async () => {
      const id = await rejectedRecord();
      const item = await stack.runner.ledger.get(id);
      const result = await stack.runner.tenant('appr').exporter.intake(item?.record);
      expect(result.kind).toBe('reexported');
      expect((await stack.runner.ledger.get(id))?.state).toBe('awaiting_approval');
      expect(await stack.runner.ledger.attempts(id)).toEqual([]);
      // In one move: never pending in between, where a drain could have sent it to the ERP past the approver.
      const audit = await stack.runner.ledger.audit(id);
      const sinceRejection = audit.slice(audit.findIndex((entry) => entry.action === 'rejected by approver') + 1);
      expect(sinceRejection.map((entry) => [entry.action, entry.detail?.from, entry.detail?.to])).toEqual([['re-export', 'failed', 'awaiting_approval']]);
    });

    it('a blocked payment whose invoice reaches the ERP goes straight to the approver, never pending on the way', async () => {
      const paid = stack.payment();
      const { erpId, ...invoice } = paid.invoice;
      const blocked = await stack.intake('appr', { ...paid, invoice });
      expect(blocked.state).toBe('blocked');
      // The hub asks again, now knowing the invoice's bill: unblocked, and this tenant requires approval.
      await stack.runner.tenant('appr').exporter.intake({ ...paid, invoice: { ...invoice, erpId } });
      expect((await stack.runner.ledger.get(blocked.id))?.state).toBe('awaiting_approval');
      expect(await stack.runner.ledger.attempts(blocked.id)).toEqual([]);
      const moves = (await stack.runner.ledger.audit(blocked.id)).filter((entry) => entry.detail?.from !== undefined);
      expect(moves.map((entry) => [entry.action, entry.detail?.from, entry.detail?.to])).toEqual([['unblocked', 'blocked', 'awaiting_approval']]);
    });
  });

  it('GET /session says what the token may do', async () => {
    const flagged = await stack.call('GET', '/session', { token: 'read_only_flagged' });
    expect(flagged.body).toEqual({ subject: 'read_only_flagged@example.test', role: 'read_only', accountingApprover: false, permissions: ['read'] });
    const approver = await stack.call('GET', '/session', { token: 'approver' });
    expect(approver.body.permissions).toEqual(['read', 'resend', 'approve', 'import']);
    const admin = await stack.call('GET', '/session', { token: 'admin' });
    expect(admin.body.permissions).toEqual(['read', 'resend', 'import', 'schedule', 'exports']);
  });
});
