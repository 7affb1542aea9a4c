import { spawnSync } from 'node:child_process';
import { readlinkSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../..');

/**
 * The README's `npx ledgerlink …` as a user types it: npm links the runner's bin at install time (it is a plain JS
 * launcher that exists before any build) and the launcher runs the CLI from its sources when there is no dist/.
 */
describe('npx ledgerlink', () => {
  it('is linked by npm install into the workspace bin directory, pointing at the launcher', () => {
    const link = join(repo, 'node_modules/.bin/ledgerlink');
    expect(readlinkSync(link)).toMatch(/@ledgerlink\/runner\/bin\/ledgerlink\.mjs$/);
    expect(realpathSync(link)).toBe(join(repo, 'packages/runner/bin/ledgerlink.mjs'));
  });

  it('prints the usage and exits 0 for --help, as a real process', () => {
    const run = spawnSync('npx', ['--no-install', 'ledgerlink', '--help'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ledgerlink — keeps Procore and your ERP in step/);
    expect(run.stdout).toContain('ledgerlink validate FILE');
    expect(run.stdout).toContain('ledgerlink new connector ID');
  }, 60_000);

  it('passes the exit code through: a usage mistake exits 2', () => {
    const run = spawnSync('npx', ['--no-install', 'ledgerlink', 'no-such-command'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown command "no-such-command"');
  }, 60_000);
});
