import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generateConnector } from '../src/cli/new-connector-command.js';
import { runDemo } from '../src/demo/run-demo.js';

const repo = resolve(import.meta.dirname, '../../..');

describe('the demo with a plugin', () => {
  it('starts the plugin\'s sandbox from the config\'s plugins: and exports its tenant\'s payments into it', { timeout: 90_000 }, async () => {
    // Inside the workspace, so the generated package resolves core and zod from its node_modules.
    mkdirSync(join(repo, 'packages/runner/test-results'), { recursive: true });
    const dir = mkdtempSync(join(repo, 'packages/runner/test-results/demo-plugin-'));
    generateConnector({ id: 'tally', dir, displayName: 'Tally Books' });
    mkdirSync(join(dir, 'examples'));
    const shipped = readFileSync(join(repo, 'examples/demo.yaml'), 'utf8');
    const config = shipped
      .replace(/^tenants:\n/m, 'plugins: [../connector-tally]\ntenants:\n')
      .concat(
        [
          '  - id: tally-co',
          '    name: Tally Co (a plugin)',
          '    erp: tally',
          '    hubCompanyId: "6101"',
          '    connection:',
          '      baseUrl: ${env:DEMO_TALLY_URL}',
          '      apiKey: ${env:DEMO_TALLY_KEY}',
          '',
        ].join('\n'),
      );
    writeFileSync(join(dir, 'examples/demo.yaml'), config);
    const out = new PassThrough();
    out.resume();
    process.env.DEMO_TALLY_KEY = 'tally-sandbox-key';
    try {
      const result = await runDemo({ configFile: join(dir, 'examples/demo.yaml'), port: 0, durationMs: 12_000, fundEveryMs: 100, out });
      const tally = result.counts.find((row) => row.tenant === 'tally-co');
      expect(tally?.erp).toBe('tally');
      expect(tally?.states.synced ?? 0, 'payments exported into the plugin sandbox').toBeGreaterThan(0);
    } finally {
      delete process.env.DEMO_TALLY_KEY;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
