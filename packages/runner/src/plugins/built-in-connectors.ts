import { acumaticaConnector } from '@ledgerlink/connector-acumatica';
import { intacctConnector } from '@ledgerlink/connector-intacct';
import { procoreConnector } from '@ledgerlink/connector-procore';
import { qbdConnector } from '@ledgerlink/connector-qbd';
import { qboConnector } from '@ledgerlink/connector-qbo';
import { sage300Connector } from '@ledgerlink/connector-sage300';
import { vistaConnector } from '@ledgerlink/connector-vista';
import { yardiConnector } from '@ledgerlink/connector-yardi';
import type { Connector, HubConnector } from '@ledgerlink/core';

/**
 * The composition root's list of the connectors that ship with the runner: named here, once, explicitly. A
 * third-party connector is installed with npm and named under `plugins:` in the config; nothing is scanned and
 * nothing registers itself on import.
 */
export const BUILT_IN_CONNECTORS: readonly (Connector | HubConnector)[] = [
  procoreConnector as HubConnector,
  intacctConnector as Connector,
  qboConnector as Connector,
  qbdConnector as Connector,
  sage300Connector as Connector,
  vistaConnector as Connector,
  acumaticaConnector as Connector,
  yardiConnector as Connector,
];
