import { formatConfigProblem } from '../config/load-config.js';
import { validateDeployment } from '../config/validate-deployment.js';
import { Runner } from '../daemon.js';
import { createLogger } from '../logging/create-logger.js';
import { connectorIdsOf, loadBuiltInConnectors } from '../plugins/built-in-loaders.js';
import { ConnectorRegistry, loadPluginConnectors } from '../plugins/connector-registry.js';
import { loadConfig } from '../config/load-config.js';
import type { CliIo } from './io.js';

/**
 * Loads, validates and builds a runner from a config file for a CLI command. Problems are printed as
 * `file:line:col message` and `undefined` is returned. `start: false` builds without starting (one-off commands, and
 * the daemon with `daemon: true`, which listens before it starts the runner).
 */
export async function openForCli(
  file: string,
  io: CliIo,
  options: { start: boolean; daemon?: boolean; logDestination?: NodeJS.WritableStream },
): Promise<{ runner: Runner } | undefined> {
  const first = loadConfig(file, io.env);
  const plugins = first.ok ? first.loaded.config.plugins : [];
  // The daemon loads every built-in connector; a one-off command those its config names (all if it does not load).
  const daemon = options.start || options.daemon === true;
  const builtIns = await loadBuiltInConnectors(daemon || !first.ok ? undefined : connectorIdsOf(first.loaded.config));
  const registry = new ConnectorRegistry([...builtIns, ...(await loadPluginConnectors(plugins, undefined, first.ok ? first.loaded.resolvePath : undefined))]);
  const result = validateDeployment(file, registry, io.env);
  if (!result.ok) {
    for (const problem of result.problems) io.err(formatConfigProblem(problem));
    return undefined;
  }
  const { logging } = result.loaded.config;
  // The daemon logs as configured, to stdout, also when it starts the runner itself after listening.
  const logger = createLogger({
    level: daemon ? logging.level : 'warn',
    pretty: logging.pretty,
    secrets: result.loaded.secrets,
    destination: options.logDestination ?? (daemon ? process.stdout : process.stderr),
  });
  const runner = new Runner({ loaded: result.loaded, logger, builtIns: daemon ? 'all' : 'configured' });
  if (options.start) await runner.start();
  else await runner.prepare();
  return { runner };
}
