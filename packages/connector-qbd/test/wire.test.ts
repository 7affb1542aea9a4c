import { LedgerlinkError } from '@ledgerlink/core';
import { describe, expect, it } from 'vitest';
import { billPaymentCheckAdd } from '../src/bill-payment-check-add.js';
import { externalGuidFor, requestIdFor } from '../src/external-guid.js';
import { buildRequestMessage, parseResponseMessage } from '../src/qbxml-wire.js';

describe('qbXML written by the connector', () => {
  it('puts BillPaymentCheckAdd in schema order whatever order the payload has', () => {
    const payload = {
      AppliedToTxnAdd: [{ PaymentAmount: '123.46', TxnID: '2001-1741900200' }],
      Memo: 'a & b',
      RefNumber: '10001',
      BankAccountRef: { ListID: '40000001-1741900100' },
      TxnDate: '2025-03-14',
      PayeeEntityRef: { ListID: '80000001-1741900000' },
    };
    const content = billPaymentCheckAdd(payload, externalGuidFor('pay-1'));
    const xml = buildRequestMessage([{ name: 'BillPaymentCheckAddRq', requestId: 'r1', content: { BillPaymentCheckAdd: content } }]);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><\?qbxml version="13.0"\?><QBXML><QBXMLMsgsRq onError="continueOnError">/);
    const order = [...xml.matchAll(/<(PayeeEntityRef|TxnDate|BankAccountRef|RefNumber|Memo|ExternalGUID|AppliedToTxnAdd|TxnID|PaymentAmount)>/g)].map((m) => m[1]);
    expect(order).toEqual(['PayeeEntityRef', 'TxnDate', 'BankAccountRef', 'RefNumber', 'Memo', 'ExternalGUID', 'AppliedToTxnAdd', 'TxnID', 'PaymentAmount']);
    expect(xml).toContain('<Memo>a &amp; b</Memo>');
  });

  it('refuses payload elements BillPaymentCheckAdd does not have', () => {
    expect(() => billPaymentCheckAdd({ AppliedToTxnAdd: [{ TxnID: 'x', PaymentAmount: '1.00' }], Vendor: 'x' }, externalGuidFor('p'))).toThrow(/"Vendor"/);
    expect(() => billPaymentCheckAdd({ PayeeEntityRef: { ListID: 'v' } }, externalGuidFor('p'))).toThrow(/AppliedToTxnAdd/);
  });

  it('derives a stable, well-formed ExternalGUID per ledger item and requestIDs of at most 50 characters', () => {
    expect(externalGuidFor('pay-1')).toBe(externalGuidFor('pay-1'));
    expect(externalGuidFor('pay-1')).not.toBe(externalGuidFor('pay-2'));
    expect(externalGuidFor('pay-1')).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}\}$/);
    expect(requestIdFor('x'.repeat(80), 'add', 12345).length).toBeLessThanOrEqual(50);
    expect(requestIdFor('pay-1.r1', 'add', 1)).toBe('pay-1.r1:add:1');
  });

  it('reads statuses, iterator attributes and Rets as strings', () => {
    const responses = parseResponseMessage(
      '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>' +
        '<BillPaymentCheckQueryRs requestID="q1" statusCode="0" statusSeverity="Info" statusMessage="Status OK" iteratorRemainingCount="3" iteratorID="{AB}">' +
        '<BillPaymentCheckRet><TxnID>1F-1</TxnID><Amount>0100.50</Amount><RefNumber>00123</RefNumber><Memo>x &amp; y</Memo>' +
        '<AppliedToTxnRet><TxnID>B1</TxnID></AppliedToTxnRet></BillPaymentCheckRet></BillPaymentCheckQueryRs>' +
        '<BillPaymentCheckAddRs requestID="a1" statusCode="3140" statusSeverity="Error" statusMessage="There is an invalid reference to QuickBooks Account &quot;B&quot;."/>' +
        '</QBXMLMsgsRs></QBXML>',
    );
    expect(responses).toEqual([
      {
        name: 'BillPaymentCheckQueryRs',
        requestId: 'q1',
        statusCode: '0',
        statusSeverity: 'Info',
        statusMessage: 'Status OK',
        iteratorId: '{AB}',
        iteratorRemainingCount: 3,
        rets: [{ TxnID: '1F-1', Amount: '0100.50', RefNumber: '00123', Memo: 'x & y', AppliedToTxnRet: [{ TxnID: 'B1' }] }],
      },
      { name: 'BillPaymentCheckAddRs', requestId: 'a1', statusCode: '3140', statusSeverity: 'Error', statusMessage: 'There is an invalid reference to QuickBooks Account "B".', rets: [] },
    ]);
  });

  it('writes IsToBePrinted false in RefNumber\'s place for a payment without a check number (the schema needs one of them)', () => {
    const payload = {
      PayeeEntityRef: { ListID: '80000001-1741900000' },
      TxnDate: '2025-03-14',
      BankAccountRef: { ListID: '40000001-1741900100' },
      Memo: 'ach',
      AppliedToTxnAdd: [{ TxnID: '2001-1741900200', PaymentAmount: '10.50' }],
    };
    for (const ach of [payload, { ...payload, RefNumber: '' }, { ...payload, RefNumber: '   ' }]) {
      const xml = buildRequestMessage([{ name: 'BillPaymentCheckAddRq', requestId: 'r1', content: { BillPaymentCheckAdd: billPaymentCheckAdd(ach, externalGuidFor('pay-1')) } }]);
      expect(xml).toContain('</BankAccountRef><IsToBePrinted>false</IsToBePrinted><Memo>ach</Memo>');
      expect(xml).not.toContain('<RefNumber>');
    }
    expect(() => billPaymentCheckAdd({ ...payload, RefNumber: '7', IsToBePrinted: 'true' }, externalGuidFor('p'))).toThrow(/IsToBePrinted or RefNumber, not both/);
  });

  it('declares qbXML 12.0 when the Web Connector reports QuickBooks speaks only 12', () => {
    const xml = buildRequestMessage([{ name: 'CompanyQueryRq', requestId: 'c', content: {} }], '12.0');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><\?qbxml version="12.0"\?>/);
  });

  it('refuses an answer that is not a qbXML response with a LedgerlinkError, and reads odd Rs shapes without throwing', () => {
    for (const bad of ['', 'not xml', '<QBXML/>', '<QBXML><QBXMLMsgsRs>text</QBXMLMsgsRs></QBXML>']) {
      expect(() => parseResponseMessage(bad)).toThrow(LedgerlinkError);
    }
    expect(parseResponseMessage('<QBXML><QBXMLMsgsRs><BillPaymentCheckAddRs>text</BillPaymentCheckAddRs><X>1</X></QBXMLMsgsRs></QBXML>')).toEqual([
      { name: 'BillPaymentCheckAddRs', statusCode: '', statusSeverity: '', statusMessage: '', rets: [] },
    ]);
    expect(parseResponseMessage('<QBXML><QBXMLMsgsRs><BillPaymentCheckAddRs statusCode="0"><BillPaymentCheckRet>x</BillPaymentCheckRet></BillPaymentCheckAddRs></QBXMLMsgsRs></QBXML>')[0]?.rets).toEqual([]);
  });
});
