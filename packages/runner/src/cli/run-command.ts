import { parseArgs } from 'node:util';
import { createServer } from '../server/create-server.js';
import { UsageError, type CliIo } from './io.js';
import { openForCli } from './open-for-cli.js';

/**
 * `ledgerlink run --config FILE`: the daemon. Starts the runner (recovery first), then the HTTP server; SIGTERM
 * or SIGINT stops intake, lets calls in flight finish (or leaves them recoverable), and exits 0.
 */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  if (values.config === undefined) throw new UsageError('run needs --config FILE');
  const opened = await openForCli(values.config, io, { start: true });
  if (opened === undefined) return 1;
  const { runner } = opened;
  const server = createServer(runner);
  const { host, port } = runner.config.server;
  const address = await server.listen({ host, port });
  runner.logger.info({ address }, `listening on ${address}`);

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
    // Another runner took the lease (this one was paused too long): stop, and let the supervisor restart it as a standby.
    runner.events.once('leaseLost', () => {
      stopping = true;
      void (async () => {
        await server.close();
        await runner.stop();
        resolve(1);
      })();
    });
  });
}
