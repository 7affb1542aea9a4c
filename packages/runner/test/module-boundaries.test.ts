import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The workspace's module-boundary rule (eslint.config.mjs, Nx tags): connectors depend on core (and the
// testkit in tests) only; core depends on nothing of ours. Linting a probe import proves the rule holds.
const root = resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: resolve(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  // The rule reads Nx's cached project graph and skips itself, silently, without one (a fresh clone, or vitest
  // run on its own): compute it first, as any nx command does.
  beforeAll(() => {
    execFileSync(process.execPath, [resolve(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  }, 120_000);

  it('refuses a connector importing another connector', async () => {
    const errors = await boundaryErrors('packages/connector-intacct/src/probe.ts', "import '@ledgerlink/connector-qbo';\n");
    expect(errors.join('\n')).toMatch(/scope:connector|not allowed|tags/i);
  });

  it('refuses a connector importing the runner', async () => {
    const errors = await boundaryErrors('packages/connector-qbo/src/probe.ts', "import '@ledgerlink/runner';\n");
    expect(errors.length).toBeGreaterThan(0);
  });

  it('refuses core importing a connector', async () => {
    const errors = await boundaryErrors('packages/core/src/probe.ts', "import '@ledgerlink/connector-qbo';\n");
    expect(errors.length).toBeGreaterThan(0);
  });

  it("refuses the runner's code importing the testkit, and allows its tests to", async () => {
    const inCode = await boundaryErrors('packages/runner/src/probe.ts', "import '@ledgerlink/connector-testkit';\n");
    expect(inCode.join('\n')).toMatch(/scope:runner/);
    const inTests = await boundaryErrors('packages/runner/test/probe.test.ts', "import '@ledgerlink/connector-testkit';\n");
    expect(inTests).toEqual([]);
  });

  it('allows a connector importing core', async () => {
    const errors = await boundaryErrors('packages/connector-qbo/src/probe.ts', "import '@ledgerlink/core';\n");
    expect(errors).toEqual([]);
  });
});
