/**
 * The hosted Web Connector endpoint in a process of its own, as the daemon hosts it (the connector's runtime;
 * `check()` starts the service). For process-level tests: it prints `ready <url>` once it answers, then its
 * resident memory every 20 ms (`rss <bytes>`), so a test can see a request take the process down or blow up
 * its memory. Arguments: the port.
 */
import { createConnectorRuntime } from '@ledgerlink/core';
import { qbdConnector } from '../../src/index.js';

const port = Number(process.argv[2]);
const runtime = createConnectorRuntime(qbdConnector, {
  tenant: 'host',
  config: {
    listen: { host: '127.0.0.1', port, path: '/qbwc' },
    username: 'wc-user',
    password: 'wc-password',
    checkWaitMs: 3_600_000,
  },
});
// Starts the service; the check itself waits for a Web Connector that never comes.
runtime.check().catch(() => undefined);

for (;;) {
  const answer = await fetch(`http://127.0.0.1:${port}/support`).catch(() => undefined);
  if (answer?.status === 200) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
process.stdout.write(`ready http://127.0.0.1:${port}/qbwc\n`);
setInterval(() => process.stdout.write(`rss ${process.memoryUsage().rss}\n`), 20);
process.on('SIGTERM', () => {
  void runtime.close().finally(() => process.exit(0));
});
