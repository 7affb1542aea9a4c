import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { appUrlProblem, QbdConfig, renderQwc } from '@ledgerlink/connector-qbd';
import { formatConfigProblem, loadConfig } from '../config/load-config.js';
import { UsageError, type CliIo } from './io.js';

/** A stable GUID in braces from a name: the same deployment and tenant always give the same OwnerID / FileID. */
function guidFrom(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex').toUpperCase();
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}}`;
}

/**
 * `ledgerlink qbd qwc --config FILE --tenant ID`: prints the .qwc file the customer adds to the QuickBooks Web
 * Connector, from the tenant's connection (listen address, Web Connector user). The Web Connector needs HTTPS
 * for any host but localhost: behind a TLS proxy, give its address with --app-url; a plain http address of
 * another host is refused in one line. The OwnerID is ledgerlink's own (one per application, as Intuit asks);
 * the FileID is stable per tenant and company file.
 */
export function qbdCommand(args: string[], io: CliIo): number {
  const [sub, ...rest] = args;
  if (sub !== 'qwc') throw new UsageError('qbd qwc --config FILE --tenant ID [--app-url URL] [--every SECONDS] [--file-id GUID]');
  const { values } = parseArgs({
    args: rest,
    options: {
      config: { type: 'string' },
      tenant: { type: 'string' },
      'app-url': { type: 'string' },
      every: { type: 'string' },
      'file-id': { type: 'string' },
    },
  });
  if (values.config === undefined || values.tenant === undefined) throw new UsageError('qbd qwc needs --config FILE and --tenant ID');
  const loaded = loadConfig(values.config, io.env);
  if (!loaded.ok) {
    for (const problem of loaded.problems) io.err(formatConfigProblem(problem));
    return 1;
  }
  const tenant = loaded.loaded.config.tenants.find((candidate) => candidate.id === values.tenant);
  if (tenant === undefined || tenant.erp !== 'qbd') {
    io.err(`${values.config}: no QuickBooks Desktop tenant "${values.tenant}" (tenants with erp: qbd: ${loaded.loaded.config.tenants.filter((t) => t.erp === 'qbd').map((t) => t.id).join(', ') || 'none'})`);
    return 1;
  }
  const connection = QbdConfig.safeParse(tenant.connection);
  if (!connection.success) {
    io.err(`${values.config}: tenant ${tenant.id}'s connection is invalid: ${connection.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    return 1;
  }
  const { listen, username } = connection.data;
  const host = listen.host === '0.0.0.0' || listen.host === '127.0.0.1' ? 'localhost' : listen.host;
  const appUrl = values['app-url'] ?? `http://${host}:${listen.port}${listen.path}`;
  const seconds = values.every === undefined ? 60 : Number(values.every);
  if (!Number.isInteger(seconds) || seconds < 1) throw new UsageError('--every takes whole seconds, e.g. 60');
  const urlProblem = appUrlProblem(appUrl);
  if (urlProblem !== null) {
    const hint = values['app-url'] === undefined ? `tenant ${tenant.id} listens on ${appUrl}; ` : '';
    io.err(`${values.config}: cannot write the .qwc: ${hint}${urlProblem}. Put a TLS proxy in front and pass its address: --app-url https://…`);
    return 1;
  }
  const fileId = values['file-id'] ?? guidFrom(`ledgerlink-file:${tenant.id}:${connection.data.companyFile}`);
  let qwc: string;
  try {
    qwc = renderQwc({ appName: `ledgerlink ${tenant.id}`, appUrl, username, fileId, runEveryNSeconds: seconds });
  } catch (error) {
    // renderQwc lists every problem; the CLI says them without a stack trace.
    io.err(`${values.config}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  io.out(qwc);
  return 0;
}
