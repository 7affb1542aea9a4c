import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCodes, LedgerlinkError } from '@ledgerlink/core';
import { buildFiles, conformanceTest, indexSource, namesFor, packageJson, readme, renameExample } from './connector-template.js';
import { UsageError, type CliIo } from './io.js';

export const NEW_USAGE = `  ledgerlink new connector ID [--dir packages] [--name @scope/pkg] [--display-name NAME]
                                                    a new connector package from the testkit's Example ERP`;

/** What the generator writes: one complete connector package. */
export interface NewConnectorOptions {
  /** The manifest id, lower-case kebab-case (`xero`). */
  id: string;
  /** The folder the package folder `connector-<id>` goes in. */
  dir: string;
  /** The npm package name; default `@ledgerlink/connector-<id>`. */
  packageName?: string;
  /** The name shown to people; default the id in title case. */
  displayName?: string;
  /** Where the Example ERP template is; default the installed `@ledgerlink/connector-testkit`'s. */
  templateDir?: string;
}

/** `ledgerlink new connector ID`: writes the package and says what to do next. */
export function newCommand(args: string[], io: CliIo): number {
  const [kind, ...rest] = args;
  if (kind !== 'connector') throw new UsageError(`new takes "connector": ledgerlink new connector ID\n${NEW_USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { dir: { type: 'string', default: 'packages' }, name: { type: 'string' }, 'display-name': { type: 'string' } },
  });
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new UsageError(`new connector takes one ID, e.g. ledgerlink new connector xero\n${NEW_USAGE}`);
  const written = generateConnector({
    id,
    dir: resolve(io.cwd, values.dir),
    ...(values.name === undefined ? {} : { packageName: values.name }),
    ...(values['display-name'] === undefined ? {} : { displayName: values['display-name'] }),
  });
  const shown = relative(io.cwd, written.dir) || '.';
  io.out(`wrote ${written.packageName} in ${shown}/ (${written.files.length} files):`);
  for (const file of written.files) io.out(`  ${file}`);
  io.out(
    `next:\n  npm install                          # links the package into the workspace\n` +
      `  cd ${shown} && npx vitest run       # the conformance kit against its sandbox: green from the start\n` +
      `then make the client, sandbox and mapping.yaml speak your ERP's wire format (docs/writing-a-connector.md).`,
  );
  return 0;
}

/** The package written: its folder, name and files (relative paths). */
export interface GeneratedConnector {
  dir: string;
  packageName: string;
  files: string[];
}

const ID = /^[a-z][a-z0-9-]*$/;

/**
 * Writes `connector-<id>/` from the Example ERP in `@ledgerlink/connector-testkit` (its `test/example/`): the
 * template the kit itself proves green, renamed to the new id. Refuses a folder that exists, so nothing is
 * overwritten.
 */
export function generateConnector(options: NewConnectorOptions): GeneratedConnector {
  if (!ID.test(options.id)) {
    throw new LedgerlinkError(ErrorCodes.CONFIG_INVALID, `connector id "${options.id}" must be lower-case kebab-case, starting with a letter (e.g. "xero")`);
  }
  const names = namesFor(options.id, options.displayName);
  const packageName = options.packageName ?? `@ledgerlink/connector-${options.id}`;
  const dir = join(options.dir, `connector-${options.id}`);
  if (existsSync(dir)) throw new LedgerlinkError(ErrorCodes.CONFIG_INVALID, `${dir} already exists: choose another --dir or id`);
  const kit = testkit();
  const template = options.templateDir ?? join(kit.dir, 'test', 'example');
  const read = (file: string): string => readFileSync(join(template, file), 'utf8');
  const rename = (text: string): string => renameExample(text, names);
  const workspace = findWorkspace(options.dir);

  const files = new Map<string, string>();
  files.set('package.json', packageJson(packageName, names, kit.version, workspace !== undefined));
  files.set('src/index.ts', indexSource(rename(read('connector.ts'))));
  files.set('src/config.ts', rename(read('config.ts')));
  files.set('src/client.ts', rename(read('client.ts')));
  files.set('src/answers.ts', rename(read('answers.ts')));
  files.set('src/sandbox/index.ts', rename(read('sandbox/index.ts')));
  files.set('src/sandbox/company.ts', rename(read('sandbox/company.ts')).replace('(test/example/README.md)', '(README.md)'));
  files.set('mapping.yaml', rename(read('mapping.yaml')));
  files.set('test/conformance.test.ts', conformanceTest(rename(read('../conformance.test.ts'))));
  files.set('README.md', readme(packageName, names, rename(read('README.md'))));
  files.set('CHANGELOG.md', `# Changelog\n\n## 0.1.0\n\n- First version, generated from the Example ERP template by \`ledgerlink new connector ${options.id}\`.\n`);
  for (const [file, text] of Object.entries(buildFiles(dir, workspace))) files.set(file, text);

  for (const [file, text] of files) {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { dir, packageName, files: [...files.keys()] };
}

/** The installed testkit: its folder (the Example ERP ships in it, for this generator) and version. */
function testkit(): { dir: string; version: string } {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('@ledgerlink/connector-testkit/package.json');
  } catch (error) {
    throw new LedgerlinkError(
      ErrorCodes.PLUGIN_INVALID,
      'the generator copies the Example ERP from @ledgerlink/connector-testkit, which is not installed: npm install -D @ledgerlink/connector-testkit',
      { cause: error },
    );
  }
  return { dir: dirname(manifest), version: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version };
}

/** The nearest folder above `from` with tsconfig.base.json and vitest.shared.ts: a ledgerlink workspace root. */
function findWorkspace(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.base.json')) && existsSync(join(dir, 'vitest.shared.ts'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
