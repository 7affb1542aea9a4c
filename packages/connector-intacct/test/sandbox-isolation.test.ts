import { fileURLToPath } from 'node:url';
import { describeSandboxIsolation } from '@ledgerlink/connector-testkit';

// The sandbox is written from the wire format, independently of the client: no code crosses between them.
describeSandboxIsolation(fileURLToPath(new URL('../src', import.meta.url)));
