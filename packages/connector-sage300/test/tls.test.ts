import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ErrorCodes, Lane, type Logger, silentLogger } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSage300Client } from '../src/client.js';
import { Sage300ConfigSchema } from '../src/config.js';
import { TEST_AGENT_CERT, TEST_AGENT_KEY } from './fixtures/agent-tls.js';

/** A logger that keeps its warnings. */
function recordingLogger(warnings: string[]): Logger {
  const logger: Logger = {
    ...silentLogger,
    warn: (fields: Record<string, unknown> | string, message?: string) => void warnings.push(typeof fields === 'string' ? fields : (message ?? '')),
    child: () => logger,
  };
  return logger;
}

describe('TLS to the agent', () => {
  // An agent whose certificate no CA the runner trusts has signed.
  const server = createServer({ cert: TEST_AGENT_CERT, key: TEST_AGENT_KEY }, (_req, res) => res.end('{}'));
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails check() on an untrusted certificate, saying to set NODE_EXTRA_CA_CERTS, and warns that caCertificate is not applied yet', async () => {
    const warnings: string[] = [];
    const lane = new Lane({ key: 'test/tls', rateLimit: { requests: 10, intervalMs: 1000, concurrency: 1 }, timeoutMs: 5_000 });
    const config = Sage300ConfigSchema.parse({ agentUrl: url, agentToken: 'a-token-of-enough-length-1234', caCertificate: TEST_AGENT_CERT });
    const client = createSage300Client({ config, http: lane.http, lane: lane.signals, logger: recordingLogger(warnings), now: () => new Date() });
    try {
      const error = await client.check({ signal: new AbortController().signal }).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: ErrorCodes.ERP_TRANSPORT });
      expect(String((error as Error).message)).toContain('NODE_EXTRA_CA_CERTS');
      expect(warnings).toEqual([expect.stringContaining('NODE_EXTRA_CA_CERTS')]);
    } finally {
      await lane.close();
    }
  });
});
