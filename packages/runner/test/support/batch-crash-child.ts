/**
 * The child of the group-commit crash test (write-batch.test.ts): opens the SQLite ledger at argv[2] (synchronous
 * FULL, the default) and, round after round until it is killed, begins an attempt on every item at once, so each
 * round is one batch (one transaction) of all of them. Prints `round N` after each round's commit.
 */
import { openSqliteLedger } from '../../src/store/sqlite-ledger.js';

const [path, idList] = process.argv.slice(2);
if (path === undefined || idList === undefined) throw new Error('usage: batch-crash-child.ts <ledger file> <id,id,…>');
const ids = idList.split(',');
const ledger = openSqliteLedger({ path });
for (let round = 1; ; round += 1) {
  await Promise.all(ids.map((id) => ledger.beginAttempt(id, { kind: 'system', id: 'crash-child' })));
  process.stdout.write(`round ${round}\n`);
}
