import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { sandboxCommand } from '../src/cli/sandbox-command.js';
import { tempDir } from './support/runner-harness.js';

function io(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string; stderr: string } {
  const captured = {
    stdout: '',
    stderr: '',
    out(text: string) {
      captured.stdout += `${text}\n`;
    },
    err(text: string) {
      captured.stderr += `${text}\n`;
    },
    readStdin: async () => '',
    env,
    cwd: process.cwd(),
  };
  return captured;
}

describe('ledgerlink qbd qwc', () => {
  it('prints the Web Connector file for a QuickBooks Desktop tenant, with stable ids', async () => {
    const { dir, cleanup } = tempDir();
    const file = join(dir, 'deploy.yaml');
    writeFileSync(
      file,
      stringify({
        tenants: [{ id: 'cedar-qbd', erp: 'qbd', connection: { listen: { host: '127.0.0.1', port: 8443, path: '/qbwc' }, username: 'cedar & co', password: '${env:QBD_PW}' } }],
      }),
    );
    const first = io({ QBD_PW: 'pw-value-123' });
    expect(await main(['qbd', 'qwc', '--config', file, '--tenant', 'cedar-qbd'], first)).toBe(0);
    const qwc = new XMLParser().parse(first.stdout) as { QBWCXML: Record<string, unknown> };
    expect(qwc.QBWCXML).toMatchObject({ AppURL: 'http://localhost:8443/qbwc', UserName: 'cedar & co', QBType: 'QBFS' });
    expect(String(qwc.QBWCXML.OwnerID)).toMatch(/^\{[0-9A-F-]{36}\}$/);
    expect(first.stdout).toContain('cedar &amp; co');
    expect(first.stdout).not.toContain('pw-value-123');
    const second = io({ QBD_PW: 'pw-value-123' });
    await main(['qbd', 'qwc', '--config', file, '--tenant', 'cedar-qbd'], second);
    expect(second.stdout).toBe(first.stdout);
    const missing = io({ QBD_PW: 'x' });
    expect(await main(['qbd', 'qwc', '--config', file, '--tenant', 'nope'], missing)).toBe(1);
    expect(missing.stderr).toContain('cedar-qbd');
    cleanup();
  });
});

describe('ledgerlink sandbox', () => {
  it('starts the hub and every ERP sandbox and prints the environment the demo config reads', async () => {
    const out = io();
    let release!: () => void;
    const stop = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = sandboxCommand([], out, stop);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const env = Object.fromEntries([...out.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((match) => [match[1], match[2]]));
    for (const name of ['DEMO_PROCORE_URL', 'DEMO_QBO_URL', 'DEMO_INTACCT_URL', 'DEMO_SAGE300_URL', 'DEMO_VISTA_URL', 'DEMO_ACUMATICA_URL', 'DEMO_YARDI_URL', 'DEMO_QBD_PORT']) {
      expect(env[name], name).toBeTruthy();
    }
    // The hub answers on its port (its OAuth endpoint refuses a bad grant in Procore's own way).
    const answer = await fetch(`${env.DEMO_PROCORE_URL}/oauth/token`, { method: 'POST', body: 'grant_type=nope' });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    release();
    expect(await running).toBe(0);
  });
});
