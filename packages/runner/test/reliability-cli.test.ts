import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { Outcomes } from '@ledgerlink/core';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/io.js';
import { terminalSafe } from '../src/cli/terminal-text.js';
import { openSqliteLedger } from '../src/store/sqlite-ledger.js';
import { tempDir } from './support/runner-harness.js';

const repo = resolve(import.meta.dirname, '../../..');

function io(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string; stderr: string } {
  const captured = {
    stdout: '',
    stderr: '',
    out(text: string) {
      captured.stdout += `${text}\n`;
    },
    err(text: string) {
      captured.stderr += `${text}\n`;
    },
    readStdin: async () => '',
    env,
    cwd: repo,
  };
  return captured;
}

// ESC c (reset), OSC 0 window title ending in BEL, a fake colour, CSI 2J (clear screen), C1 CSI, backspace, CR.
const HOSTILE = 'Duplicate\x1bc\x1b]0;pwned\x07 \x1b[31mFAKE\x1b[0m\x1b[2J\u009b1m\b\rend';

describe('reliability: the CLI at the terminal (issue 11 items 8, 13)', () => {
  let sandbox: QboSandbox;
  beforeAll(async () => {
    sandbox = await startQboSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('failed list shows ERP text with control characters as visible escapes; --json is unchanged', async () => {
    const { dir, cleanup } = tempDir('ll-rel-cli-');
    const file = join(dir, 'deploy.yaml');
    const connection = {
      baseUrl: sandbox.url,
      tokenUrl: `${sandbox.url}${QBO_SANDBOX_TOKEN_PATH}`,
      realmId: QBO_SANDBOX_APP.realmId,
      clientId: QBO_SANDBOX_APP.clientId,
      clientSecret: '${env:QBO_SECRET}',
      refreshToken: '${env:QBO_REFRESH}',
    };
    writeFileSync(file, stringify({ store: { sqlite: { path: 'ledger.db' } }, tenants: [{ id: 'acme', erp: 'qbo', connection }] }));
    const env = { QBO_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH: QBO_SANDBOX_APP.refreshToken };
    const ledger = openSqliteLedger({ path: join(dir, 'ledger.db') });
    const record = { id: 'pay-7', status: 'funding_complete', amountCents: 100, method: 'check', fundedOn: '2026-11-30', bankId: 'B\x07', checkNumber: '1\x1b[2J', vendor: { id: 'v', name: 'Evil\x1b]2;x\x07 Co' }, invoice: { id: 'i', number: 'I-1' } };
    const { item } = await ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: 'pay-7', record }, { kind: 'hub', id: 'hub' });
    const { attempt } = await ledger.beginAttempt(item.id, { kind: 'system', id: 'runner' });
    await ledger.completeAttempt(item.id, attempt.number, Outcomes.needsEdit(['checkNumber'], `check number used ${HOSTILE}`, { code: '61\x1b40', message: HOSTILE }), { kind: 'system', id: 'runner' });
    await ledger.close();

    const list = io(env);
    expect(await main(['failed', 'list', '--config', file], list)).toBe(0);
    // No control character but our own newlines reaches the terminal.
    expect(list.stdout.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(list.stdout).toContain('Duplicate\\x1bc\\x1b]0;pwned\\x07 \\x1b[31mFAKE\\x1b[0m\\x1b[2J\\x9b1m\\x08\\x0dend');
    expect(list.stdout).toContain('Evil\\x1b]2;x\\x07 Co');
    expect(list.stdout).toContain('[61\\x1b40]');

    const json = io(env);
    expect(await main(['failed', 'list', '--config', file, '--json'], json)).toBe(0);
    const parsed = JSON.parse(json.stdout) as { lastError: { erp: { message: string } } }[];
    expect(parsed[0]?.lastError.erp.message).toBe(HOSTILE);
    cleanup();
  });

  it('terminalSafe leaves ordinary text (accents, symbols) alone', () => {
    expect(terminalSafe('Café & Söhne — 100 %')).toBe('Café & Söhne — 100 %');
    expect(terminalSafe('a\tb\nc')).toBe('a\\x09b\\x0ac');
  });

  it('`ledgerlink sandbox --help` prints its usage and exits 0 (the real binary), an unknown option is a usage error', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', join(repo, 'packages/runner/src/cli.ts'), ...args], {
        cwd: repo,
        env: { ...process.env, TSX_TSCONFIG_PATH: join(repo, 'packages/runner/tsconfig.json') },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const help = run(['sandbox', '--help']);
    expect(help.stderr).not.toMatch(/ERR_PARSE_ARGS|at .*\.ts:\d+/);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('ledgerlink sandbox [--url RUNNER_URL]');
    const wrong = run(['sandbox', '--nope']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("Unknown option '--nope'");
  }, 60_000);
});
