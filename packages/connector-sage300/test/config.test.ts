import { describe, expect, it } from 'vitest';
import { Sage300ConfigSchema } from '../src/config.js';

const TOKEN = 'a-token-of-enough-length-1234';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2E=\n-----END CERTIFICATE-----\n';

function problems(input: unknown): string[] {
  const parsed = Sage300ConfigSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('Sage 300 CRE connection settings', () => {
  it('takes an https agent URL, trims its trailing slash, and a CA certificate', () => {
    expect(Sage300ConfigSchema.parse({ agentUrl: 'https://sage-agent.acme.internal:8443/', agentToken: TOKEN, caCertificate: PEM })).toEqual({
      agentUrl: 'https://sage-agent.acme.internal:8443',
      agentToken: TOKEN,
      caCertificate: PEM,
    });
  });

  it('keeps a path prefix for an agent behind a reverse proxy', () => {
    expect(Sage300ConfigSchema.parse({ agentUrl: 'https://erp.acme.com/sage-agent/', agentToken: TOKEN }).agentUrl).toBe('https://erp.acme.com/sage-agent');
  });

  it('allows plain http only on loopback, where the token never leaves the machine', () => {
    expect(problems({ agentUrl: 'http://127.0.0.1:7400', agentToken: TOKEN })).toEqual([]);
    expect(problems({ agentUrl: 'http://localhost:7400', agentToken: TOKEN })).toEqual([]);
    expect(problems({ agentUrl: 'http://sage-server:7400', agentToken: TOKEN })).toEqual([
      'agentUrl: agentUrl must use https:// (http:// is allowed only on 127.0.0.1, localhost or [::1])',
    ]);
  });

  it('names every wrong field at once', () => {
    expect(problems({ agentUrl: 'ftp://x', agentToken: 'short', caCertificate: 'not a pem', extra: 1 })).toEqual([
      "agentUrl: agentUrl must be an http(s) URL such as https://sage-agent.example.internal:8443",
      expect.stringMatching(/^agentToken: agentToken must be at least 16 characters/),
      expect.stringMatching(/^caCertificate: caCertificate must be a PEM certificate/),
      expect.stringMatching(/extra/),
    ]);
  });

  it('requires the token', () => {
    expect(problems({ agentUrl: 'https://sage-agent.acme.internal' })).toEqual([expect.stringMatching(/^agentToken: /)]);
  });
});
