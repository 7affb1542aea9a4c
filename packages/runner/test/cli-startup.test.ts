import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { heapFlagsFor, IMPORT_HEAP_GROWING_PERCENT } from '../src/cli/heap-flags.js';
import { BUILT_IN_CONNECTORS } from '../src/plugins/built-in-connectors.js';
import { loadBuiltInConnectors } from '../src/plugins/built-in-loaders.js';

const packageDir = resolve(import.meta.dirname, '..');

/**
 * The CommonJS packages (fastify, better-sqlite3, pino…) a fresh node process has loaded once
 * it has imported `modules` from the runner's sources, as `ledgerlink` does from a clone (tsx, source condition).
 */
function packagesLoadedBy(modules: string[], then = ''): string[] {
  const tsx = createRequire(join(packageDir, 'package.json')).resolve('tsx');
  const script = [
    "import { createRequire } from 'node:module';",
    ...modules.map((module) => `await import(${JSON.stringify(pathToFileURL(join(packageDir, module)).href)});`),
    then,
    'const names = new Set();',
    // The last node_modules/<package>/ of each loaded file's path (CommonJS modules imported from ESM are in this cache).
    "for (const file of Object.keys(createRequire(import.meta.url).cache)) { const match = /.*node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file); if (match) names.add(match[1]); }",
    'console.log(JSON.stringify([...names].sort()));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--import', pathToFileURL(tsx).href, '--conditions=source', '--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
    env: { ...process.env, TSX_TSCONFIG_PATH: join(packageDir, 'tsconfig.json') },
    timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as string[];
}

describe('the CLI at start (issue 15)', () => {
  it('does not load the daemon server (fastify) for a one-off command such as import', () => {
    // What `ledgerlink import` loads before it runs: the CLI and what opens a runner from a config.
    const loaded = packagesLoadedBy(['src/cli/main.ts', 'src/cli/open-for-cli.ts']);
    expect(loaded).toContain('better-sqlite3');
    expect(loaded).not.toContain('fastify');
  }, 60_000);

  it('loads only the built-in connectors its config names when it opens a runner for a one-off command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-cli-startup-'));
    try {
      const config = join(dir, 'ledgerlink.yaml');
      writeFileSync(
        config,
        [
          'store: { sqlite: { path: ledger.db } }',
          'hub:',
          '  connector: procore',
          '  connection: { apiBaseUrl: "http://127.0.0.1:9", tokenUrl: "http://127.0.0.1:9/oauth/token", clientId: hub-client, clientSecret: "${env:HUB_SECRET}", companyIds: ["4264"] }',
          '  webhookSecret: "${env:HOOK_SECRET}"',
          'tenants:',
          '  - id: acme',
          '    erp: qbo',
          '    hubCompanyId: "4264"',
          '    connection: { baseUrl: "http://127.0.0.1:9", tokenUrl: "http://127.0.0.1:9/token", realmId: "123", clientId: qbo-client, clientSecret: "${env:QBO_SECRET}", refreshToken: "${env:QBO_REFRESH}" }',
          '',
        ].join('\n'),
      );
      const io = `{ out: () => undefined, err: (text) => process.stderr.write(text + '\\n'), readStdin: async () => '', env: { HUB_SECRET: 'hub-secret-0123456789', HOOK_SECRET: 'hook-secret-0123456789', QBO_SECRET: 'qbo-secret', QBO_REFRESH: 'qbo-refresh' }, cwd: ${JSON.stringify(dir)} }`;
      const open = [
        `const { openForCli } = await import(${JSON.stringify(pathToFileURL(join(packageDir, 'src/cli/open-for-cli.ts')).href)});`,
        `const opened = await openForCli(${JSON.stringify(config)}, ${io}, { start: false });`,
        "if (opened === undefined) throw new Error('the config did not open');",
        'await opened.runner.close();',
      ].join('\n');
      const loaded = packagesLoadedBy(['src/cli/main.ts'], open);
      expect(loaded).toContain('better-sqlite3');
      // QuickBooks Desktop's and Yardi's SOAP stack: not for a tenant on QuickBooks Online.
      expect(loaded).not.toContain('soap');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('loads the same built-in connectors on demand as BUILT_IN_CONNECTORS lists, all of them for an id that is not one', async () => {
    expect(await loadBuiltInConnectors()).toEqual(BUILT_IN_CONNECTORS);
    expect((await loadBuiltInConnectors(['procore', 'qbo'])).map((connector) => connector.manifest.id)).toEqual(['procore', 'qbo']);
    expect(await loadBuiltInConnectors(['qbo', 'my-plugin-erp'])).toHaveLength(BUILT_IN_CONNECTORS.length);
  });

  it('runs import with a bounded old-generation growth, and every other command with V8 as it is', () => {
    expect(heapFlagsFor(['import', '--tenant', 'acme', '--config', 'ledgerlink.yaml'])).toEqual([`--heap-growing-percent=${IMPORT_HEAP_GROWING_PERCENT}`]);
    expect(IMPORT_HEAP_GROWING_PERCENT).toBe(20);
    for (const argv of [['run', '--config', 'ledgerlink.yaml'], ['failed', 'list'], ['validate', 'x.yaml'], []]) expect(heapFlagsFor(argv)).toEqual([]);
  });

  it("uses a flag this node's V8 knows (setFlagsFromString ignores one it does not, and the import's peak would be back)", () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    for (const flag of heapFlagsFor(['import'])) expect(options).toContain(flag.split('=')[0]);
  });
});
