import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigProblem, parseConfig } from '../src/config/load-config.js';
import { openStore } from '../src/store/open-store.js';
import type { SqliteLedger } from '../src/store/sqlite-ledger.js';
import { sqliteWriteBatch } from '../src/store/sqlite-write-batch.js';

const valid = `store:
  sqlite:
    path: .ledgerlink/test.db
tenants:
  - id: acme-qbo
    erp: qbo
    connection:
      realmId: "123"
      clientId: abc
      clientSecret: \${env:QBO_SECRET}
    lookups:
      bankAccounts:
        BANK-1: "35"
    nextCheckNumber:
      BANK-1: 10000
`;

describe('deployment config', () => {
  it('loads a valid config, resolves env secrets and remembers them for redaction', () => {
    const result = parseConfig(valid, 'deploy.yaml', { QBO_SECRET: 's3cr3t-value' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const tenant = result.loaded.config.tenants[0];
    expect(tenant?.connection.clientSecret).toBe('s3cr3t-value');
    expect(tenant?.requireApproval.payment).toBe(false);
    expect(tenant?.nextCheckNumber['BANK-1']).toBe(10000);
    expect(result.loaded.secrets).toEqual(['s3cr3t-value']);
    expect(result.loaded.config.store).toEqual({ sqlite: { path: '.ledgerlink/test.db' } });
  });

  it('reads ${file:PATH} secrets relative to the config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-config-'));
    writeFileSync(join(dir, 'secret.txt'), 'from-file\n');
    const text = valid.replace('${env:QBO_SECRET}', '${file:secret.txt}');
    const result = parseConfig(text, join(dir, 'deploy.yaml'), {});
    expect(result.ok && result.loaded.config.tenants[0]?.connection.clientSecret).toBe('from-file');
  });

  it('reports every problem at once with file:line:col and how to fix it', () => {
    const text = valid
      .replace('erp: qbo', 'erp: qbo\n    colour: blue')
      .replace('clientSecret: ${env:QBO_SECRET}', 'clientSecret: inline-secret')
      .replace('BANK-1: 10000', 'BANK-1: -5');
    const result = parseConfig(text, 'deploy.yaml', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = result.problems.map(formatConfigProblem);
    expect(lines).toContain('deploy.yaml:11:21 tenants[0].connection.clientSecret: secrets must not be written inline: use ${env:NAME} or ${file:PATH}');
    expect(lines.some((line) => /^deploy\.yaml:7:5 tenants\[0\]: unknown key "colour"/.test(line))).toBe(true);
    expect(lines.some((line) => line.startsWith('deploy.yaml:16:15 tenants[0].nextCheckNumber.BANK-1:'))).toBe(true);
  });

  it('takes the SQLite commit interval into the opened store, and refuses a negative one at its position', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-config-'));
    const text = valid.replace('path: .ledgerlink/test.db', 'path: ledger.db\n    commitIntervalMs: 12');
    const result = parseConfig(text, join(dir, 'deploy.yaml'), { QBO_SECRET: 's' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const store = await openStore(result.loaded, () => new Date());
    try {
      expect(sqliteWriteBatch((store.ledger as SqliteLedger).database).commitIntervalMs).toBe(12);
    } finally {
      await store.close();
    }
    const refused = parseConfig(valid.replace('path: .ledgerlink/test.db', 'path: ledger.db\n    commitIntervalMs: -1'), 'deploy.yaml', { QBO_SECRET: 's' });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.problems.map(formatConfigProblem).join('\n')).toMatch(/^deploy\.yaml:4:23 store\.sqlite\.commitIntervalMs: /m);
  });

  it('names the field of the store a value is wrong in, not just "store: Invalid input"', () => {
    const text = valid.replace('path: .ledgerlink/test.db', 'path: ledger.db\n    synchronous: FAST\n    commitIntervalMs: 2.5');
    const result = parseConfig(text, 'deploy.yaml', { QBO_SECRET: 's' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = result.problems.map(formatConfigProblem);
    expect(lines).toContain('deploy.yaml:4:18 store.sqlite.synchronous: Invalid option: expected one of "FULL"|"NORMAL"');
    expect(lines.some((line) => line.startsWith('deploy.yaml:5:23 store.sqlite.commitIntervalMs: '))).toBe(true);
    // Neither shape's keys: the union's own message stays.
    const neither = parseConfig(valid.replace('sqlite:', 'mysql:'), 'deploy.yaml', { QBO_SECRET: 's' });
    expect(!neither.ok && neither.problems.map(formatConfigProblem).some((line) => line === 'deploy.yaml:1:1 store: Invalid input')).toBe(true);
  });

  it('names the missing environment variable and the config path', () => {
    const result = parseConfig(valid, 'deploy.yaml', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(formatConfigProblem)).toEqual([
      'deploy.yaml:10:21 tenants[0].connection.clientSecret: environment variable QBO_SECRET is not set: set QBO_SECRET, or change tenants[0].connection.clientSecret',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with positions', () => {
    const duplicate = parseConfig('tenants: []\ntenants: []\n', 'dup.yaml', {});
    expect(!duplicate.ok && duplicate.problems[0]).toMatchObject({ file: 'dup.yaml', line: 2, col: 1 });
    const broken = parseConfig('tenants:\n  - id: [unclosed\n', 'broken.yaml', {});
    expect(broken.ok).toBe(false);
  });

  it('refuses duplicate tenant ids', () => {
    const text = valid + valid.slice(valid.indexOf('  - id: acme-qbo'));
    const result = parseConfig(text.replace('tenants:\n', 'tenants:\n'), 'deploy.yaml', { QBO_SECRET: 'x' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(formatConfigProblem).join('\n')).toMatch(/tenants\[1\]\.id: tenant id "acme-qbo" is already used by tenants\[0\]/);
  });
});
