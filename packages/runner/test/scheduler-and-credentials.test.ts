import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@ledgerlink/core';
import { describe, expect, it } from 'vitest';
import type { TenantScope } from '../src/container.js';
import { IMPORT_SCHEDULE_CURSOR, Scheduler } from '../src/scheduler.js';
import { credentialFileFor, FileCredentialStore } from '../src/store/credential-file.js';
import { openSqliteLedger } from '../src/store/sqlite-ledger.js';
import { eventually, tempDir } from './support/runner-harness.js';

describe('the import schedule an admin set', () => {
  it('is read back from the ledger when the scheduler starts again, over the config value', async () => {
    const { dir, cleanup } = tempDir();
    const ledger = openSqliteLedger({ path: join(dir, 'ledger.db') });
    try {
      await ledger.setCursor('acme', IMPORT_SCHEDULE_CURSOR, '30');
      // A tenant that imports; the scheduler only reads its config, capabilities and importer.
      const scope = {
        config: { id: 'acme', schedules: { import: { everyMinutes: 60 } } },
        runtime: { connector: { capabilities: { entities: { payment: ['import'] } } } },
        importer: { run: async () => ({}) },
      } as unknown as TenantScope;
      const scheduler = new Scheduler(
        { tenants: new Map([['acme', scope]]), config: { runner: { settleMs: 1000, recoveryMs: 1000 } }, hub: {}, ledger, pollHub: async () => 0 },
        silentLogger,
      );
      scheduler.start();
      expect(await eventually('the stored schedule', () => (scheduler.importEvery('acme') === 30 ? true : undefined))).toBe(true);
      scheduler.setImportEvery('acme', 0);
      expect(scheduler.importEvery('acme')).toBe(0);
      scheduler.stop();
    } finally {
      await ledger.close();
      cleanup();
    }
  });
});

describe('rotated credentials beside the store', () => {
  it('are written readable by the runner only, and read back by the next process', () => {
    const { dir, cleanup } = tempDir();
    const file = credentialFileFor(join(dir, 'ledger.db'), 'hub') as string;
    expect(file).toBe(join(dir, 'credentials', 'hub.json'));
    new FileCredentialStore(file).set('refreshToken:abc', 'rotated-1');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'refreshToken:abc': 'rotated-1' });
    expect(new FileCredentialStore(file).get('refreshToken:abc')).toBe('rotated-1');
    expect(credentialFileFor(':memory:', 'hub')).toBeUndefined();
    cleanup();
  });
});
