import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLedgerConformance } from '@ledgerlink/core/testing';
import { openSqliteLedger } from '../src/store/index.js';

describeLedgerConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ledgerlink-sqlite-'));
  // A directory that does not exist yet: opening creates it.
  const path = join(dir, 'state', 'ledger.db');
  return {
    ledger: openSqliteLedger({ path }),
    reopen: async () => openSqliteLedger({ path }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
