import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The workspace's module-boundary rule (eslint.config.mjs, Nx tags): connectors depend on core (and the
// testkit in tests) only; core depends on nothing of ours. Linting a probe import proves the rule holds.
const root = resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: resolve(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
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

  it('allows a connector importing core', async () => {
    const errors = await boundaryErrors('packages/connector-qbo/src/probe.ts', "import '@ledgerlink/core';\n");
    expect(errors).toEqual([]);
  });
});
