import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { Outcomes } from '@ledgerlink/core';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/io.js';
import { openSqliteLedger } from '../src/store/sqlite-ledger.js';
import { tempDir } from './support/runner-harness.js';

const repo = resolve(import.meta.dirname, '../../..');
const qboMapping = join(repo, 'packages/connector-qbo/mapping.yaml');
const fixtures = join(repo, 'packages/core/test/fixtures/mapping');

function io(stdin = '', env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string; stderr: string } {
  const captured = {
    stdout: '',
    stderr: '',
    out(text: string) {
      captured.stdout += `${text}\n`;
    },
    err(text: string) {
      captured.stderr += `${text}\n`;
    },
    readStdin: async () => stdin,
    env,
    cwd: repo,
  };
  return captured;
}

const payment = {
  id: 'pay-1',
  status: 'funding_complete',
  amountCents: 1234567,
  method: 'ach',
  fundedOn: '2026-11-30',
  bankId: 'BANK-1',
  checkNumber: '10001',
  notes: 'Paid & settled <ok>',
  vendor: { id: 'v1', name: 'Smith & Sons', erpId: '56' },
  invoice: { id: 'i1', number: 'INV-1', amountCents: 1234567, erpId: '130' },
  project: { id: 'p1', number: 'P-100' },
};

describe('ledgerlink mapping check', () => {
  it('exits 0 for a connector mapping', async () => {
    const out = io();
    expect(await main(['mapping', 'check', qboMapping], out)).toBe(0);
    expect(out.stdout).toContain('ok');
  });

  it('exits 1 with one FILE:LINE:COL line per problem', async () => {
    const out = io();
    const file = join(fixtures, 'bad-unknown-operator.yaml');
    expect(await main(['mapping', 'check', file], out)).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ `));
    expect(out.stderr).toContain('fromat');
  });

  it('names a YAML syntax error by position', async () => {
    const out = io();
    expect(await main(['mapping', 'check', join(fixtures, 'bad-syntax.yaml')], out)).toBe(1);
    expect(out.stderr).toMatch(/bad-syntax\.yaml:\d+:\d+ /);
  });

  it('is a usage error (exit 2) without a file', async () => {
    const out = io();
    expect(await main(['mapping', 'check'], out)).toBe(2);
    expect(out.stderr).toContain('mapping check');
  });
});

describe('ledgerlink mapping apply', () => {
  it('maps a canonical payment to the ERP payload, money as the exact decimal', async () => {
    const out = io(JSON.stringify(payment));
    expect(await main(['mapping', 'apply', qboMapping, '--entity', 'payment', '--direction', 'export'], out)).toBe(0);
    const mapped = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(mapped).toMatchObject({ TotalAmt: '12345.67', DocNumber: '10001', PayType: 'Check', PrivateNote: 'Paid & settled <ok>' });
  });

  it('applies lookup tables from a file', async () => {
    const { dir, cleanup } = tempDir();
    writeFileSync(join(dir, 'lookups.json'), JSON.stringify({ bankAccounts: { 'BANK-1': '35' } }));
    const out = io(JSON.stringify(payment));
    expect(await main(['mapping', 'apply', qboMapping, '--direction', 'export', '--lookups', join(dir, 'lookups.json')], out)).toBe(0);
    expect((JSON.parse(out.stdout) as { CheckPayment: { BankAccountRef: { value: string } } }).CheckPayment.BankAccountRef.value).toBe('35');
    cleanup();
  });

  it('names the record and the field of a record that does not map, and exits 1', async () => {
    const out = io(JSON.stringify({ ...payment, amountCents: 0 }));
    expect(await main(['mapping', 'apply', qboMapping, '--direction', 'export'], out)).toBe(1);
    expect(out.stderr).toMatch(/record pay-1: .*amountCents/);
  });

  it('maps an ERP record back for import', async () => {
    const billPayment = { Id: '145', TotalAmt: 100.1, TxnDate: '2026-11-02', PayType: 'Check', DocNumber: '555', VendorRef: { value: '56' }, CheckPayment: { BankAccountRef: { value: '35' } } };
    const out = io(JSON.stringify(billPayment));
    expect(await main(['mapping', 'apply', qboMapping, '--direction', 'import'], out)).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ erpPaymentId: '145', amountCents: 10010, method: 'check', checkNumber: '555', paidOn: '2026-11-02' });
  });

  it('refuses stdin that is not JSON', async () => {
    const out = io('{not json');
    expect(await main(['mapping', 'apply', qboMapping, '--direction', 'export'], out)).toBe(1);
    expect(out.stderr).toContain('stdin: not JSON');
  });
});

describe('ledgerlink validate, connectors, token', () => {
  let sandbox: QboSandbox;
  beforeAll(async () => {
    sandbox = await startQboSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  function config(dir: string, connection: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
    const file = join(dir, 'deploy.yaml');
    writeFileSync(file, stringify({ store: { sqlite: { path: 'ledger.db' } }, tenants: [{ id: 'acme', erp: 'qbo', connection, ...extra }] }));
    return file;
  }

  const connection = () => ({
    baseUrl: sandbox.url,
    tokenUrl: `${sandbox.url}${QBO_SANDBOX_TOKEN_PATH}`,
    realmId: QBO_SANDBOX_APP.realmId,
    clientId: QBO_SANDBOX_APP.clientId,
    clientSecret: '${env:QBO_SECRET}',
    refreshToken: '${env:QBO_REFRESH}',
  });
  const env = { QBO_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH: QBO_SANDBOX_APP.refreshToken };

  it('validate: ok for a good config', async () => {
    const { dir, cleanup } = tempDir();
    const out = io('', env);
    expect(await main(['validate', config(dir, connection())], out)).toBe(0);
    expect(out.stdout).toContain('acme → qbo');
    cleanup();
  });

  it('validate: every problem at once, with file:line:col, including the connector schema and inline secrets', async () => {
    const { dir, cleanup } = tempDir();
    const { realmId: _realmId, ...withoutRealm } = connection();
    const file = config(dir, { ...withoutRealm, clientSecret: 'inline-secret' }, { erpx: 1 });
    const out = io('', env);
    expect(await main(['validate', file], out)).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines.every((line) => line.startsWith(`${file}:`))).toBe(true);
    expect(out.stderr).toContain('"erpx"');
    expect(out.stderr).toMatch(/clientSecret: secrets must not be written inline/);
    expect(out.stderr).not.toContain('inline-secret');
    cleanup();
  });

  it('validate: connection problems found by the connector name the field', async () => {
    const { dir, cleanup } = tempDir();
    const { realmId: _realmId, ...withoutRealm } = connection();
    const out = io('', env);
    expect(await main(['validate', config(dir, withoutRealm)], out)).toBe(1);
    expect(out.stderr).toMatch(/deploy\.yaml:\d+:\d+ tenants\[0\]\.connection\.realmId/);
    cleanup();
  });

  it('validate: an unknown ERP is named with the ones there are', async () => {
    const { dir, cleanup } = tempDir();
    const file = join(dir, 'deploy.yaml');
    writeFileSync(file, stringify({ tenants: [{ id: 'acme', erp: 'sap', connection: {} }] }));
    const out = io('', env);
    expect(await main(['validate', file], out)).toBe(1);
    expect(out.stderr).toMatch(/tenants\[0\]\.erp: unknown ERP connector "sap"; known: .*qbo/);
    cleanup();
  });

  it('connectors: id, version, contract and capabilities, also as JSON', async () => {
    const out = io();
    expect(await main(['connectors'], out)).toBe(0);
    expect(out.stdout).toMatch(/qbo\s+0\.1\.0\s+v1\s+QuickBooks Online/);
    const json = io();
    expect(await main(['connectors', '--json'], json)).toBe(0);
    const parsed = JSON.parse(json.stdout) as { connectors: { id: string; capabilities: { rateLimit: { requests: number } } }[] };
    expect(parsed.connectors.find((c) => c.id === 'qbo')?.capabilities.rateLimit.requests).toBe(500);
  });

  it('token new / hash: the config keeps only the sha256', async () => {
    const out = io();
    expect(await main(['token', 'new'], out)).toBe(0);
    const [, token] = /token:\s+(\S+)/.exec(out.stdout) ?? [];
    const [, sha] = /sha256: ([0-9a-f]{64})/.exec(out.stdout) ?? [];
    const hashed = io();
    expect(await main(['token', 'hash', token as string], hashed)).toBe(0);
    expect(hashed.stdout.trim()).toBe(sha);
  });

  it('failed list / edit / retry work on the ledger a daemon shares', async () => {
    const { dir, cleanup } = tempDir();
    const file = config(dir, connection());
    const ledger = openSqliteLedger({ path: join(dir, 'ledger.db') });
    const { item } = await ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: 'pay-9', record: { ...payment, id: 'pay-9' } }, { kind: 'hub', id: 'hub' });
    const { attempt } = await ledger.beginAttempt(item.id, { kind: 'system', id: 'runner' });
    await ledger.completeAttempt(item.id, attempt.number, Outcomes.needsEdit(['checkNumber'], 'check number used', { code: '6140', message: 'Duplicate Document Number Error' }), { kind: 'system', id: 'runner' });
    await ledger.close();

    const list = io('', env);
    expect(await main(['failed', 'list', '--config', file], list)).toBe(0);
    expect(list.stdout).toContain(item.id);
    expect(list.stdout).toContain('[6140] Duplicate Document Number Error');
    expect(list.stdout).toContain('editable: checkNumber');

    const refused = io('', env);
    expect(await main(['failed', 'edit', item.id, '--config', file, '--bank-id', ''], refused)).toBe(1);

    const edit = io('', env);
    expect(await main(['failed', 'edit', item.id, '--config', file, '--check-number', '10999', '--by', 'pat'], edit)).toBe(0);
    const retry = io('', env);
    expect(await main(['failed', 'retry', item.id, '--config', file, '--by', 'pat'], retry)).toBe(0);

    const after = openSqliteLedger({ path: join(dir, 'ledger.db') });
    const edited = await after.get(item.id);
    expect(edited).toMatchObject({ state: 'pending', revision: 2 });
    expect((edited?.record as { checkNumber: string }).checkNumber).toBe('10999');
    expect((await after.audit(item.id)).filter((entry) => entry.actor.id === 'pat').map((entry) => entry.action)).toEqual(['edited', 're-export']);
    await after.close();
    cleanup();
  });

  it('the bin runs as a process: exit codes and stderr', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', join(repo, 'packages/runner/src/cli.ts'), 'mapping', 'check', join(fixtures, 'bad-wrong-type.yaml')], {
      cwd: repo,
      encoding: 'utf8',
      // tsx reads the decorator settings from the runner's tsconfig.
      env: { ...process.env, TSX_TSCONFIG_PATH: join(repo, 'packages/runner/tsconfig.json') },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/bad-wrong-type\.yaml:\d+:\d+ /);
  });
});
