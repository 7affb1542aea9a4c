import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import type { ErpSandbox } from '@ledgerlink/core';
import { DEMO_ERPS } from '../demo/demo-erps.js';
import { pluginDemoErps, pluginUrlVariable } from '../demo/plugin-erps.js';
import { DemoWorld } from '../demo/demo-world.js';
import { UsageError, type CliIo } from './io.js';

/** `ledgerlink sandbox --help`. */
export const SANDBOX_USAGE = `ledgerlink sandbox [--url RUNNER_URL] [--fund-every MS] [--plugin PKG]…

Starts the Procore ERP Platform sandbox and every ERP sandbox on loopback and prints the environment
examples/demo.yaml reads; runs until Ctrl-C.

  --url RUNNER_URL   where the runner listens (default http://127.0.0.1:8080), for the printed commands
  --fund-every MS    Procore Pay funds a payment this often, round-robin over the demo's companies
  --plugin PKG       also start this connector package's ./sandbox (repeatable)
  -h, --help         this text`;

/**
 * `ledgerlink sandbox`: the Procore ERP Platform sandbox and every ERP sandbox on loopback, for running the daemon by
 * hand. Prints the environment examples/demo.yaml reads and the two commands to run with it (`procore connect`
 * makes each company's hook to the runner, `run` starts it); with `--fund-every MS` Procore Pay funds a payment that
 * often, round-robin over the demo's companies. Each `--plugin PKG` (a package name, or a package folder relative to
 * the current directory) adds that connector's `./sandbox`, its own hub company (tenant `demo-<id>`) and
 * `DEMO_<ID>_URL`.
 */
export async function sandboxCommand(args: string[], io: CliIo, stop: Promise<void> = untilSignal()): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { url: { type: 'string' }, 'fund-every': { type: 'string' }, plugin: { type: 'string', multiple: true, default: [] }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.out(SANDBOX_USAGE);
    return 0;
  }
  const pluginErps = await pluginDemoErps(values.plugin, (path) => resolve(io.cwd, path));
  const fundEvery = values['fund-every'] === undefined ? undefined : Number(values['fund-every']);
  if (fundEvery !== undefined && !(Number.isInteger(fundEvery) && fundEvery > 0)) throw new UsageError('--fund-every takes milliseconds, e.g. 500');
  const webhookSecret = randomBytes(16).toString('hex');
  const hub = await createProcoreSandbox({ rateLimit: { limit: 1_000_000 } });
  const sandboxes: ErpSandbox[] = [];
  const worlds: DemoWorld[] = [];
  try {
    const env: Record<string, string> = {
      DEMO_PORT: '8080',
      DEMO_PROCORE_URL: hub.url,
      DEMO_PROCORE_TOKEN_URL: hub.tokenUrl,
      DEMO_PROCORE_CLIENT_ID: hub.serviceAccount.clientId,
      DEMO_PROCORE_CLIENT_SECRET: hub.serviceAccount.clientSecret,
      DEMO_WEBHOOK_SECRET: webhookSecret,
    };
    for (const erp of [...DEMO_ERPS, ...pluginErps]) {
      const sandbox = await erp.start();
      sandboxes.push(sandbox);
      Object.assign(env, erp.env(sandbox));
      worlds.push(new DemoWorld(erp, hub, sandbox, 2000 + sandboxes.length));
    }
    io.out('# sandboxes running; in another shell, set these, then:');
    io.out(`#   ledgerlink procore connect --config examples/demo.yaml --url ${values.url ?? 'http://127.0.0.1:8080'}`);
    io.out('#   ledgerlink run --config examples/demo.yaml');
    for (const erp of pluginErps) io.out(`# plugin ${erp.erp}: hub company ${erp.companyId}; add a tenant { id: ${erp.tenant}, erp: ${erp.erp}, hubCompanyId: "${erp.companyId}" } pointing at $${pluginUrlVariable(erp.erp)}`);
    io.out('# (DEMO_ADMIN_TOKEN_SHA256: from `ledgerlink token new`)');
    for (const [name, value] of Object.entries(env)) io.out(`export ${name}='${value}'`);
    let tick = 0;
    const timer = fundEvery === undefined ? undefined : setInterval(() => (worlds[tick++ % worlds.length] as DemoWorld).next(), fundEvery);
    await stop;
    if (timer !== undefined) clearInterval(timer);
    return 0;
  } finally {
    for (const world of worlds) world.stop();
    await hub.close();
    await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
