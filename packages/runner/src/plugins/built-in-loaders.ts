import type { Connector, HubConnector } from '@ledgerlink/core';
import type { AnyConnector } from './connector-registry.js';

/**
 * The connectors that ship with the runner (the same as BUILT_IN_CONNECTORS, in the same order), each loaded when
 * asked for: a one-off command such as `ledgerlink import` loads the ones its config names, not all eight (issue
 * 15: with QuickBooks Online and Procore only, an import starts at 103 MB RSS instead of 117–121 MB).
 */
const LOADERS: readonly (readonly [string, () => Promise<AnyConnector>])[] = [
  ['procore', async () => (await import('@ledgerlink/connector-procore')).procoreConnector as HubConnector],
  ['intacct', async () => (await import('@ledgerlink/connector-intacct')).intacctConnector as Connector],
  ['qbo', async () => (await import('@ledgerlink/connector-qbo')).qboConnector as Connector],
  ['qbd', async () => (await import('@ledgerlink/connector-qbd')).qbdConnector as Connector],
  ['sage300', async () => (await import('@ledgerlink/connector-sage300')).sage300Connector as Connector],
  ['vista', async () => (await import('@ledgerlink/connector-vista')).vistaConnector as Connector],
  ['acumatica', async () => (await import('@ledgerlink/connector-acumatica')).acumaticaConnector as Connector],
  ['yardi', async () => (await import('@ledgerlink/connector-yardi')).yardiConnector as Connector],
];

/**
 * The built-in connectors with the ids `ids`, or all of them without `ids`. An id that is not a built-in one (a
 * plugin's, or a typo) loads them all, so a config naming an unknown connector is told every id there is.
 */
export async function loadBuiltInConnectors(ids?: Iterable<string>): Promise<AnyConnector[]> {
  const wanted = ids === undefined ? undefined : new Set(ids);
  const all = wanted === undefined || [...wanted].some((id) => !LOADERS.some(([builtIn]) => builtIn === id));
  return Promise.all(LOADERS.filter(([id]) => all || wanted.has(id)).map(([, load]) => load()));
}

/** The connector ids a config names: its hub's and each tenant's ERP. */
export function connectorIdsOf(config: { hub?: { connector: string } | undefined; tenants: readonly { erp: string }[] }): string[] {
  return [...(config.hub === undefined ? [] : [config.hub.connector]), ...config.tenants.map((tenant) => tenant.erp)];
}
