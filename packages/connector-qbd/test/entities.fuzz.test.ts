import { LedgerlinkError, silentLogger, type HubVendor, type LoadItem, type Outcome, type Requisition } from '@ledgerlink/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { requisitionBills } from '../src/bill-add.js';
import type { QbdConfig } from '../src/config.js';
import { externalGuidFor } from '../src/external-guid.js';
import { LookupAddLoader, type AddSpec } from '../src/lookup-add-loader.js';
import { parseResponseMessage } from '../src/qbxml-wire.js';
import { hubVendors } from '../src/vendor-add.js';
import { VendorExtractor } from '../src/vendor-extractor.js';
import { WorkQueue } from '../src/work-queue.js';

// Every case goes over a real socket: on a loaded 2-core machine a few hundred cases take longer than the default
// 20 s, and a property cut off by its timeout keeps sending into the next test.
vi.setConfig({ testTimeout: 180_000 });

/**
 * Fuzzing QuickBooks' answers to the bill and vendor requests: a lookup and an add of a requisition or a vendor end
 * in a typed outcome whatever comes back, a blank or padded TxnID / ListID never settles one, and the vendor import
 * yields pages or throws a LedgerlinkError. `bench` runs it again with LEDGERLINK_FUZZ_RUNS=20000.
 */
const RUNS = Number(process.env.LEDGERLINK_FUZZ_RUNS ?? 300);
const TIMEOUT = Math.max(30_000, RUNS * 20);

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const xmlText = fc.string({ maxLength: 24 }).map((value) => value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
const blank = fc.constantFrom('', ' ', '  ', '\t', '\n', ' \u00a0');
const anId = fc.oneof(blank, fc.constantFrom('2F001-1741900000', ' 2F001-1741900000', '8A000001-1741900000 '), xmlText);
const statusCode = fc.oneof(fc.constantFrom('0', '1', '500', '3100', '3140', '3170', '3180', '3231', ''), xmlText);
const severity = fc.oneof(fc.constantFrom('Info', 'Warn', 'Error', ''), xmlText);

interface Case<TRecord> {
  spec: AddSpec<TRecord>;
  item: LoadItem<Record<string, unknown>, TRecord>;
  rsNames: string[];
  retName: string;
  idElement: string;
}

const requisitionCase: Case<Requisition> = {
  spec: requisitionBills,
  item: {
    id: 'fuzz-req',
    idempotencyKey: 'fuzz-req.r1',
    record: { id: 'fuzz-req' } as Requisition,
    payload: { VendorRef: { ListID: 'V-1' }, TxnDate: '2025-04-30', RefNumber: 'SUB-1', ItemLineAdd: [{ ItemRef: { ListID: 'I-1' }, Amount: '10.00' }] },
  },
  rsNames: ['BillQueryRs', 'BillAddRs'],
  retName: 'BillRet',
  idElement: 'TxnID',
};
const vendorCase: Case<HubVendor> = {
  spec: hubVendors,
  item: { id: 'fuzz-ven', idempotencyKey: 'fuzz-ven.r1', record: { id: 'fuzz-ven' } as HubVendor, payload: { Name: 'Sub 1', IsActive: 'true' } },
  rsNames: ['VendorQueryRs', 'VendorAddRs'],
  retName: 'VendorRet',
  idElement: 'ListID',
};

/** A Ret with the case's id, our ExternalGUID or another, and the natural key fields, any of them odd or missing. */
function ret(kase: Case<unknown>) {
  const guid = externalGuidFor(kase.item.id, kase.spec.entity);
  return fc
    .record(
      {
        [kase.idElement]: anId,
        RefNumber: fc.oneof(fc.constantFrom('SUB-1', 'sub-1'), xmlText),
        Name: fc.oneof(fc.constantFrom('Sub 1', 'SUB 1'), xmlText),
        VendorRef: fc.oneof(fc.constant('V-1'), xmlText),
        ExternalGUID: fc.oneof(fc.constant(guid), fc.constant(guid.toLowerCase()), xmlText),
      },
      { requiredKeys: [] },
    )
    .map((fields) =>
      Object.entries(fields)
        .map(([name, value]) => (name === 'VendorRef' ? `<VendorRef><ListID>${escape(value as string)}</ListID></VendorRef>` : `<${name}>${escape(value as string)}</${name}>`))
        .join(''),
    );
}

function answer(kase: Case<unknown>) {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .record({ code: statusCode, severity, message: xmlText, rets: fc.array(ret(kase), { maxLength: 3 }), sameId: fc.boolean(), name: fc.constantFrom(...kase.rsNames, 'OtherRs') })
        .map((rs) => ({ kind: 'xml' as const, ...rs })),
    },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constantFrom('<QBXML>', '<QBXML><QBXMLMsgsRs><')).map((text) => ({ kind: 'raw' as const, text })) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('0x80040400', '0x80040408'), xmlText).map((hresult) => ({ kind: 'hresult' as const, hresult })) },
  );
}
type Answer = { kind: 'xml'; code: string; severity: string; message: string; rets: string[]; sameId: boolean; name: string } | { kind: 'raw'; text: string } | { kind: 'hresult'; hresult: string };

function render(given: Extract<Answer, { kind: 'xml' }>, retName: string, requestId: string, extra = ''): string {
  const id = given.sameId ? requestId : `${requestId}x`;
  return (
    `<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><${given.name} requestID="${escape(id)}" statusCode="${escape(given.code)}" ` +
    `statusSeverity="${escape(given.severity)}" statusMessage="${escape(given.message)}"${extra}>` +
    `${given.rets.map((fields) => `<${retName}>${fields}</${retName}>`).join('')}</${given.name}></QBXMLMsgsRs></QBXML>`
  );
}

function deliver(queue: WorkQueue, given: Answer, retName: string, extra = ''): void {
  const requests = queue.take('t');
  if (requests.length === 0) return;
  if (given.kind === 'hresult') {
    queue.fail('t', given.hresult, 'fuzzed');
    return;
  }
  try {
    queue.answer('t', parseResponseMessage(given.kind === 'raw' ? given.text : render(given, retName, requests[0]?.requestId ?? '', extra)));
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerlinkError);
    queue.loseUnanswered('unreadable');
  }
}

const config: QbdConfig = {
  listen: { host: '127.0.0.1', port: 1, path: '/qbwc' },
  username: 'fuzz',
  password: 'fuzz-password',
  companyFile: '',
  answerWaitMs: 2_000,
  checkWaitMs: 1_000,
  importWaitMs: 1_000,
  lostAfterMs: 300_000,
  importPageSize: 25,
};

function expectTyped(outcome: Outcome | null): void {
  if (outcome === null) return;
  expect(['synced', 'accepted', 'rejected', 'retryable']).toContain(outcome.kind);
  // A blank or padded ERP id never settles a bill or a vendor.
  if (outcome.kind === 'synced') expect(outcome.erpId.trim() !== '' && outcome.erpId.trim() === outcome.erpId).toBe(true);
}

describe.each([
  ['requisition (BillQuery, BillAdd)', requisitionCase as Case<unknown>],
  ['vendor (VendorQuery, VendorAdd)', vendorCase as Case<unknown>],
])('fuzz: %s answers', (_name, kase) => {
  it(
    'an export or a find ends in a typed outcome for any lookup and add answers; a blank id never settles it',
    async () => {
      await fc.assert(
        fc.asyncProperty(answer(kase), answer(kase), fc.boolean(), async (lookupAnswer, addAnswer, viaFind) => {
          const queue = new WorkQueue();
          const loader = new LookupAddLoader(kase.spec, queue, config, silentLogger, async () => {});
          const signal = new AbortController().signal;
          const pending = viaFind ? loader.find(kase.item, { signal }) : loader.load([kase.item], { signal }).then(([outcome]) => outcome ?? null);
          await new Promise((resolve) => setImmediate(resolve));
          deliver(queue, lookupAnswer as Answer, kase.retName);
          await queue.settled(1_000);
          deliver(queue, addAnswer as Answer, kase.retName);
          queue.drain('fuzz case over');
          expectTyped(await pending);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe('fuzz: vendor import pages', () => {
  const page = fc.record({
    given: answer(vendorCase),
    remaining: fc.oneof(fc.constantFrom('0', '1', '2'), xmlText),
    iteratorId: fc.oneof(blank, fc.constant('{IT}'), xmlText),
  });

  it(
    'yields pages or throws a LedgerlinkError whatever QuickBooks answers; a blank ListID reaches the mapping as ""',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(page, { minLength: 1, maxLength: 3 }), async (pages) => {
          const queue = new WorkQueue();
          const extractor = new VendorExtractor(queue, { ...config, importWaitMs: 2_000 }, async () => {});
          const reading = (async () => {
            for await (const read of extractor.pages({ signal: new AbortController().signal })) {
              for (const record of read.records) {
                const id = record.ListID;
                expect(id === '' || (typeof id === 'string' && id.trim() === id && id !== '')).toBe(true);
              }
              expect(typeof read.cursor).toBe('string');
            }
          })().catch((error: unknown) => error);
          for (const { given, remaining, iteratorId } of pages) {
            await new Promise((resolve) => setImmediate(resolve));
            const named = given.kind === 'xml' ? { ...given, name: 'VendorQueryRs' } : given;
            deliver(queue, named as Answer, 'VendorRet', ` iteratorRemainingCount="${escape(remaining)}" iteratorID="${escape(iteratorId)}"`);
          }
          queue.drain('fuzz case over');
          const ended = await reading;
          if (ended !== undefined) expect(ended).toBeInstanceOf(LedgerlinkError);
        }),
        { numRuns: Math.ceil(RUNS / 3) },
      );
    },
    TIMEOUT,
  );
});
