import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CONTRACT_VERSION, CORE_VERSION, EDITABLE_FIELDS, isLedgerlinkError, type Actor, type EditableField } from '@ledgerlink/core';
import { formatConfigProblem, loadConfig } from '../config/load-config.js';
import { validateDeployment } from '../config/validate-deployment.js';
import { loadBuiltInConnectors } from '../plugins/built-in-loaders.js';
import { ConnectorRegistry, isHubConnector, loadPluginConnectors } from '../plugins/connector-registry.js';
import { terminalSafe } from './terminal-text.js';
import { UsageError, type CliIo } from './io.js';
import { MAPPING_USAGE, mappingApply, mappingCheck } from './mapping-commands.js';
import { PROCORE_USAGE, procoreCommand } from './procore-command.js';
import { NEW_USAGE, newCommand } from './new-connector-command.js';
import { openForCli } from './open-for-cli.js';

export const USAGE = `ledgerlink — keeps Procore and your ERP in step

  ledgerlink run --config FILE                      run the daemon (SIGTERM/SIGINT stop it gracefully)
  ledgerlink validate FILE                          check a deployment config: exit 0, or FILE:LINE:COL problems
  ledgerlink connectors [--config FILE] [--json]    connectors (built in, and the config's plugins): id, version, contract, capabilities
  ledgerlink failed list --config FILE [--tenant T] [--json]
  ledgerlink failed edit ID --config FILE [--check-number N] [--bank-id B] [--by NAME]
  ledgerlink failed retry ID --config FILE [--by NAME]
  ledgerlink import --tenant T --config FILE        import paid payments from the tenant's ERP now
  ledgerlink sandbox [--url RUNNER_URL] [--fund-every MS] [--plugin PKG]…  start the Procore and ERP sandboxes
                                                    (and each plugin's ./sandbox); prints their env
  ledgerlink ${PROCORE_USAGE}
                                                    set up each tenant's Procore company: ERP connection, hook, trigger
  ledgerlink qbd qwc --config FILE --tenant ID [--app-url URL]   the .qwc file for the QuickBooks Web Connector
  ledgerlink token new                              a new API token and the sha256 the config keeps
  ledgerlink token hash TOKEN                       the sha256 of an existing token
${NEW_USAGE}
${MAPPING_USAGE}`;

/** The CLI: returns the exit code (0 ok, 1 a problem found, 2 a usage mistake). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      // The daemon's server (fastify, the console, the API), the sandboxes and the QuickBooks Desktop .qwc are loaded
      // by the commands that use them only: `ledgerlink import` and the other one-off commands start without them
      // (issue 15: 121 MB resident at the import's start instead of 133–136 MB).
      case 'run':
        return await (await import('./run-command.js')).runCommand(args, io);
      case 'validate':
        return await validate(args, io);
      case 'connectors':
        return await connectors(args, io);
      case 'failed':
        return await failed(args, io);
      case 'import':
        return await importNow(args, io);
      case 'token':
        return token(args, io);
      case 'qbd':
        return (await import('./qbd-command.js')).qbdCommand(args, io);
      case 'procore':
        return await procoreCommand(args, io);
      case 'sandbox':
        return await (await import('./sandbox-command.js')).sandboxCommand(args, io);
      case 'new':
        return newCommand(args, io);
      case 'mapping': {
        const [sub, ...rest] = args;
        if (sub === 'check') return mappingCheck(rest, io);
        if (sub === 'apply') return await mappingApply(rest, io);
        throw new UsageError(`unknown mapping command "${sub ?? ''}"\n${MAPPING_USAGE}`);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (isLedgerlinkError(error)) {
      io.err(`${error.code}: ${error.message}`);
      return 1;
    }
    // node's parseArgs errors carry a code (ERR_PARSE_ARGS_…) besides their message: either one makes it a usage mistake.
    if (error instanceof TypeError && /ERR_PARSE_ARGS|parseArgs|Unknown option|Unexpected argument/i.test(`${(error as { code?: string }).code ?? ''} ${error.message}`)) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

/**
 * The built-in connectors and the config's `plugins:` (none without a config). A config that does not load
 * yet adds none: validateDeployment then reports its problems by position.
 */
async function registryFor(file: string | undefined, env: NodeJS.ProcessEnv): Promise<ConnectorRegistry> {
  const loaded = file === undefined ? undefined : loadConfig(file, env);
  const plugins = loaded?.ok ? await loadPluginConnectors(loaded.loaded.config.plugins, undefined, loaded.loaded.resolvePath) : [];
  return new ConnectorRegistry([...(await loadBuiltInConnectors()), ...plugins]);
}

async function validate(args: string[], io: CliIo): Promise<number> {
  const [file, ...rest] = args.filter((arg) => arg !== '--config');
  if (file === undefined || rest.length > 0) throw new UsageError('validate takes one config FILE');
  const result = validateDeployment(file, await registryFor(file, io.env), io.env);
  if (!result.ok) {
    for (const problem of result.problems) io.err(formatConfigProblem(problem));
    return 1;
  }
  const { tenants, hub } = result.loaded.config;
  io.out(`${file}: ok (${tenants.length} tenant${tenants.length === 1 ? '' : 's'}: ${tenants.map((t) => `${t.id} → ${t.erp}`).join(', ')}${hub ? `; hub ${hub.connector}` : ''})`);
  return 0;
}

async function connectors(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, config: { type: 'string' } } });
  const rows = (await registryFor(values.config, io.env)).list().map((connector) => ({
    id: connector.manifest.id,
    displayName: connector.manifest.displayName,
    version: connector.manifest.version,
    contractVersion: connector.manifest.contractVersion,
    coreRange: connector.manifest.coreRange,
    role: isHubConnector(connector) ? 'hub' : 'erp',
    capabilities: connector.capabilities,
  }));
  if (values.json) {
    io.out(JSON.stringify({ coreVersion: CORE_VERSION, contractVersion: CONTRACT_VERSION, connectors: rows }, null, 2));
    return 0;
  }
  io.out(`core ${CORE_VERSION}, contract ${CONTRACT_VERSION}`);
  for (const row of rows) {
    const caps = row.capabilities;
    const entities = Object.entries(caps.entities)
      .map(([entity, directions]) => `${entity}: ${(directions ?? []).join('+')}`)
      .join(', ');
    const rate = `${caps.rateLimit.requests}/${caps.rateLimit.intervalMs / 1000}s ×${caps.rateLimit.concurrency}`;
    io.out(
      `${row.id.padEnd(10)} ${row.version.padEnd(7)} ${row.contractVersion}  ${row.displayName.padEnd(22)} ${row.role === 'hub' ? 'hub' : entities}; ` +
        `partial ${caps.partialPayments ? 'yes' : 'no'}; batch ${caps.maxBatch}; rate ${rate}; idempotency ${caps.idempotency}${caps.asyncExport ? '; async' : ''}`,
    );
  }
  return 0;
}

async function failed(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      tenant: { type: 'string' },
      json: { type: 'boolean', default: false },
      'check-number': { type: 'string' },
      'bank-id': { type: 'string' },
      by: { type: 'string' },
    },
  });
  if (values.config === undefined) throw new UsageError(`failed ${sub ?? ''} needs --config FILE`);
  const actor: Actor = { kind: 'user', id: values.by ?? `cli:${io.env.USER ?? 'operator'}` };
  const opened = await openForCli(values.config, io, { start: false });
  if (opened === undefined) return 1;
  const { runner } = opened;
  try {
    if (sub === 'list') {
      const page = await runner.ledger.list({ state: 'failed', ...(values.tenant === undefined ? {} : { tenant: values.tenant }), limit: 500 });
      if (values.json) io.out(JSON.stringify(page.items, null, 2));
      else if (page.items.length === 0) io.out('no failed records');
      else {
        for (const item of page.items) {
          const record = item.record as { vendor?: { name?: string }; invoice?: { number?: string }; checkNumber?: string; bankId?: string; amountCents?: number };
          const error = item.lastError;
          // Everything but our own layout comes from the hub or the ERP: escaped, never sent raw to the terminal.
          const t = (value: unknown) => terminalSafe(String(value));
          io.out(
            `${t(item.id)}  ${t(item.tenant)}  ${item.direction} payment ${t(item.sourceId)}  ${t(record.vendor?.name ?? '')}  invoice ${t(record.invoice?.number ?? '?')}  ` +
              `check ${t(record.checkNumber ?? '-')}  bank ${t(record.bankId ?? '-')}\n    ${t(error?.code ?? '')} ${t(error?.message ?? '')}` +
              (error?.erp ? `\n    ERP said: ${error.erp.code ? `[${t(error.erp.code)}] ` : ''}${t(error.erp.message)}` : '') +
              (error?.editableFields?.length ? `\n    editable: ${t(error.editableFields.join(', '))}` : ''),
          );
        }
      }
      return 0;
    }
    const [id] = positionals;
    if (id === undefined) throw new UsageError(`failed ${sub ?? ''} needs a record ID (failed list shows them)`);
    const item = await runner.ledger.get(id);
    if (item === undefined) {
      io.err(`no record ${id}; failed list shows the failed ones`);
      return 1;
    }
    const scope = runner.tenant(item.tenant);
    if (sub === 'edit') {
      const changes: Partial<Record<EditableField, string>> = {};
      if (values['check-number'] !== undefined) changes.checkNumber = values['check-number'];
      if (values['bank-id'] !== undefined) changes.bankId = values['bank-id'];
      if (Object.keys(changes).length === 0) throw new UsageError(`failed edit needs --check-number and/or --bank-id (editable: ${EDITABLE_FIELDS.join(', ')})`);
      const edited = await scope.exporter.edit(id, changes, actor);
      io.out(`${id}: edited (revision ${edited.revision}); export it again with: ledgerlink failed retry ${id} --config ${values.config}`);
      return 0;
    }
    if (sub === 'retry') {
      await scope.exporter.retry(id, actor);
      io.out(`${id}: queued for export again (the running daemon sends it within seconds)`);
      return 0;
    }
    throw new UsageError(`unknown failed command "${sub ?? ''}"`);
  } finally {
    await runner.close();
  }
}

async function importNow(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, tenant: { type: 'string' }, by: { type: 'string' } } });
  if (values.config === undefined || values.tenant === undefined) throw new UsageError('import needs --tenant ID and --config FILE');
  const opened = await openForCli(values.config, io, { start: false });
  if (opened === undefined) return 1;
  try {
    const summary = await opened.runner.tenant(values.tenant).importer.run({ kind: 'user', id: values.by ?? `cli:${io.env.USER ?? 'operator'}` });
    io.out(
      `${values.tenant}: read ${summary.read} final payment(s); ${summary.written} written to Payments Issued, ${summary.alreadyThere} already there, ` +
        `${summary.failed} to retry, ${summary.unmappable} not mappable`,
    );
    for (const error of summary.errors) io.err(`  ${error.recordId ?? ''}: ${error.field}: ${error.message}`);
    if (summary.unmappable > summary.errors.length) io.err(`  and ${summary.unmappable - summary.errors.length} more not mappable (each one is in the log)`);
    return summary.failed > 0 || summary.unmappable > 0 ? 1 : 0;
  } finally {
    await opened.runner.close();
  }
}

function token(args: string[], io: CliIo): number {
  const [sub, value] = args;
  if (sub === 'new') {
    const secret = `llt_${randomBytes(24).toString('base64url')}`;
    io.out(`token:  ${secret}\nsha256: ${createHash('sha256').update(secret).digest('hex')}\n(give the token to its user; put only the sha256 in the config's api.tokens)`);
    return 0;
  }
  if (sub === 'hash' && value !== undefined) {
    io.out(createHash('sha256').update(value).digest('hex'));
    return 0;
  }
  throw new UsageError('token new | token hash TOKEN');
}
