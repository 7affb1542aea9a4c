import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';

const repo = resolve(import.meta.dirname, '../../..');
// Inside the workspace (so the shared tsconfig, vitest config and node_modules apply), but outside packages/, so
// the generated package never becomes a project of the nx run that is testing this one.
const scratchRoot = join(repo, 'packages/runner/test-results');
mkdirSync(scratchRoot, { recursive: true });
const scratch = mkdtempSync(join(scratchRoot, 'generated-'));

function io(): CliIo & { stdout: string; stderr: string } {
  const captured = {
    stdout: '',
    stderr: '',
    out: (text: string) => void (captured.stdout += `${text}\n`),
    err: (text: string) => void (captured.stderr += `${text}\n`),
    readStdin: async () => '',
    env: {},
    cwd: repo,
  };
  return captured;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('ledgerlink new connector', () => {
  const dir = join(scratch, 'connector-acme-books');

  it('writes a complete package from the Example ERP, renamed, with its version in package.json only', async () => {
    const out = io();
    expect(await main(['new', 'connector', 'acme-books', '--dir', scratch, '--display-name', 'Acme Books'], out)).toBe(0);
    expect(out.stdout).toContain('wrote @ledgerlink/connector-acme-books');
    for (const file of ['package.json', 'CHANGELOG.md', 'README.md', 'mapping.yaml', 'src/index.ts', 'src/config.ts', 'src/client.ts', 'src/sandbox/index.ts', 'test/conformance.test.ts', 'tsconfig.json', 'vitest.config.ts']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    // The code is renamed through and through; only README and CHANGELOG say where it came from.
    for (const file of filesUnder(dir).filter((path) => !path.endsWith('.md'))) expect(readFileSync(file, 'utf8'), file).not.toMatch(/example/i);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      exports: Record<string, { source: string }>;
      files: string[];
      nx: { tags: string[] };
      peerDependencies: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(manifest.name).toBe('@ledgerlink/connector-acme-books');
    expect(manifest.exports['.']?.source).toBe('./src/index.ts');
    expect(manifest.exports['./sandbox']?.source).toBe('./src/sandbox/index.ts');
    expect(manifest.files).toContain('mapping.yaml');
    expect(manifest.nx.tags).toEqual(['scope:connector']);
    expect(manifest.peerDependencies['@ledgerlink/core']).toBe('^0.1.0');
    expect(manifest.dependencies['@ledgerlink/core']).toBeUndefined();
    const index = readFileSync(join(dir, 'src/index.ts'), 'utf8');
    expect(index).toContain("id: 'acme-books'");
    expect(index).toContain("displayName: 'Acme Books'");
    expect(index).toContain("createRequire(import.meta.url)('../package.json')");
    expect(index).not.toMatch(/VERSION = '/);
  });

  it('refuses a folder that exists and an id that is not kebab-case', async () => {
    const again = io();
    expect(await main(['new', 'connector', 'acme-books', '--dir', scratch], again)).toBe(1);
    expect(again.stderr).toMatch(/LL_CONFIG_INVALID: .*already exists/);
    const bad = io();
    expect(await main(['new', 'connector', 'Acme_Books', '--dir', scratch], bad)).toBe(1);
    expect(bad.stderr).toContain('kebab-case');
    const usage = io();
    expect(await main(['new', 'connector'], usage)).toBe(2);
  });

  it('typechecks and passes the whole conformance kit as generated', () => {
    const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const vitest = spawnSync(process.execPath, [join(repo, 'node_modules/vitest/vitest.mjs'), 'run'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, VITEST: undefined, VITEST_WORKER_ID: undefined, VITEST_POOL_ID: undefined, NODE_OPTIONS: undefined },
    });
    const report = JSON.parse(readFileSync(join(dir, 'test-results/vitest.json'), 'utf8')) as { numPassedTests: number; numFailedTests: number; testResults: { assertionResults: { title: string; status: string }[] }[] };
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    expect(report.numFailedTests).toBe(0);
    const titles = report.testResults.flatMap((file) => file.assertionResults.map((test) => test.title));
    for (const check of ['config', 'export', 'duplicate-check-number', 'throttling', 'rate-limit', 'commit-then-drop', 'import', 'special-characters']) {
      expect(titles.some((title) => title.startsWith(check)), check).toBe(true);
    }
    expect(report.numPassedTests).toBe(titles.length);
  }, 180_000);
});
