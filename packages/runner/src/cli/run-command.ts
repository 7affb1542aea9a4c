import { parseArgs } from 'node:util';
import { createServer } from '../server/create-server.js';
import { UsageError, type CliIo } from './io.js';
import { openForCli } from './open-for-cli.js';

/**
 * `ledgerlink run --config FILE`: the daemon. Listens first, then starts the runner (each tenant recovers on its
 * own, in parallel: `/readyz` lists those still recovering); SIGTERM
 * or SIGINT stops intake, lets calls in flight finish (or leaves them recoverable), and exits 0.
 */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  if (values.config === undefined) throw new UsageError('run needs --config FILE');
  const opened = await openForCli(values.config, io, { start: false, daemon: true });
  if (opened === undefined) return 1;
  const { runner } = opened;
  // Listening comes first: webhooks are recorded and the API, the console and /readyz answer while the runner
  // starts and each tenant recovers (a tenant whose ERP is down holds back no one).
  const server = createServer(runner);
  const { host, port } = runner.config.server;
  let address: string;
  try {
    address = await server.listen({ host, port });
  } catch (error) {
    await runner.close();
    throw error;
  }
  runner.logger.info({ address }, `listening on ${address}`);
  try {
    await runner.start();
  } catch (error) {
    await server.close();
    await runner.close();
    throw error;
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      runner.logger.info({ signal }, `${signal}: shutting down`);
      void (async () => {
        await server.close();
        await runner.stop();
        resolve(0);
      })();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
