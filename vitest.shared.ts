import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = resolve(import.meta.dirname);

/**
 * Tests run against the workspace packages' TypeScript sources, not their build output, so a test run
 * never depends on a stale `dist/`. Each package's `exports` carries a `source` condition; this maps the
 * same subpaths for vitest.
 */
function workspaceAliases(): { find: string; replacement: string }[] {
  const aliases: { find: string; replacement: string }[] = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifestPath = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      name: string;
      exports?: Record<string, { source?: string }>;
    };
    const entries = Object.entries(manifest.exports ?? {}).sort(([a], [b]) => b.length - a.length);
    for (const [subpath, target] of entries) {
      if (!target.source) continue;
      aliases.push({
        find: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
        replacement: join(root, 'packages', dir, target.source),
      });
    }
  }
  return aliases;
}

/**
 * `isolate` (default false): each test file in a fresh module graph. Off, the files of a worker share the modules
 * they import (loaded once, not once per file): the connectors' and core's suites pass either way and take about half
 * the CPU (acumatica: 48 s of CPU isolated, 24 s not). The runner keeps isolation: its files start daemons with a DI
 * container each and spawn processes.
 */
export function packageTestConfig(options: { testTimeout?: number; isolate?: boolean } = {}) {
  return defineConfig({
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: options.testTimeout ?? 20_000,
      hookTimeout: 30_000,
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results/vitest.json' },
      pool: 'forks',
      isolate: options.isolate ?? false,
    },
  });
}
