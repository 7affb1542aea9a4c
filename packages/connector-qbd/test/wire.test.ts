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
});
