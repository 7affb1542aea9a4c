import sdk from '@intacct/intacct-sdk';
import { parseCents, type Payment } from '@ledgerlink/core';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntacctSandbox } from '../src/sandbox/index.js';
import { credentials, itemFor, paymentFor, requestsWith, runtimeFor, seedFor, startSandbox } from './support/intacct-fixtures.js';

/**
 * The official `@intacct/intacct-sdk` refuses any endpoint outside intacct.com, so it cannot talk to the
 * sandbox; it still writes its request documents offline. For the same payment, the request our client put
 * on the wire (captured by the sandbox) must be what the SDK writes: element names, element order, attributes,
 * date format and text. The one deliberate difference: money. The SDK writes a JavaScript number
 * (`123.4`); we write the exact two-decimal string (`123.40`) that the canonical model's cents print as,
 * because a float never touches a payment amount here. Both are the same amount.
 */

type Node = { tag: string; attributes: Record<string, string>; children: Node[] } | { text: string };

const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: false });

/** The document as a tree in document order, without the declaration and without whitespace-only text. */
function tree(xml: string): Node[] {
  const walk = (items: Record<string, unknown>[]): Node[] =>
    items.flatMap((item): Node[] => {
      const tag = Object.keys(item).find((key) => key !== ':@') as string;
      if (tag === '?xml') return [];
      if (tag === '#text') {
        const text = String(item[tag]);
        return text.trim() === '' ? [] : [{ text }];
      }
      return [{ tag, attributes: (item[':@'] as Record<string, string> | undefined) ?? {}, children: walk(item[tag] as Record<string, unknown>[]) }];
    });
  return walk(ordered.parse(xml) as Record<string, unknown>[]);
}

interface Difference {
  path: string;
  ours: string;
  sdk: string;
}

/** Compares two trees; returns the text differences; throws on any structural one (names, order, attributes). */
function differences(ours: Node[], theirs: Node[], path = ''): Difference[] {
  expect(ours.map(describeNode), `elements under ${path || '/'}`).toEqual(theirs.map(describeNode));
  return ours.flatMap((node, index) => {
    const other = theirs[index] as Node;
    if ('text' in node) return node.text === (other as { text: string }).text ? [] : [{ path, ours: node.text, sdk: (other as { text: string }).text }];
    const element = other as Exclude<Node, { text: string }>;
    expect(node.attributes, `attributes of ${path}/${node.tag}`).toEqual(element.attributes);
    // An empty element is written <x></x> by one writer and <x /> by the other: the same element.
    if (node.children.length === 0 && element.children.length === 0) return [];
    return differences(node.children, element.children, `${path}/${node.tag}`);
  });
}

function describeNode(node: Node): string {
  return 'text' in node ? '#text' : node.tag;
}

function textAt(nodes: Node[], path: string[]): string {
  let current: Node[] = nodes;
  for (const name of path) {
    const next = current.find((node) => !('text' in node) && node.tag === name);
    if (next === undefined || 'text' in next) throw new Error(`no ${name} in ${path.join('/')}`);
    current = next.children;
  }
  const text = current.find((node) => 'text' in node);
  return text !== undefined && 'text' in text ? text.text : '';
}

const { ClientConfig, RequestConfig } = sdk;
const { RequestBlock } = sdk.Xml;
const { ApPaymentCreate, ApPaymentInfo, ApPaymentDetailBill, ApPaymentDetailBillInfo } = sdk.Functions.AccountsPayable;
const { Query, QuerySelect, QueryFilter, QueryOrderBy } = sdk.Functions.Common.NewQuery;

function sdkSessionConfig(sessionId: string): InstanceType<typeof ClientConfig> {
  const config = new ClientConfig();
  config.senderId = credentials.senderId;
  config.senderPassword = credentials.senderPassword;
  config.sessionId = sessionId;
  return config;
}

function sdkRequestConfig(controlId: string, uniqueId: boolean): InstanceType<typeof RequestConfig> {
  const config = new RequestConfig();
  config.controlId = controlId;
  config.uniqueId = uniqueId;
  config.transaction = false;
  return config;
}

/** The SDK's request for the same payment, with the amount as the SDK takes it: a JavaScript number. */
function sdkCreateRequest(payment: Payment, sessionId: string, controlId: string): string {
  const info = new ApPaymentInfo();
  info.paymentMethod = payment.method === 'ach' ? 'EFT' : 'Printed Check';
  info.financialEntityId = payment.bankId;
  info.vendorId = payment.vendor.erpId as string;
  if (payment.checkNumber !== undefined) info.documentNo = payment.checkNumber;
  if (payment.notes !== undefined) info.memo = payment.notes;
  const [year, month, day] = payment.fundedOn.split('-').map(Number) as [number, number, number];
  info.paymentDate = new Date(year, month - 1, day); // the SDK formats local dates
  const detail = new ApPaymentDetailBillInfo();
  detail.recordNo = Number(payment.invoice.erpId);
  detail.paymentAmount = payment.amountCents / 100;
  info.apPaymentDetails = [new ApPaymentDetailBill(detail)];
  return new RequestBlock(sdkSessionConfig(sessionId), sdkRequestConfig(controlId, true), [new ApPaymentCreate(info, controlId)]).writeXml();
}

describe('request documents: ours against the official SDK', () => {
  let sandbox: IntacctSandbox;
  const special = `Paid & settled <ok> "quoted" 'single' — Zürich 🚧`;
  const dime = paymentFor(1, { amountCents: 12_340, notes: special });
  const cents = paymentFor(2, { amountCents: 12_345, method: 'ach', checkNumber: undefined, notes: undefined, fundedOn: '2025-12-01' });

  beforeAll(async () => {
    sandbox = await startSandbox();
    sandbox.seed(seedFor(dime));
    sandbox.seed(seedFor(cents));
    const runtime = runtimeFor(sandbox);
    try {
      const outcomes = await runtime.exportPayments([itemFor(dime), itemFor(cents)]);
      expect(outcomes.map((o) => o.kind)).toEqual(['synced', 'synced']);
      expect(await runtime.settle(itemFor(dime))).toMatchObject({ kind: 'synced', replayed: true });
      for await (const page of runtime.importPayments({})) expect(page.errors).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
  afterAll(() => sandbox.close());

  function ourCreate(payment: Payment): Node[] {
    const body = requestsWith(sandbox, '<create>').find((xml) => xml.includes(`<VENDORID>${payment.vendor.erpId as string}</VENDORID>`));
    expect(body, `our create request for ${payment.id}`).toBeDefined();
    return tree(body as string);
  }

  it('create APPYMT: same elements, order, attributes and mm/dd/yyyy date; money differs only as 123.40 vs 123.4', () => {
    const ours = ourCreate(dime);
    const sessionId = textAt(ours, ['request', 'operation', 'authentication', 'sessionid']);
    const controlId = textAt(ours, ['request', 'control', 'controlid']);
    const theirs = tree(sdkCreateRequest(dime, sessionId, controlId));

    const found = differences(ours, theirs);
    expect(found).toEqual([
      { path: '/request/operation/content/function/create/APPYMT/APPYMTDETAILS/APPYMTDETAIL/TRX_PAYMENTAMOUNT', ours: '123.40', sdk: '123.4' },
    ]);
    expect(parseCents(found[0]?.ours as string)).toBe(parseCents(found[0]?.sdk as string));
  });

  it('create APPYMT without a check number or notes (EFT), amount with cents: identical to the SDK', () => {
    const ours = ourCreate(cents);
    const sessionId = textAt(ours, ['request', 'operation', 'authentication', 'sessionid']);
    const controlId = textAt(ours, ['request', 'control', 'controlid']);
    expect(differences(ours, tree(sdkCreateRequest(cents, sessionId, controlId)))).toEqual([]);
    expect(textAt(ours, ['request', 'operation', 'content', 'function', 'create', 'APPYMT', 'PAYMENTDATE'])).toBe('12/01/2025');
  });

  it('the sign-in: login authentication and getAPISession as the SDK writes them', () => {
    const body = requestsWith(sandbox, '<getAPISession').at(0) as string;
    const ours = tree(body);
    const controlId = textAt(ours, ['request', 'control', 'controlid']);
    const config = new ClientConfig();
    config.senderId = credentials.senderId;
    config.senderPassword = credentials.senderPassword;
    config.companyId = credentials.companyId;
    config.userId = credentials.userId;
    config.userPassword = credentials.userPassword;
    const theirs = tree(new RequestBlock(config, sdkRequestConfig(controlId, false), [new sdk.Functions.ApiSessionCreate(controlId)]).writeXml());
    expect(differences(ours, theirs)).toEqual([]);
  });

  it('the import page: query APPYMT on the final states (an in filter) as the SDK Query writes it', () => {
    const body = requestsWith(sandbox, '<query>').find((xml) => xml.includes('<in><field>STATE</field>')) as string;
    const ours = tree(body);
    const controlId = textAt(ours, ['request', 'control', 'controlid']);
    const sessionId = textAt(ours, ['request', 'operation', 'authentication', 'sessionid']);
    const fields = ['RECORDNO', 'STATE', 'PAYMENTMETHOD', 'FINANCIALENTITY', 'VENDORID', 'VENDORNAME', 'DOCNUMBER', 'DESCRIPTION', 'WHENCREATED', 'CURRENCY', 'TRX_TOTALENTERED', 'WHENMODIFIED'];
    const query = new Query(controlId);
    query
      .assignSelectFields(new QuerySelect.SelectBuilder().addFields(fields).selects)
      .assignFromObject('APPYMT')
      .assignFilter(new QueryFilter.Filter('STATE').in(['Approved', 'Posted', 'A', 'C']))
      .assignOrderBy(new QueryOrderBy.OrderBuilder().addAscending('WHENMODIFIED').addAscending('RECORDNO').orders)
      .assignPageSize(100);
    const theirs = tree(new RequestBlock(sdkSessionConfig(sessionId), sdkRequestConfig(controlId, false), [query]).writeXml());
    expect(differences(ours, theirs)).toEqual([]);
  });

  it('the lookup by natural key: query APPYMT as the SDK Query writes it', () => {
    const body = requestsWith(sandbox, '<query>').find((xml) => xml.includes('<value>V-1</value>')) as string;
    const ours = tree(body);
    const controlId = textAt(ours, ['request', 'control', 'controlid']);
    const sessionId = textAt(ours, ['request', 'operation', 'authentication', 'sessionid']);
    const query = new Query(controlId);
    query
      .assignSelectFields(new QuerySelect.SelectBuilder().addFields(['RECORDNO', 'STATE']).selects)
      .assignFromObject('APPYMT')
      .assignFilter(
        new QueryFilter.AndOperator([
          new QueryFilter.Filter('VENDORID').equalTo('V-1'),
          new QueryFilter.Filter('FINANCIALENTITY').equalTo('BA-1'),
          new QueryFilter.Filter('DOCNUMBER').equalTo(dime.checkNumber as string),
          // The date too: a reused check number is another payment (issue 11, item 1). PAYMENTDATE is mm/dd/yyyy.
          new QueryFilter.Filter('WHENCREATED').equalTo(mmddyyyy(dime.fundedOn as string)),
        ]),
      )
      .assignOrderBy(new QueryOrderBy.OrderBuilder().addAscending('RECORDNO').orders)
      .assignPageSize(10);
    const theirs = tree(new RequestBlock(sdkSessionConfig(sessionId), sdkRequestConfig(controlId, false), [query]).writeXml());
    expect(differences(ours, theirs)).toEqual([]);
  });
});

function mmddyyyy(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${month}/${day}/${year}`;
}
