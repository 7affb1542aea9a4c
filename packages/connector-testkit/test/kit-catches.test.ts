import { defineConnector, Outcomes, type ClientContext, type Connector, type HttpClient, type Outcome } from '@ledgerlink/core';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../src/checks/index.js';
import { ExportGate } from '../src/export-gate.js';
import { Harness } from '../src/harness.js';
import type { ConformanceFixtures } from '../src/options.js';
import { createExampleClient } from './example/client.js';
import type { ExampleConfig } from './example/config.js';
import { exampleConnector } from './example/connector.js';
import { EXAMPLE_API_KEY, startExampleSandbox } from './example/sandbox/index.js';

// The kit is only worth something if it fails a connector that is wrong. Each case breaks the Example ERP
// connector in one way a real connector could be broken, and runs the check that must catch it.

type Breakage = {
  /** Changes what the client sends. */
  http?: (http: HttpClient) => HttpClient;
  /** Changes the outcomes the client reports. */
  outcome?: (outcome: Outcome) => Outcome;
};

function broken(what: string, breakage: Breakage): Connector<ExampleConfig> {
  return defineConnector({
    manifest: { ...exampleConnector.manifest, displayName: `Example ERP (${what})` },
    capabilities: exampleConnector.capabilities,
    configSchema: exampleConnector.configSchema,
    mapping: exampleConnector.mapping,
    createClient(context: ClientContext<ExampleConfig>) {
      const client = createExampleClient({ ...context, http: breakage.http?.(context.http) ?? context.http });
      const exporter = client.payments.exporter;
      const bills = client.requisitions?.exporter;
      const change = breakage.outcome;
      if (exporter === undefined || bills === undefined || change === undefined) return client;
      return {
        ...client,
        payments: { ...client.payments, exporter: { find: exporter.find, load: async (batch, c) => (await exporter.load(batch, c)).map(change) } },
        requisitions: { exporter: { find: bills.find, load: async (batch, c) => (await bills.load(batch, c)).map(change) } },
      };
    },
  });
}

/** Rewrites the JSON body of every POST. */
function rewriteBody(rewrite: (body: Record<string, unknown>) => Record<string, unknown>): (http: HttpClient) => HttpClient {
  return (http) => (request) =>
    http(request.body === undefined ? request : { ...request, body: JSON.stringify(rewrite(JSON.parse(request.body) as Record<string, unknown>)) });
}

async function withHarness(connector: Connector<ExampleConfig>, work: (harness: Harness<unknown>) => Promise<void>, fixtures: ConformanceFixtures = {}) {
  const harness = new Harness(connector, {
    startSandbox: startExampleSandbox,
    config: (sandbox) => ({ baseUrl: sandbox.url, apiKey: EXAMPLE_API_KEY }),
    invalidConfig: { config: () => ({}), field: 'baseUrl' },
    fixtures,
  }) as unknown as Harness<unknown>;
  await harness.start();
  try {
    await work(harness);
  } finally {
    await harness.stop();
  }
}

describe('the kit fails a broken connector', () => {
  it('commit-then-drop: a client that forgets the idempotency key cannot settle the lost answer', async () => {
    const forgetful = broken('forgets idempotency keys', {
      http: (http) => (request) => {
        const { 'idempotency-key': _dropped, ...headers } = request.headers ?? {};
        return http({ ...request, headers });
      },
    });
    await withHarness(forgetful, async (harness) => {
      // Its retry posts again: the ERP refuses the check number it already holds, so the export never ends synced.
      await expect(CHECKS['commit-then-drop'].run(harness)).rejects.toThrow(/first answer was lost after the commit: expected a synced outcome/);
    });
  });

  it('duplicate-check-number: a client that reports the duplicate as a plain rejection', async () => {
    const rigid = broken('no needs-edit', {
      outcome: (outcome) => (outcome.kind === 'needs-edit' ? Outcomes.rejected(outcome.message, outcome.erp) : outcome),
    });
    await withHarness(rigid, async (harness) => {
      await expect(CHECKS['duplicate-check-number'].run(harness)).rejects.toThrow(/expected needs-edit/);
    });
  });

  it('throttling: a client that takes a throttle answer for a final refusal', async () => {
    const impatient = broken('gives up when throttled', {
      outcome: (outcome) => (outcome.kind === 'retryable' ? Outcomes.rejected(outcome.message, outcome.erp) : outcome),
    });
    await withHarness(impatient, async (harness) => {
      await expect(CHECKS.throttling.run(harness)).rejects.toThrow(/expected a synced outcome/);
    });
  });

  it('throttling: an OAuth-style client whose token fetch rides out 429s but takes the ERP\'s own 429 for a final refusal', async () => {
    // Its first call fetches a "token" (GET /v1/company here), retrying that call itself while it is throttled, as
    // a token helper does; the throttle answers must reach the payment endpoint, where this client gives up.
    let token: Promise<void> | undefined;
    const tokenFirst = (http: HttpClient): HttpClient => async (request) => {
      token ??= (async () => {
        for (let tries = 0; tries < 10; tries += 1) {
          const answer = await http({ method: 'GET', url: request.url.replace(/\/v1\/.*$/, '/v1/company'), headers: request.headers ?? {} });
          if (answer.status !== 429) return;
        }
      })();
      await token;
      return http(request);
    };
    const oauthLike = broken('OAuth-style, gives up on the ERP\'s 429', {
      http: tokenFirst,
      outcome: (outcome) => (outcome.kind === 'retryable' && outcome.reason === 'throttled' ? Outcomes.rejected(outcome.message, outcome.erp) : outcome),
    });
    await withHarness(oauthLike, async (harness) => {
      await expect(CHECKS.throttling.run(harness)).rejects.toThrow(/expected a synced outcome/);
    });
  });

  it('lookup-is-this-payment: a lookup on vendor, bank and check number alone settles B against A (issue 11)', async () => {
    const loose = defineConnector({
      manifest: { ...exampleConnector.manifest, displayName: 'Example ERP (lookup by natural key only)' },
      capabilities: exampleConnector.capabilities,
      configSchema: exampleConnector.configSchema,
      mapping: exampleConnector.mapping,
      createClient(context: ClientContext<ExampleConfig>) {
        const client = createExampleClient(context);
        const exporter = client.payments.exporter;
        if (exporter === undefined) return client;
        const { baseUrl, apiKey } = context.config;
        // The Example ERP's lookup as it was: the first payment with the check number on the bank, to the vendor.
        const find = async (item: { payload: Record<string, unknown> }) => {
          const { bankAccountId = '', checkNumber = '', vendorId = '' } = item.payload as Record<string, string | undefined>;
          const query = new URLSearchParams({ bankAccountId, checkNumber, vendorId }).toString();
          const response = await context.http({ method: 'GET', url: `${baseUrl}/v1/payments?${query}`, headers: { authorization: `Bearer ${apiKey}` } });
          const id = (JSON.parse(response.body) as { data: { id: string }[] }).data[0]?.id;
          return id === undefined ? null : Outcomes.synced(id, { replayed: true });
        };
        return { ...client, payments: { ...client.payments, exporter: { load: exporter.load, find } } };
      },
    });
    await withHarness(loose, async (harness) => {
      await expect(CHECKS['lookup-is-this-payment'].run(harness)).rejects.toThrow(/must not settle it against A/);
    });
  });

  it('a failed export: the checks that stand on it report "blocked by export"; config and import still run', async () => {
    const misdated = broken('sends the wrong date', { http: rewriteBody((body) => ({ ...body, date: '2001-01-01' })) });
    await withHarness(misdated, async (harness) => {
      const gate = new ExportGate();
      await expect(gate.guard('export', CHECKS.export.run)(harness)).rejects.toThrow(/field by field/);
      for (const check of ['duplicate-check-number', 'unknown-bank', 'unknown-bill', 'throttling', 'rate-limit', 'commit-then-drop', 'special-characters'] as const) {
        await expect(gate.guard(check, CHECKS[check].run)(harness), check).rejects.toThrow(/^blocked by export: the export check failed, so .* fix export first \(it failed with: .*field by field/);
      }
      await gate.guard('import', CHECKS.import.run)(harness);
      await gate.guard('config', CHECKS.config.run)(harness);
    });
  });

  it('a passing export lets its dependents run (the gate blocks nothing)', async () => {
    await withHarness(exampleConnector, async (harness) => {
      const gate = new ExportGate();
      await gate.guard('export', CHECKS.export.run)(harness);
      await gate.guard('unknown-bill', CHECKS['unknown-bill'].run)(harness);
    });
  });

  it('special-characters: a client that HTML-escapes the notes', async () => {
    const escaping = broken('escapes notes', {
      http: rewriteBody((body) => ({ ...body, memo: String(body.memo).replaceAll('&', '&amp;').replaceAll('<', '&lt;') })),
    });
    await withHarness(escaping, async (harness) => {
      await expect(CHECKS['special-characters'].run(harness)).rejects.toThrow(/character for character/);
    });
  });

  it('export: a mapping that sends the wrong date (the connector says it maps Date Paid)', async () => {
    await withHarness(
      exampleConnector,
      async (harness) => {
        await expect(CHECKS.export.run(harness)).rejects.toThrow(/field by field/);
      },
      { exportDate: 'paidOn' },
    );
  });

  it('requisition-commit-then-drop: a client that posts the bill again after a lost answer', async () => {
    // It forgets the idempotency key and, when the ERP answers that the number is taken, posts again with a
    // suffixed number (a way people dodge a duplicate error): the retry lands a second bill for the vendor.
    const seen = new Set<string>();
    const reposting = broken('posts bills twice', {
      http: (http) => async (request) => {
        if (request.method !== 'POST' || !request.url.endsWith('/v1/bills') || request.body === undefined) return http(request);
        const { 'idempotency-key': key = '', ...headers } = request.headers ?? {};
        const body = JSON.parse(request.body) as Record<string, unknown>;
        const again = seen.has(key);
        seen.add(key);
        return http({ ...request, headers, body: JSON.stringify(again ? { ...body, number: `${String(body.number)}-R` } : body) });
      },
    });
    await withHarness(reposting, async (harness) => {
      await expect(CHECKS['requisition-commit-then-drop'].run(harness)).rejects.toThrow(/exactly one bill for the vendor/);
    });
  });

  it('requisition-export: a client that reports a bill synced with a blank id', async () => {
    const blank = broken('blank bill ids', { outcome: (outcome) => (outcome.kind === 'synced' ? { ...outcome, erpId: '' } : outcome) });
    await withHarness(blank, async (harness) => {
      await expect(CHECKS['requisition-export'].run(harness)).rejects.toThrow(/requisition export: expected a synced outcome/);
    });
  });

  it('vendor-import: a sandbox without addVendor fails saying what to add', async () => {
    const bare = async () => {
      const sandbox = await startExampleSandbox();
      return { ...sandbox, addVendor: undefined, close: () => sandbox.close() };
    };
    const harness = new Harness(exampleConnector, {
      startSandbox: bare,
      config: (sandbox) => ({ baseUrl: sandbox.url, apiKey: EXAMPLE_API_KEY }),
      invalidConfig: { config: () => ({}), field: 'baseUrl' },
      fixtures: {},
    }) as unknown as Harness<unknown>;
    await harness.start();
    try {
      await expect(CHECKS['vendor-import'].run(harness)).rejects.toThrow(/declares vendor import, so its sandbox must offer addVendor\(\)/);
    } finally {
      await harness.stop();
    }
  });

  it('a stale skip: every not-applicable proof fails against the Example ERP, which does all of it', async () => {
    await withHarness(exampleConnector, async (harness) => {
      const skippable = Object.entries(CHECKS).filter(([, definition]) => definition.lacks !== undefined);
      expect(skippable.map(([check]) => check).sort()).toEqual(
        ['duplicate-check-number', 'special-characters', 'throttling', 'unknown-bank', 'unknown-bill', 'unknown-vendor'].sort(),
      );
      for (const [check, definition] of skippable) {
        await expect(definition.lacks?.(harness), `${check} skipped as not applicable`).rejects.toThrow(/not applicable/);
      }
    });
  });
});
