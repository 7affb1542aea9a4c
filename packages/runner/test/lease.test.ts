import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../src/store/sqlite-ledger.js';
import { tempDir } from './support/runner-harness.js';

describe('the runner lease on SQLite (processes sharing one ledger file)', () => {
  it('one holder at a time; renewed by its holder; taken over once expired or once its process is gone', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'ledger.db');
    const a = openSqliteLedger({ path });
    const b = openSqliteLedger({ path });
    try {
      expect(await a.acquireLease('runner', 'host:1:a', 60_000)).toBe(true);
      expect(await b.acquireLease('runner', 'host:2:b', 60_000)).toBe(false);
      expect(await a.acquireLease('runner', 'host:1:a', 60_000)).toBe(true);
      // The holder is known to be gone (killed): taken over at once.
      expect(await b.acquireLease('runner', 'host:2:b', 60_000, (holder) => holder === 'host:1:a')).toBe(true);
      expect(await a.acquireLease('runner', 'host:1:a', 60_000)).toBe(false);
      // Given back on a clean stop: the other takes it at once.
      await b.releaseLease('runner', 'host:2:b');
      expect(await a.acquireLease('runner', 'host:1:a', 50)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 80));
      // Expired: anyone may take it.
      expect(await b.acquireLease('runner', 'host:2:b', 60_000)).toBe(true);
    } finally {
      await a.close();
      await b.close();
      cleanup();
    }
  });
});
