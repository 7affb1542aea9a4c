/**
 * What the connector puts on the wire, read from the sandbox's request log: cookie sign-in, `PUT …/Check` with
 * every field wrapped as `{"value": …}` and exact amounts, `ReleaseCheck` followed through its `Location` until
 * 204, sign-out last; and the import's `GET` with `$filter`/`$expand`, paged with `$top`/`$skip`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AcumaticaSandbox, SandboxRequestRecord } from '../src/sandbox/index.js';
import { BILLS, CASH, VENDOR, exportOnce, payment, runtimeFor, startSeeded } from './support.js';

let sandbox: AcumaticaSandbox;
afterEach(() => sandbox.close());

const ENDPOINT = '/AcumaticaERP/entity/Default/24.200.001';
const line = (record: SandboxRequestRecord): string => `${record.method} ${decodeURIComponent(record.url)} ${String(record.status)}`;

describe('export on the wire', () => {
  it('login, PUT Check (insert only, cookie), ReleaseCheck 202 + Location, polls 202 until 204, logout', async () => {
    sandbox = await startSeeded({ faults: { releasePolls: 2 } });
    const record = payment({ amountCents: 1_000_010, bill: BILLS[0] });
    const outcome = await exportOnce(sandbox, record);
    expect(outcome).toMatchObject({ kind: 'synced' });
    const log = sandbox.requestLog();
    const release = log.find((entry) => entry.url.endsWith('/Check/ReleaseCheck'));
    const statusPath = log.find((entry) => entry.url.includes('/ReleaseCheck/status/'))?.url ?? '(none)';
    expect(log.map(line)).toEqual([
      'POST /AcumaticaERP/entity/auth/login 204',
      `PUT ${ENDPOINT}/Check?$expand=Details 200`,
      `POST ${ENDPOINT}/Check/ReleaseCheck 202`,
      `GET ${statusPath} 202`,
      `GET ${statusPath} 202`,
      `GET ${statusPath} 204`,
      'POST /AcumaticaERP/entity/auth/logout 204',
    ]);

    const [login, put] = log as [SandboxRequestRecord, SandboxRequestRecord];
    expect(JSON.parse(login.body)).toEqual({ name: 'ledgerlink', password: 'sandbox-password', tenant: 'Company' });
    expect(put.headers['if-none-match']).toBe('*');
    expect(put.headers.cookie).toContain('.ASPXAUTH=');
    // Amounts are JSON number tokens with exactly the decimal digits (a float would print 10000.1).
    expect(put.body).toContain('"PaymentAmount":{"value":10000.10}');
    expect(put.body).toContain('"AmountPaid":{"value":10000.10}');
    const entity = JSON.parse(put.body) as Record<string, unknown>;
    for (const [name, field] of Object.entries(entity)) {
      if (name === 'Details') continue;
      expect(Object.keys(field as object), `${name} is wrapped`).toEqual(['value']);
    }
    expect(entity).toMatchObject({
      Type: { value: 'Payment' },
      Vendor: { value: VENDOR },
      CashAccount: { value: CASH },
      PaymentMethod: { value: 'CHECK' },
      PaymentRef: { value: record.checkNumber },
      ApplicationDate: { value: record.fundedOn },
      Hold: { value: false },
      Details: [{ DocType: { value: 'Bill' }, ReferenceNbr: { value: BILLS[0] }, AmountPaid: { value: 10000.1 } }],
    });

    const stored = sandbox.payments()[0];
    expect(JSON.parse(release?.body ?? '{}')).toMatchObject({ entity: { Type: { value: 'Payment' }, ReferenceNbr: { value: stored?.erpId } } });
    expect(release?.headers.cookie).toBe(put.headers.cookie);
  });
});

describe('import on the wire', () => {
  it("GET Check with $filter Status eq 'Closed', $expand=Details,History, paged by $top/$skip", async () => {
    sandbox = await startSeeded();
    const ids = [0, 1, 2].map((index) =>
      sandbox.addPayment({ vendorId: VENDOR, bankAccountId: CASH, billId: BILLS[index] as string, amountCents: 500 + index, date: '2025-06-0' + String(index + 1), method: 'check', checkNumber: `77${index}`, final: true }),
    );
    sandbox.addPayment({ vendorId: VENDOR, bankAccountId: CASH, billId: BILLS[3] as string, amountCents: 999, date: '2025-06-05', method: 'ach', final: false });
    const runtime = runtimeFor(sandbox, { config: { pageSize: 2 } });
    const erpIds: string[] = [];
    const cursors: string[] = [];
    try {
      for await (const page of runtime.importPayments()) {
        expect(page.errors).toEqual([]);
        erpIds.push(...page.records.map((record) => record.erpPaymentId));
        cursors.push(page.cursor);
      }
      expect(erpIds).toEqual(ids);
      expect(cursors).toHaveLength(2);
      // From the last cursor nothing comes back twice.
      const again: string[] = [];
      for await (const page of runtime.importPayments({ cursor: cursors.at(-1) as string })) again.push(...page.records.map((record) => record.erpPaymentId));
      expect(again).toEqual([]);
    } finally {
      await runtime.close();
    }
    const gets = sandbox.requestLog().filter((entry) => entry.method === 'GET').map((entry) => new URL(entry.url, 'http://x').searchParams);
    expect(gets[0]?.get('$filter')).toBe("Status eq 'Closed'");
    expect(gets[0]?.get('$expand')).toBe('Details,History');
    expect([gets[0]?.get('$top'), gets[0]?.get('$skip'), gets[1]?.get('$skip')]).toEqual(['2', null, '2']);
    expect(gets.at(-1)?.get('$filter')).toMatch(/^Status eq 'Closed' and LastModifiedDateTime ge datetimeoffset'.+'$/);
  });
});
