#!/usr/bin/env node
// `npm test`: typecheck and lint the whole workspace once, test every package through nx, then print one plain line that CI reads:
// "N passed, N failed", summed from each package's vitest JSON report. Reports are removed first, so a run
// that executed no test prints "0 passed" and fails instead of passing for a green one. A failed typecheck or lint
// counts as one failure in that line (named on the line before it), so a run that failed there does not read green;
// so does a test task that failed with no failed test in its report (an unhandled error).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const packagesDir = join(root, 'packages');
const packages = readdirSync(packagesDir).filter((dir) => existsSync(join(packagesDir, dir, 'package.json')));
for (const dir of packages) rmSync(join(packagesDir, dir, 'test-results'), { recursive: true, force: true });

const targets = process.env.LEDGERLINK_TEST_TARGETS ?? 'typecheck,lint,test';
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const nxArgs = (...args) => ['nx', ...args, '--output-style=static', '--skip-nx-cache'];
const extra = process.argv.slice(2);

// The runner's tests are the longest task by far (its multi-replica suite runs real processes on PostgreSQL): on a
// whole run they start at once, beside everything else, instead of whenever nx reaches them last. Typecheck and lint
// run once over the whole workspace (tsconfig.check.json; one eslint process) instead of once per package: each
// package's own tsc program type-checked core and the testkit again (eleven programs, about 200 s of CPU, against
// one of about 40 s), and each eslint process paid its own start. `nx run <pkg>:typecheck` / `:lint` still work alone.
const wholeRun = targets.split(',').includes('test') && extra.length === 0;
let nxOk;
/** Steps other than the tests that failed (typecheck, lint): each counts as a failure in the summary line. */
const failedSteps = [];
if (wholeRun) {
  const runnerTest = spawn('npx', nxArgs('run', '@ledgerlink/runner:test'), { cwd: root, stdio: 'inherit', env });
  const runnerDone = new Promise((resolve) => runnerTest.on('exit', (code) => resolve(code)));
  const steps = [];
  if (targets.split(',').includes('typecheck')) steps.push(['tsc', '-p', 'tsconfig.check.json']);
  if (targets.split(',').includes('lint')) steps.push(['eslint', ...packages.flatMap((dir) => ['src', 'test'].map((sub) => join('packages', dir, sub)).filter((path) => existsSync(join(root, path)))), '--no-warn-ignored']);
  let stepsOk = true;
  for (const step of steps) {
    console.log(`> ${step.slice(0, 3).join(' ')}${step.length > 3 ? ' …' : ''}`);
    const stepOk = spawnSync('npx', step, { cwd: root, stdio: 'inherit', env }).status === 0;
    if (!stepOk) failedSteps.push(step[0] === 'tsc' ? 'typecheck' : 'lint');
    stepsOk = stepOk && stepsOk;
  }
  const others = spawnSync('npx', nxArgs('run-many', '-t', 'test', '--exclude=@ledgerlink/runner', '--parallel=1'), { cwd: root, stdio: 'inherit', env });
  const runnerCode = await runnerDone;
  nxOk = stepsOk && others.status === 0 && runnerCode === 0;
} else {
  const nx = spawnSync('npx', nxArgs('run-many', '-t', ...targets.split(','), ...extra), { cwd: root, stdio: 'inherit', env });
  nxOk = nx.status === 0;
}

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
  // Each failed test, and each test file that failed without a failed test of its own (it did not load, or failed
  // in a hook): vitest's numFailedTestSuites also counts every describe block above a failed test.
  const brokenFiles = (json.testResults ?? []).filter((file) => file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'));
  failed += (json.numFailedTests ?? 0) + brokenFiles.length;
}
if (missing.length > 0 && targets.includes('test')) console.log(`no test report from: ${missing.join(', ')}`);
if (failedSteps.length > 0) console.log(`failed before the tests: ${failedSteps.join(', ')} (its errors are above)`);
failed += failedSteps.length;
// A test task that failed with every test passed in its report (vitest's exit code for an unhandled error in a test
// file, which its JSON report leaves out: `success: true`), or that crashed: one failure, so the line does not read
// green beside a failing run.
if (!nxOk && failed === 0) {
  console.log('failed outside any test: a test task exited with an error, but no report names a failed test (an unhandled error or a crash; its output is above)');
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
const ok = nxOk && failed === 0 && passed > 0 && (missing.length === 0 || !targets.includes('test'));
process.exit(ok ? 0 : 1);
