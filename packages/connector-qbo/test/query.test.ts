import type { ConnectorRuntime, PaymentIssued } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryLiteral } from '../src/index.js';
import type { QboSandbox } from '../src/sandbox/index.js';
import { parseQuery, QuerySyntaxError, runQuery, runSortedQuery } from '../src/sandbox/query.js';
import { configFor, directClient, loadItemFor, runtimeFor, seededPayment, signal, startSandbox } from './support.js';

let sandbox: QboSandbox;
let runtime: ConnectorRuntime;

beforeAll(async () => {
  sandbox = await startSandbox();
  runtime = runtimeFor(sandbox);
});
afterAll(async () => {
  await runtime.close();
  await sandbox.close();
});

const NOTE = `Retention & release <50%> "final" 'draw' \\ Gdańsk — 🏗️ naïve`;

describe('special characters', () => {
  it('a PrivateNote with & < > " \' \\, non-ASCII and emoji is stored and imported character for character', async () => {
    const payment = seededPayment(sandbox, 1, { notes: NOTE });
    const [outcome] = await runtime.exportPayments([{ id: payment.id, idempotencyKey: `${payment.id}.r1`, record: payment }]);
    expect(outcome).toMatchObject({ kind: 'synced' });
    const erpId = (outcome as { erpId: string }).erpId;
    expect(sandbox.payments().find((landed) => landed.erpId === erpId)?.memo).toBe(NOTE);

    const imported: PaymentIssued[] = [];
    for await (const page of runtime.importPayments()) imported.push(...page.records);
    expect(imported.find((record) => record.erpPaymentId === erpId)?.notes).toBe(NOTE);
  });

  it("a check number with a quote and a backslash is escaped in the lookup query and found", async () => {
    const checkNumber = `O'Neil\\7 #2`;
    const payment = seededPayment(sandbox, 2, { checkNumber });
    const client = directClient(sandbox);
    const item = loadItemFor(runtime, payment);
    const [synced] = await client.payments.exporter!.load([item], { signal });
    expect(synced).toMatchObject({ kind: 'synced' });

    expect(await client.payments.exporter!.find(item, { signal })).toEqual({ ...synced, replayed: true });
    expect(sandbox.queries().at(-1)).toBe(`select * from BillPayment where DocNumber = 'O\\'Neil\\\\7 #2' MAXRESULTS 1000`);
  });

  it('a quote cannot end the literal early: the query reads one whole value', () => {
    const literal = queryLiteral(`x' and Id = '1`);
    expect(literal).toBe(`'x\\' and Id = \\'1'`);
    expect(parseQuery(`select * from BillPayment where DocNumber = ${literal}`).where).toEqual([
      { field: 'DocNumber', operator: '=', values: [`x' and Id = '1`] },
    ]);
  });
});

describe('the sandbox reads the query language as QuickBooks does', () => {
  it('keywords in any case, ORDERBY, STARTPOSITION and MAXRESULTS', () => {
    expect(parseQuery(`SELECT * FROM BillPayment WHERE MetaData.LastUpdatedTime > '2025-01-01T00:00:00-08:00' orderby MetaData.LastUpdatedTime DESC startposition 11 maxresults 10`)).toEqual({
      entity: 'BillPayment',
      count: false,
      where: [{ field: 'MetaData.LastUpdatedTime', operator: '>', values: ['2025-01-01T00:00:00-08:00'] }],
      orderBy: [{ field: 'MetaData.LastUpdatedTime', descending: true }],
      startPosition: 11,
      maxResults: 10,
    });
  });

  it('a page read from payments kept in time order is the page a filter and a sort give, STARTPOSITION inside a tie included', () => {
    // Three seconds, 7 payments in the middle one: pages that start inside the tie, at its end and past everything.
    const times = ['2025-08-01T16:00:00Z', '2025-08-01T16:00:01Z', '2025-08-01T16:00:02Z'];
    const counts = [3, 7, 2];
    const records = times.flatMap((time, second) => Array.from({ length: counts[second] as number }, (_, i) => ({ Id: `${second}-${i}`, MetaData: { LastUpdatedTime: time } })));
    const conditions = ['', `where MetaData.LastUpdatedTime >= '${times[1]}' `, `where MetaData.LastUpdatedTime > '${times[0]}' `, `where MetaData.LastUpdatedTime = '${times[1]}' `];
    for (const where of conditions) {
      for (const start of [1, 2, 4, 7, 8, 13]) {
        for (const max of [1, 3, 100]) {
          const query = parseQuery(`select * from BillPayment ${where}ORDERBY MetaData.LastUpdatedTime STARTPOSITION ${start} MAXRESULTS ${max}`);
          expect(runSortedQuery(records, query), `${where}STARTPOSITION ${start} MAXRESULTS ${max}`).toEqual(runQuery(records, query).page);
        }
      }
    }
  });

  it('answers a query it cannot read, and MAXRESULTS above 1000, with a Fault', async () => {
    expect(() => parseQuery(`select * from BillPayment where DocNumber = 'open`)).toThrow(QuerySyntaxError);
    expect(() => parseQuery('select * from BillPayment MAXRESULTS 1001')).toThrow(/Max allowed value is 1000/);

    const config = configFor(sandbox);
    const token = await fetch(config.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: config.refreshToken }).toString(),
    }).then((response) => response.json() as Promise<{ access_token: string }>);
    const response = await fetch(
      `${sandbox.url}/v3/company/${config.realmId}/query?minorversion=75&query=${encodeURIComponent('select * from BillPayment MAXRESULTS 1001')}`,
      { headers: { authorization: `Bearer ${token.access_token}`, accept: 'application/json' } },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ Fault: { Error: [{ code: '4001' }], type: 'ValidationFault' } });
  });
});
