import { assertCompatible, ErrorCodes, isLedgerlinkError, LedgerlinkError, type Connector, type HubConnector } from '@ledgerlink/core';
import { importPluginModule } from './plugin-module.js';

/** A connector the runner can run: an ERP connector, or the hub's. */
export type AnyConnector = Connector | HubConnector;

export function isHubConnector(connector: AnyConnector): connector is HubConnector {
  return (connector as HubConnector).role === 'hub';
}

/**
 * The connectors this runner knows, by id: checked once, when the runner starts, for the contract and core
 * range they were built for, and for ids used twice.
 */
export class ConnectorRegistry {
  readonly #byId = new Map<string, AnyConnector>();

  constructor(connectors: readonly AnyConnector[]) {
    for (const connector of connectors) {
      assertCompatible(connector);
      const id = connector.manifest.id;
      const existing = this.#byId.get(id);
      // The same object twice (a package exporting its connector both named and default, or named twice) is one connector.
      if (existing === connector) continue;
      if (existing !== undefined) {
        throw new LedgerlinkError(
          ErrorCodes.PLUGIN_INVALID,
          `two connectors claim the id "${id}" (${existing.manifest.displayName} ${existing.manifest.version} and ` +
            `${connector.manifest.displayName} ${connector.manifest.version}); remove one from plugins:`,
        );
      }
      this.#byId.set(id, connector);
    }
  }

  /** The ERP connector `id`, or a coded error listing the ids there are. */
  erp(id: string): Connector {
    const connector = this.#byId.get(id);
    if (connector === undefined || isHubConnector(connector)) {
      throw new LedgerlinkError(ErrorCodes.PLUGIN_INVALID, `no ERP connector "${id}"; known: ${this.erpIds().join(', ')}. Install its package and name it under plugins:`);
    }
    return connector;
  }

  /** The hub connector `id`, or a coded error. */
  hub(id: string): HubConnector {
    const connector = this.#byId.get(id);
    if (connector === undefined || !isHubConnector(connector)) {
      const hubs = this.list().filter(isHubConnector).map((c) => c.manifest.id);
      throw new LedgerlinkError(ErrorCodes.PLUGIN_INVALID, `no hub connector "${id}"; known: ${hubs.join(', ') || '(none)'}`);
    }
    return connector;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  erpIds(): string[] {
    return this.list()
      .filter((connector) => !isHubConnector(connector))
      .map((connector) => connector.manifest.id);
  }

  list(): AnyConnector[] {
    return [...this.#byId.values()].sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
  }

  /** The ERP connectors as the DI token `connectors` carries them. */
  erpMap(): ReadonlyMap<string, Connector> {
    return new Map(this.erpIds().map((id) => [id, this.erp(id)]));
  }
}

function looksLikeConnector(value: unknown): value is AnyConnector {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<Connector & HubConnector>;
  return (
    typeof candidate.manifest === 'object' &&
    typeof candidate.capabilities === 'object' &&
    (typeof candidate.createClient === 'function' || typeof candidate.createHubClient === 'function')
  );
}

/**
 * Loads the connectors of the packages named under `plugins:`: each package's exported connector values, an
 * object exported under several names (named and default) counted once. An entry is an npm package name,
 * imported from the runner's own location (install it beside the runner), or a path to a package folder
 * (`./plugins/xero`, relative to the config file through `resolvePath`). A package that cannot be imported or
 * exports none is a coded error naming it.
 */
export async function loadPluginConnectors(
  names: readonly string[],
  importer: (name: string) => Promise<Record<string, unknown>> = (name) => importPluginModule(name, '.'),
  resolvePath: (path: string) => string = (path) => path,
): Promise<AnyConnector[]> {
  const found: AnyConnector[] = [];
  for (const name of names) {
    let module: Record<string, unknown>;
    try {
      module = await importer(isPathEntry(name) ? resolvePath(name) : name);
    } catch (error) {
      if (isLedgerlinkError(error)) throw error;
      throw new LedgerlinkError(
        ErrorCodes.PLUGIN_INVALID,
        `plugin "${name}" cannot be loaded: ${(error as Error).message}. Install it beside the runner (npm install ${name})`,
        { cause: error },
      );
    }
    const connectors = [...new Set(Object.values(module).filter(looksLikeConnector))];
    if (connectors.length === 0) {
      throw new LedgerlinkError(ErrorCodes.PLUGIN_INVALID, `plugin "${name}" exports no connector (a value made with defineConnector)`);
    }
    found.push(...connectors);
  }
  return found;
}

/** A `plugins:` entry that is a path to a package folder rather than a package name. */
export function isPathEntry(entry: string): boolean {
  return entry.startsWith('./') || entry.startsWith('../') || entry.startsWith('/');
}
