import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The connection settings of a Sage 300 CRE tenant (its `connection:` block). There is no public Sage web
 * API, so there is no default URL: the connector talks to the on-premises agent the customer installs next
 * to Sage (README.md, "Agent protocol v1").
 */
export const Sage300ConfigSchema = z.strictObject({
  /**
   * Base URL of the agent, e.g. `https://sage-agent.acme.internal:8443`; `/v1/...` is appended. HTTPS, since a
   * bearer token travels on every call; plain `http://` only on a loopback host (the sandbox, an SSH tunnel).
   */
  agentUrl: z
    .url({ protocol: /^https?$/, abort: true, error: 'agentUrl must be an http(s) URL such as https://sage-agent.example.internal:8443' })
    .refine((value) => {
      const url = new URL(value);
      return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
    }, 'agentUrl must use https:// (http:// is allowed only on 127.0.0.1, localhost or [::1])')
    .refine((value) => new URL(value).search === '' && new URL(value).hash === '', 'agentUrl must not carry a query or a fragment')
    .transform((value) => value.replace(/\/+$/, '')),
  /** The bearer token configured on the agent (a secret: give it as `${env:SAGE300_AGENT_TOKEN}`). */
  agentToken: z
    .string()
    .min(16, 'agentToken must be at least 16 characters: use the token configured on the agent (generate one with `openssl rand -hex 32`)')
    .refine((value) => /^[\x21-\x7e]+$/.test(value), 'agentToken must be visible ASCII characters without spaces'),
  /**
   * PEM of the CA that signed the agent's certificate, when it is a private CA. Core's HTTP client does not
   * take a per-connection CA yet: until it does, the runner must be started with `NODE_EXTRA_CA_CERTS`
   * pointing at this PEM (README.md, "TLS").
   */
  caCertificate: z
    .string()
    .regex(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/, 'caCertificate must be a PEM certificate (-----BEGIN CERTIFICATE----- ...)')
    .optional(),
});

export type Sage300Config = z.output<typeof Sage300ConfigSchema>;
