import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { generateConnector } from '../src/cli/new-connector-command.js';
import { sandboxCommand } from '../src/cli/sandbox-command.js';
import { BUILT_IN_CONNECTORS } from '../src/plugins/built-in-connectors.js';
import { ConnectorRegistry, loadPluginConnectors } from '../src/plugins/connector-registry.js';
import { loadPluginSandbox } from '../src/plugins/plugin-sandbox.js';

/**
 * `plugins:` with a real third-party connector package: the one `ledgerlink new connector` writes (its own
 * conformance run is in new-connector.test.ts), exporting its connector both named and as the default export.
 */
const repo = resolve(import.meta.dirname, '../../..');
const scratchRoot = join(repo, 'packages/runner/test-results');
mkdirSync(scratchRoot, { recursive: true });
const scratch = mkdtempSync(join(scratchRoot, 'plugins-'));
const pluginDir = join(scratch, 'connector-tally');

function io(cwd = scratch): CliIo & { stdout: string; stderr: string } {
  const captured = {
    stdout: '',
    stderr: '',
    out: (text: string) => void (captured.stdout += `${text}\n`),
    err: (text: string) => void (captured.stderr += `${text}\n`),
    readStdin: async () => '',
    env: { TALLY_API_KEY: 'tally-sandbox-key' },
    cwd,
  };
  return captured;
}

let configs = 0;
function config(plugins: string[], erp = 'tally'): string {
  const file = join(scratch, `deploy-${(configs += 1)}.yaml`);
  writeFileSync(
    file,
    [
      'store: { sqlite: { path: ledger.db } }',
      `plugins: [${plugins.map((plugin) => JSON.stringify(plugin)).join(', ')}]`,
      'tenants:',
      '  - id: acme-tally',
      `    erp: ${erp}`,
      '    connection:',
      '      baseUrl: http://127.0.0.1:9',
      '      apiKey: ${env:TALLY_API_KEY}',
      '',
    ].join('\n'),
  );
  return file;
}

beforeAll(() => {
  generateConnector({ id: 'tally', dir: scratch, displayName: 'Tally Books' });
  appendFileSync(join(pluginDir, 'src/index.ts'), '\nexport default tallyConnector;\n');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('plugins: in the CLI', () => {
  it('validate loads the config\'s plugins: a tenant of a third-party connector passes', async () => {
    const out = io();
    expect(await main(['validate', config(['./connector-tally'])], out)).toBe(0);
    expect(out.stdout).toContain('ok (1 tenant: acme-tally → tally)');
  });

  it('validate still names an ERP no plugin provides, with the ones there are (plugins included)', async () => {
    const out = io();
    expect(await main(['validate', config(['./connector-tally'], 'xero')], out)).toBe(1);
    expect(out.stderr).toMatch(/:\d+:\d+ tenants\[0\]\.erp: unknown ERP connector "xero"; known: .*tally/);
  });

  it('validate names a plugin that cannot be found, and how to install it', async () => {
    const out = io();
    expect(await main(['validate', config(['@acme/ledgerlink-nowhere'])], out)).toBe(1);
    expect(out.stderr).toMatch(/LL_PLUGIN_INVALID: plugin "@acme\/ledgerlink-nowhere" cannot be loaded: .*npm install @acme\/ledgerlink-nowhere/);
  });

  it('connectors --config lists the plugins beside the built-in ones', async () => {
    const plain = io();
    expect(await main(['connectors', '--json'], plain)).toBe(0);
    expect((JSON.parse(plain.stdout) as { connectors: { id: string }[] }).connectors.map((c) => c.id)).not.toContain('tally');
    const out = io();
    expect(await main(['connectors', '--json', '--config', config(['./connector-tally'])], out)).toBe(0);
    const rows = (JSON.parse(out.stdout) as { connectors: { id: string; displayName: string; version: string }[] }).connectors;
    expect(rows.find((row) => row.id === 'tally')).toMatchObject({ displayName: 'Tally Books', version: '0.1.0' });
    expect(rows.length).toBe(BUILT_IN_CONNECTORS.length + 1);
  });
});

describe('plugin loading', () => {
  it('counts a connector exported both named and default once; the registry takes the same object twice as one', async () => {
    const found = await loadPluginConnectors([pluginDir]);
    expect(found).toHaveLength(1);
    const registry = new ConnectorRegistry([...BUILT_IN_CONNECTORS, ...found, ...found]);
    expect(registry.erp('tally')).toBe(found[0]);
  });

  it('still refuses two different connectors that claim one id', async () => {
    const [tally] = await loadPluginConnectors([pluginDir]);
    const impostor = { ...tally!, manifest: { ...tally!.manifest, displayName: 'Impostor' } };
    expect(() => new ConnectorRegistry([tally!, impostor])).toThrow(/two connectors claim the id "tally"/);
  });

  it('finds the plugin\'s sandbox starter in its ./sandbox export, and it is a working sandbox', async () => {
    const start = await loadPluginSandbox(pluginDir);
    const sandbox = await start();
    try {
      const answer = await fetch(`${sandbox.url}/v1/company`, { headers: { authorization: 'Bearer tally-sandbox-key' } });
      expect(answer.status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('says what a ./sandbox export must hold when it holds no starter', async () => {
    const bare = join(scratch, 'bare-plugin');
    mkdirSync(bare, { recursive: true });
    writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'bare', type: 'module', exports: { './sandbox': './sandbox.js' } }));
    writeFileSync(join(bare, 'sandbox.js'), 'export const helper = 1;\n');
    await expect(loadPluginSandbox(bare)).rejects.toMatchObject({ code: 'LL_PLUGIN_INVALID', message: expect.stringMatching(/export a StartSandbox as startSandbox.*found: helper/) });
  });

  it('ledgerlink sandbox --plugin starts the plugin\'s sandbox beside the others and prints its URL', async () => {
    const out = io(scratch);
    let stop!: () => void;
    const stopped = new Promise<void>((resolveStop) => (stop = resolveStop));
    const running = sandboxCommand(['--plugin', `./${relative(scratch, pluginDir)}`], out, stopped);
    await expect.poll(() => out.stdout, { timeout: 30_000 }).toMatch(/export DEMO_TALLY_URL='(http:\/\/127\.0\.0\.1:\d+)'/);
    const url = /export DEMO_TALLY_URL='([^']+)'/.exec(out.stdout)?.[1];
    expect(out.stdout).toContain('tenant { id: demo-tally, erp: tally');
    expect((await fetch(`${url}/v1/company`, { headers: { authorization: 'Bearer tally-sandbox-key' } })).status).toBe(200);
    stop();
    expect(await running).toBe(0);
  }, 60_000);
});
