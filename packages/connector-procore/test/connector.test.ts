import { assertCompatible, CONTRACT_VERSION } from '@ledgerlink/core';
import { describe, expect, it } from 'vitest';
import { exactCents, procoreConnector, ProcoreConfig, VERSION } from '../src/index.js';

describe('the Procore hub connector', () => {
  it('is one validated value: id, version, contract, capabilities, role', () => {
    expect(procoreConnector.manifest).toMatchObject({ id: 'procore', version: VERSION, contractVersion: CONTRACT_VERSION });
    expect(procoreConnector.role).toBe('hub');
    expect(procoreConnector.capabilities).toMatchObject({
      entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] },
      maxBatch: 100,
      rateLimit: { requests: 3600, intervalMs: 3_600_000 },
      idempotency: 'native',
    });
    expect(() => assertCompatible(procoreConnector)).not.toThrow();
  });

  it('validates its settings and says what is wrong; there is no refresh token any more', () => {
    const result = ProcoreConfig.safeParse({ clientId: 'a', clientSecret: '', companyIds: ['acme'], refreshToken: 'r', namespace: 'Ledger Link' });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
    expect(messages).toEqual(
      expect.arrayContaining([
        'clientSecret: must not be empty',
        'companyIds.0: a Procore company id is numeric, e.g. "4264"',
        'namespace: lower-case letters, digits and dashes, e.g. "ledgerlink"',
        expect.stringContaining('refreshToken') as unknown as string,
      ]),
    );
    expect(ProcoreConfig.parse({ clientId: 'a', clientSecret: 'b' })).toMatchObject({
      apiBaseUrl: 'https://api.procore.com',
      tokenUrl: 'https://login.procore.com/oauth/token',
      perPage: 100,
      namespace: 'ledgerlink',
    });
  });

  it('parses Procore decimal strings exactly and refuses what would need rounding or went through a float', () => {
    expect(exactCents('0.10')).toBe(10);
    expect(exactCents('1.0')).toBe(100);
    expect(exactCents('99999999.99')).toBe(9_999_999_999);
    expect(exactCents('1234.500')).toBe(123_450);
    expect(() => exactCents('10.555')).toThrow(/more than two decimal places/);
    expect(() => exactCents('1e3')).toThrow(/not a decimal amount/);
    expect(() => exactCents(12.5)).toThrow(/decimal string/);
    expect(() => exactCents(null)).toThrow(/decimal string/);
  });
});
