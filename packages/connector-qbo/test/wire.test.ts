import { describe, expect, it } from 'vitest';
import { readJsonFault, readXmlFault } from '../src/qbo-fault.js';
import { referenceOf } from '../src/qbo-outcomes.js';
import { requestIdFor, toWireBillPayment } from '../src/qbo-wire.js';

describe('requestid', () => {
  it('is the idempotency key itself when it fits 50 URL-safe characters', () => {
    expect(requestIdFor('pay-17.r2')).toBe('pay-17.r2');
  });

  it('is a short hash of a longer or unusual key: deterministic, distinct per revision, within 50 (and 36) characters', () => {
    const long = `tenant-with-a-long-name/payment-${'x'.repeat(60)}.r1`;
    const id = requestIdFor(long);
    expect(id).toMatch(/^ll-[0-9a-f]{32}$/);
    expect(id.length).toBeLessThanOrEqual(36);
    expect(requestIdFor(long)).toBe(id);
    expect(requestIdFor(long.replace(/\.r1$/, '.r2'))).not.toBe(id);
    expect(requestIdFor('payment 1/ä.r1')).toMatch(/^ll-/);
  });
});

describe('Fault envelopes', () => {
  it('reads the XML Fault of a 429, decoding only predefined entities and character references', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2025-01-01T00:00:00.000-08:00">' +
      '<Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>' +
      '<Detail>Wait &amp; retry &lt;60s&gt; &#8212; &#x1F6A7; &ext;</Detail></Error></Fault></IntuitResponse>';
    expect(readXmlFault(body)).toEqual({
      type: 'SERVICE',
      errors: [{ code: '3001', message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429', detail: 'Wait & retry <60s> — 🚧 &ext;' }],
    });
  });

  it('reads the lower-case envelope of a 401 and the usual one alike', () => {
    const lower = '{"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token expired","code":"3200","element":null}],"type":"AUTHENTICATION"},"time":1}';
    expect(readJsonFault(lower)).toEqual({
      type: 'AUTHENTICATION',
      errors: [{ code: '3200', message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', detail: 'Token expired' }],
    });
    const upper = '{"Fault":{"Error":[{"Message":"Object Not Found","Detail":"d","code":"610","element":"VendorRef"}],"type":"ValidationFault"},"time":"t"}';
    expect(readJsonFault(upper)?.errors[0]).toEqual({ code: '610', message: 'Object Not Found', detail: 'd', element: 'VendorRef' });
    expect(readJsonFault('{"BillPayment":{"Id":"1"}}')).toBeUndefined();
  });

  it('tells the reference apart by element, else by a Detail that names exactly one kind', () => {
    expect(referenceOf({ message: 'Invalid Reference Id', element: 'CheckPayment.BankAccountRef' })).toBe('bank');
    expect(referenceOf({ message: 'Object Not Found', element: 'VendorRef' })).toBe('vendor');
    expect(referenceOf({ message: 'Invalid Reference Id', detail: 'Invalid Reference Id : Accounts element id 99 not found' })).toBe('bank');
    expect(
      referenceOf({
        message: 'Object Not Found',
        detail: "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.",
      }),
    ).toBeUndefined();
  });
});

describe('amounts on the wire', () => {
  it('turns the exact decimal strings into JSON numbers with the same digits', () => {
    const body = toWireBillPayment({ TotalAmt: '100.10', Line: [{ Amount: '100.10', LinkedTxn: [] }] });
    expect(JSON.stringify(body)).toBe('{"TotalAmt":100.1,"Line":[{"Amount":100.1,"LinkedTxn":[]}]}');
  });

  it('refuses an amount it cannot carry exactly instead of rounding it', () => {
    expect(() => toWireBillPayment({ TotalAmt: '1.005', Line: [] })).toThrow(RangeError);
  });
});
