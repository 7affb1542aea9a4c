import { MemoryLedger } from '../src/index.js';
import { describeLedgerConformance } from '../src/testing/index.js';

describeLedgerConformance('memory', async () => ({ ledger: new MemoryLedger() }));
