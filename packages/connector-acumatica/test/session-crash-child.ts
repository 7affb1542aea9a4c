/**
 * One run of the exporter as its own process, for session-crash.test.ts: a runtime with a credentials file
 * (as the runner gives one), exporting one payment, printing its outcome as JSON, then closing (signing out).
 * Argument: a JSON `{ config, payment, credentialsFile }`.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createConnectorRuntime, type CredentialStore, type Payment } from '@ledgerlink/core';
import { acumaticaConnector, type AcumaticaConfigInput } from '../src/index.js';

const { config, payment, credentialsFile } = JSON.parse(process.argv[2] ?? '{}') as {
  config: AcumaticaConfigInput;
  payment: Payment;
  credentialsFile: string;
};

/** A JSON file replaced atomically on each change, like the runner's credentials file. */
const credentials: CredentialStore = {
  get(name) {
    try {
      return (JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, string>)[name];
    } catch {
      return undefined;
    }
  },
  set(name, value) {
    let values: Record<string, string> = {};
    try {
      values = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, string>;
    } catch {
      // No file yet.
    }
    values[name] = value;
    writeFileSync(`${credentialsFile}.tmp`, JSON.stringify(values), { mode: 0o600 });
    renameSync(`${credentialsFile}.tmp`, credentialsFile);
  },
};

const runtime = createConnectorRuntime(acumaticaConnector, {
  tenant: 'acme',
  config,
  credentials,
  retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 1 },
});
try {
  const [outcome] = await runtime.exportPayments([{ id: payment.id, idempotencyKey: `${payment.id}.r1`, record: payment }]);
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
} finally {
  await runtime.close();
}
