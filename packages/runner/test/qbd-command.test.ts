import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEDGERLINK_OWNER_ID } from '@ledgerlink/connector-qbd';
import { XMLParser } from 'fast-xml-parser';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { tempDir } from './support/runner-harness.js';

function io(env: NodeJS.ProcessEnv = { QBD_PW: 'pw-value-123' }): CliIo & { stdout: string; stderr: string } {
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

const tenant = (id: string, host: string) => ({ id, erp: 'qbd', connection: { listen: { host, port: 8443, path: '/qbwc' }, username: `${id} wc`, password: '${env:QBD_PW}' } });

describe('ledgerlink qbd qwc', () => {
  it('refuses a plain http address of another host in one line, without a stack trace', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'deploy.yaml');
      writeFileSync(file, stringify({ tenants: [tenant('cedar-qbd', '10.0.0.5')] }));
      const listening = io();
      expect(await main(['qbd', 'qwc', '--config', file, '--tenant', 'cedar-qbd'], listening)).toBe(1);
      expect(listening.stderr.trim().split('\n')).toHaveLength(1);
      expect(listening.stderr).toMatch(/http:\/\/10\.0\.0\.5:8443\/qbwc.*https:\/\/.*--app-url/);
      expect(listening.stderr).not.toMatch(/\n\s+at /);
      expect(listening.stdout).toBe('');

      const given = io();
      expect(await main(['qbd', 'qwc', '--config', file, '--tenant', 'cedar-qbd', '--app-url', 'http://ledgerlink.example.com/qbwc'], given)).toBe(1);
      expect(given.stderr.trim().split('\n')).toHaveLength(1);
      expect(given.stderr).toMatch(/must be https:\/\//);

      const proxied = io();
      expect(await main(['qbd', 'qwc', '--config', file, '--tenant', 'cedar-qbd', '--app-url', 'https://ledgerlink.example.com/qbwc'], proxied)).toBe(0);
      expect(proxied.stdout).toContain('<AppURL>https://ledgerlink.example.com/qbwc</AppURL>');
    } finally {
      cleanup();
    }
  });

  it('writes the same OwnerID (one per application) for every tenant, and a FileID per tenant', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'deploy.yaml');
      writeFileSync(file, stringify({ tenants: [tenant('cedar-qbd', '127.0.0.1'), tenant('oak-qbd', '127.0.0.1')] }));
      const qwcOf = async (id: string) => {
        const out = io();
        expect(await main(['qbd', 'qwc', '--config', file, '--tenant', id], out)).toBe(0);
        return (new XMLParser({ parseTagValue: false }).parse(out.stdout) as { QBWCXML: Record<string, string> }).QBWCXML;
      };
      const [cedar, oak] = [await qwcOf('cedar-qbd'), await qwcOf('oak-qbd')];
      expect(cedar.OwnerID).toBe(LEDGERLINK_OWNER_ID);
      expect(oak.OwnerID).toBe(LEDGERLINK_OWNER_ID);
      expect(cedar.FileID).not.toBe(oak.FileID);
      expect(cedar.AppURL).toBe('http://localhost:8443/qbwc');
    } finally {
      cleanup();
    }
  });
});
