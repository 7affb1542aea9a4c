import { ErrorCodes, TOKENS, type Connector } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { createProcoreSandbox, type ProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import type { ErpSandbox } from '@ledgerlink/core';
import { createHash } from 'node:crypto';
import { createRootContainer, createTenantScope } from '../src/container.js';
import { validateDeployment } from '../src/config/validate-deployment.js';
import { DEMO_ERPS } from '../src/demo/demo-erps.js';
import { TenantExporter } from '../src/flows/tenant-exporter.js';
import { TenantImporter } from '../src/flows/tenant-importer.js';
import { RunnerEvents } from '../src/events.js';
import { createHubRuntime } from '../src/hub/hub-runtime.js';
import { BUILT_IN_CONNECTORS } from '../src/plugins/built-in-connectors.js';
import { ConnectorRegistry, loadPluginConnectors } from '../src/plugins/connector-registry.js';
import { openStore } from '../src/store/open-store.js';
import { RUNNER_TOKENS } from '../src/tokens.js';
import { silentLogger } from '@ledgerlink/core';

const repo = resolve(import.meta.dirname, '../../..');

describe('the composition root', () => {
  let hub: ProcoreSandbox;
  const sandboxes = new Map<string, ErpSandbox>();

  beforeAll(async () => {
    hub = await createProcoreSandbox();
    for (const erp of DEMO_ERPS) sandboxes.set(erp.tenant, await erp.start());
  });
  afterAll(async () => {
    await hub.close();
    await Promise.all([...sandboxes.values()].map((sandbox) => sandbox.close()));
  });

  it('resolves the whole container: config, store, logger, clock, transport, the hub and one tenant per connector', async () => {
    const env: NodeJS.ProcessEnv = {
      DEMO_PORT: '0',
      DEMO_PROCORE_URL: hub.url,
      DEMO_PROCORE_TOKEN_URL: hub.tokenUrl,
      DEMO_PROCORE_CLIENT_ID: hub.serviceAccount.clientId,
      DEMO_PROCORE_CLIENT_SECRET: hub.serviceAccount.clientSecret,
      DEMO_WEBHOOK_SECRET: 'container-test-secret',
      DEMO_ADMIN_TOKEN_SHA256: createHash('sha256').update('t').digest('hex'),
      ...Object.assign({}, ...DEMO_ERPS.map((erp) => erp.env(sandboxes.get(erp.tenant) as ErpSandbox))),
    };
    const registry = new ConnectorRegistry(BUILT_IN_CONNECTORS);
    const validated = validateDeployment(join(repo, 'examples/demo.yaml'), registry, env);
    if (!validated.ok) throw new Error(validated.problems.map((p) => `${p.line}:${p.col} ${p.path} ${p.message}`).join('\n'));
    const loaded = { ...validated.loaded, config: { ...validated.loaded.config, store: { sqlite: { path: ':memory:' } } } };
    const store = await openStore(loaded, () => new Date());
    const hubConfig = loaded.config.hub!;
    const hubRuntime = createHubRuntime(registry.hub('procore'), { config: hubConfig.connection, logger: silentLogger, now: () => new Date() });
    const root = createRootContainer({
      loaded,
      registry,
      ledger: store.ledger,
      inbox: store.inbox,
      logger: silentLogger,
      clock: () => new Date(),
      hub: hubRuntime,
      events: new RunnerEvents(),
      credentials: (scope) => store.credentials(scope),
    });
    try {
      expect(root.resolve(TOKENS.ledger as symbol)).toBe(store.ledger);
      expect(root.resolve(TOKENS.config as symbol)).toBe(loaded.config);
      expect(typeof root.resolve(TOKENS.clock as symbol)).toBe('function');
      expect(typeof root.resolve(RUNNER_TOKENS.httpTransport as symbol)).toBe('function');
      expect((root.resolve(RUNNER_TOKENS.hub as symbol) as { runtime: unknown }).runtime).toBe(hubRuntime);
      const connectors = root.resolve(TOKENS.connectors as symbol) as ReadonlyMap<string, Connector>;
      expect([...connectors.keys()].sort()).toEqual(['acumatica', 'intacct', 'qbd', 'qbo', 'sage300', 'vista', 'yardi']);

      const scopes = loaded.config.tenants.map((tenant) => createTenantScope(root, tenant, loaded));
      expect(scopes.map((scope) => scope.runtime.connector.manifest.id).sort()).toEqual([...connectors.keys()].sort());
      for (const scope of scopes) {
        // One child container per tenant: its own id, runtime and flows, singletons within it.
        expect(scope.container.resolve(TOKENS.tenant as symbol)).toBe(scope.config.id);
        expect(scope.container.resolve(TOKENS.runtime as symbol)).toBe(scope.runtime);
        expect(scope.container.resolve(TenantExporter)).toBe(scope.exporter);
        expect(scope.container.resolve(TenantImporter)).toBe(scope.importer);
        expect(scope.exporter.tenant).toBe(scope.config.id);
        await scope.runtime.check();
      }
      await Promise.all(scopes.map((scope) => scope.runtime.close()));
    } finally {
      await hubRuntime.close();
      await store.close();
    }
  }, 60_000);

  it('refuses a plugin built for another core, saying which versions fit', async () => {
    const [qbo] = BUILT_IN_CONNECTORS.filter((connector) => connector.manifest.id === 'qbo');
    const alien = { ...qbo, manifest: { ...qbo!.manifest, id: 'acme-erp', version: '2.0.0', coreRange: '^9.0.0' } };
    const plugins = await loadPluginConnectors(['@acme/ledgerlink-erp'], async () => ({ acmeConnector: alien }));
    let error: { code?: string; message?: string } = {};
    try {
      new ConnectorRegistry([...BUILT_IN_CONNECTORS, ...plugins]);
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error.code).toBe(ErrorCodes.PLUGIN_CORE_RANGE);
    expect(error.message).toMatch(/acme-erp@2\.0\.0 needs @ledgerlink\/core \^9\.0\.0, but this is core 0\.1\.0/);
  });

  it('names a plugin that cannot be loaded or exports no connector', async () => {
    await expect(loadPluginConnectors(['@acme/missing'], () => Promise.reject(new Error('Cannot find package')))).rejects.toMatchObject({
      code: ErrorCodes.PLUGIN_INVALID,
      message: expect.stringContaining('npm install @acme/missing'),
    });
    await expect(loadPluginConnectors(['@acme/empty'], async () => ({ helper: () => 1 }))).rejects.toMatchObject({ code: ErrorCodes.PLUGIN_INVALID });
    // Two different objects with one id are refused (the identical object twice is one connector: plugins.test.ts).
    expect(() => new ConnectorRegistry([...BUILT_IN_CONNECTORS, { ...BUILT_IN_CONNECTORS[1]! }])).toThrow(/two connectors claim the id/);
  });
});
