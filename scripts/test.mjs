#!/usr/bin/env node
// `npm test`: typecheck, lint and test every package through nx, then print one plain line that CI reads:
// "N passed, N failed", summed from each package's vitest JSON report. Reports are removed first, so a run
// that executed no test prints "0 passed" and fails instead of passing for a green one.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const packagesDir = join(root, 'packages');
const packages = readdirSync(packagesDir).filter((dir) => existsSync(join(packagesDir, dir, 'package.json')));
for (const dir of packages) rmSync(join(packagesDir, dir, 'test-results'), { recursive: true, force: true });

const targets = process.env.LEDGERLINK_TEST_TARGETS ?? 'typecheck,lint,test';
const nx = spawnSync(
  'npx',
  ['nx', 'run-many', '-t', ...targets.split(','), '--output-style=static', '--skip-nx-cache', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } },
);

let passed = 0;
let failed = 0;
const missing = [];
for (const dir of packages) {
  const report = join(packagesDir, dir, 'test-results', 'vitest.json');
  if (!existsSync(report)) {
    missing.push(dir);
    continue;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests ?? 0;
  failed += (json.numFailedTests ?? 0) + (json.numFailedTestSuites ?? 0);
}
if (missing.length > 0 && targets.includes('test')) console.log(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
const ok = nx.status === 0 && failed === 0 && passed > 0 && (missing.length === 0 || !targets.includes('test'));
process.exit(ok ? 0 : 1);
