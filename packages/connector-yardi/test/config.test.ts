import { createConnectorRuntime, isLedgerlinkError } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YardiConfig, yardiConnector } from '../src/index.js';
import type { YardiSandbox } from '../src/sandbox/index.js';
import { configFor, exportOne, runtimeFor, seededPayment, startSandbox, withRuntime } from './support.js';

describe('connection settings', () => {
  it('reports every problem at once, naming each field, without echoing secrets', () => {
    let error: unknown;
    try {
      createConnectorRuntime(yardiConnector, {
        tenant: 't1',
        config: { url: 'ftp://yardi.example/x.asmx', userName: 'u', password: 's3cret-value', serverName: '', platform: 'DB2', extra: 1 },
      });
    } catch (caught) {
      error = caught;
    }
    expect(isLedgerlinkError(error) && error.code).toBe('LL_CONNECTOR_CONFIG_INVALID');
    const message = (error as Error).message;
    for (const field of ['url', 'serverName', 'database', 'platform', 'interfaceEntity', 'interfaceLicense', 'extra']) expect(message).toContain(field);
    expect(message).not.toContain('s3cret-value');
  });

  it('fills the defaults a customer usually leaves out', () => {
    const config = YardiConfig.parse({
      url: 'https://www.yardiasp13.com/acme/webservices/ItfVendorInvoicing.asmx',
      userName: 'u',
      password: 'p',
      serverName: 's',
      database: 'd',
      interfaceEntity: 'e',
      interfaceLicense: 'l',
    });
    expect(config).toMatchObject({
      platform: 'SQL Server',
      namespace: 'http://tempuri.org/YSI.Interfaces.WebServices/ItfVendorInvoicing',
      importWindowDays: 366,
      importLookbackDays: 7,
    });
    expect(config.messageRules.duplicateCheckNumber.codes).toEqual([]);
  });
});

describe('message rules are configuration', () => {
  let sandbox: YardiSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('a code alone can name a rule, and without any rule the refusal is a rejection', async () => {
    const first = seededPayment(sandbox, 1);
    const twin = (n: number) => seededPayment(sandbox, n, { bankId: first.bankId, checkNumber: first.checkNumber });
    const byCode = { messageRules: { duplicateCheckNumber: { codes: ['DUPLICATE_CHECK'], patterns: [] } } };
    const noRule = { messageRules: { duplicateCheckNumber: { codes: [], patterns: [] } } };
    await withRuntime(runtimeFor(sandbox), (runtime) => exportOne(runtime, first));
    const viaCode = await withRuntime(runtimeFor(sandbox, byCode), (runtime) => exportOne(runtime, twin(2)));
    const withoutRule = await withRuntime(runtimeFor(sandbox, noRule), (runtime) => exportOne(runtime, twin(3)));
    expect(viaCode).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'], erp: { code: 'DUPLICATE_CHECK' } });
    expect(withoutRule).toMatchObject({ kind: 'rejected', erp: { code: 'DUPLICATE_CHECK' } });
    expect(configFor(sandbox).url).toContain('/webservices/ItfVendorInvoicing.asmx');
  });
});
