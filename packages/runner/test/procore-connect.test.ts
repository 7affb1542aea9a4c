import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bearerFor } from '@ledgerlink/connector-procore';
import { createProcoreSandbox, type ProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../src/cli/main.js';

const repo = resolve(import.meta.dirname, '../../..');
const HOOK_SECRET = 'connect-test-webhook-secret';

/** The real bin, as a separate process (the sandbox keeps answering in this one). */
function ledgerlink(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', join(repo, 'packages/runner/src/cli.ts'), ...args],
      { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env, TSX_TSCONFIG_PATH: join(repo, 'packages/runner/tsconfig.json') } },
      (error, stdout, stderr) => done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
  });
}

/** The same command in this process (the slow part of a process is starting it: one real process run suffices). */
async function inProcess(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (text) => void (stdout += text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void (stderr += text.endsWith('\n') ? text : `${text}\n`),
    readStdin: () => Promise.resolve(''),
    env: { ...process.env, ...env },
    cwd: repo,
  });
  return { code, stdout, stderr };
}

describe('ledgerlink procore connect, as a process against the Procore sandbox', () => {
  let hub: ProcoreSandbox;
  let dir: string;
  let file: string;
  const env = (): Record<string, string> => ({ PROCORE_SECRET: hub.serviceAccount.clientSecret, HOOK_SECRET, QBO_SECRET: 'qbo-secret', QBO_REFRESH: 'qbo-refresh' });

  beforeAll(async () => {
    hub = await createProcoreSandbox({ seed: { companies: [{ id: 4264, name: 'Acme Builders' }, { id: 4265, name: 'Beta Builders' }] } });
    dir = mkdtempSync(join(tmpdir(), 'll-connect-'));
    file = join(dir, 'ledgerlink.yaml');
    const qbo = (realmId: string) => ({ realmId, clientId: 'qbo-client', clientSecret: '${env:QBO_SECRET}', refreshToken: '${env:QBO_REFRESH}' });
    writeFileSync(
      file,
      stringify({
        store: { sqlite: { path: 'ledger.db' } },
        hub: {
          connector: 'procore',
          connection: { apiBaseUrl: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.serviceAccount.clientId, clientSecret: '${env:PROCORE_SECRET}', companyIds: ['4264', '4265'] },
          webhookSecret: '${env:HOOK_SECRET}',
        },
        tenants: [
          { id: 'acme-qbo', erp: 'qbo', hubCompanyId: '4264', connection: qbo('9130350000000001') },
          { id: 'beta-qbo', erp: 'qbo', hubCompanyId: '4265', connection: qbo('9130350000000002') },
        ],
      }),
    );
  });
  afterAll(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--dry-run prints the metadata from the tenant connector\'s capabilities and changes nothing', async () => {
    const run = await inProcess(['procore', 'connect', '--config', file, '--tenant', 'acme-qbo', '--dry-run'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { tenant: string; companyId: string; metadata: { settings: { labels: { name: string }; entities: Record<string, { enabled: boolean }> } } };
    expect(printed).toMatchObject({ tenant: 'acme-qbo', companyId: '4264', metadata: { settings: { labels: { name: 'QuickBooks Online' } } } });
    expect(printed.metadata.settings.entities.contract_payments?.enabled).toBe(true);
    expect(hub.erpConnections(4264)).toEqual([]);
    expect(hub.hooks()).toEqual([]);
  });

  it('connects every tenant\'s company once, one line per step (the bin, as a process); a second run is all unchanged', async () => {
    const first = await ledgerlink(['procore', 'connect', '--config', file, '--url', 'https://ledgerlink.example.com'], env());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines.map((line) => line.replace(/id \d+$/, 'id N'))).toEqual([
      'acme-qbo  erp_connection  created  id N',
      'acme-qbo  hook  created  id N',
      'acme-qbo  trigger  created  id N',
      'beta-qbo  erp_connection  created  id N',
      'beta-qbo  hook  created  id N',
      'beta-qbo  trigger  created  id N',
    ]);
    expect(hub.hooks(4264)).toEqual([
      expect.objectContaining({ destination_url: 'https://ledgerlink.example.com/webhooks/procore', destination_headers: { Authorization: `Bearer ${bearerFor(HOOK_SECRET, '4264')}` } }),
    ]);
    expect(hub.hooks(4265)[0]?.destination_headers).toEqual({ Authorization: `Bearer ${bearerFor(HOOK_SECRET, '4265')}` });
    expect(hub.erpConnections(4265)[0]?.name).toBe('QuickBooks Online');

    const second = await inProcess(['procore', 'connect', '--config', file, '--url', 'https://ledgerlink.example.com/'], env());
    expect(second.code).toBe(0);
    expect(second.stdout.trim().split('\n').map((line) => line.split(/\s+/)[2])).toEqual(Array(6).fill('unchanged'));
    expect(second.stdout).not.toContain(HOOK_SECRET);
  });

  it('says plainly what is wrong and exits 1: no public URL, a refused service account', async () => {
    const noUrl = await inProcess(['procore', 'connect', '--config', file], env());
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toMatch(/--url .*server\.publicUrl/);
    const refused = await inProcess(['procore', 'connect', '--config', file, '--tenant', 'beta-qbo', '--url', 'https://x.example'], { ...env(), PROCORE_SECRET: 'not-the-secret' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^beta-qbo: could not connect Procore company 4265: .*hub\.connection\.clientSecret/m);
    expect(refused.stderr).not.toContain('not-the-secret');
  });
});
