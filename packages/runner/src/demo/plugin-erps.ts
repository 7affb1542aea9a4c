import { isHubConnector, loadPluginConnectors } from '../plugins/connector-registry.js';
import { loadPluginSandbox } from '../plugins/plugin-sandbox.js';
import type { DemoErp } from './demo-erps.js';

/** A demo tenant of a plugin's ERP: its id and its hub company. */
export interface PluginTenant {
  tenant: string;
  companyId: number;
}

/**
 * The demo's view of each plugin in `entries`: its sandbox (the `./sandbox` export), a hub company per tenant, and
 * the conformance kit's default id styles (`V1`, `BANK1`, `1001`). Without a config to name them, each plugin
 * connector gets one tenant `demo-<id>` on hub company 6001, 6002, ….
 */
export async function pluginDemoErps(
  entries: readonly string[],
  resolvePath: (path: string) => string,
  tenantsFor: (erp: string, index: number) => PluginTenant[] = (erp, index) => [{ tenant: `demo-${erp}`, companyId: 6001 + index }],
): Promise<DemoErp[]> {
  const erps: DemoErp[] = [];
  for (const [index, entry] of entries.entries()) {
    const connectors = (await loadPluginConnectors([entry], undefined, resolvePath)).filter((connector) => !isHubConnector(connector));
    const start = await loadPluginSandbox(entry, resolvePath);
    for (const connector of connectors) {
      const id = connector.manifest.id;
      for (const { tenant, companyId } of tenantsFor(id, index)) {
        erps.push({
          tenant,
          erp: id,
          companyId,
          start: () => start(),
          env: (sandbox) => ({ [pluginUrlVariable(id)]: sandbox.url }),
          vendorId: (n) => `V${n}`,
          bankId: (n) => `BANK${n}`,
          billId: (n) => String(1000 + n),
        });
      }
    }
  }
  return erps;
}

/** The variable a demo config reads a plugin sandbox's URL from: `DEMO_<ID>_URL`. */
export function pluginUrlVariable(id: string): string {
  return `DEMO_${id.toUpperCase().replaceAll('-', '_')}_URL`;
}
