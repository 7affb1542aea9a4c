import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { CORE_VERSION, ErrorCodes, LedgerlinkError } from '@ledgerlink/core';
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

interface Names {
  id: string;
  display: string;
  pascal: string;
  camel: string;
  upper: string;
}

function namesFor(id: string, displayName: string | undefined): Names {
  const words = id.split('-').filter((word) => word !== '');
  const pascal = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  return {
    id,
    display: displayName ?? words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join(' '),
    pascal,
    camel: pascal[0]!.toLowerCase() + pascal.slice(1),
    upper: words.map((word) => word.toUpperCase()).join('_'),
  };
}

/** The Example ERP's names, most specific first, become the new connector's. */
function renameExample(text: string, names: Names): string {
  return text
    .replaceAll('Example ERP', names.display)
    .replaceAll('example-erp', names.id)
    .replaceAll('EXAMPLE_ERP', names.upper)
    .replaceAll('EXAMPLE', names.upper)
    .replaceAll('Example', names.pascal)
    .replaceAll('example', names.camel);
}

/** The template's manifest, with its version read from package.json and its mapping at the package root. */
function indexSource(connector: string): string {
  const versionLine = /\/\*\* A real connector package exports this[^\n]*\n(export const VERSION = '[^']*';)/;
  const mappingPath = "new URL('./mapping.yaml', import.meta.url)";
  if (!versionLine.test(connector) || !connector.includes(mappingPath)) {
    throw new LedgerlinkError(ErrorCodes.PLUGIN_INVALID, 'the Example ERP template changed shape (VERSION or mapping path); update the generator beside it');
  }
  return connector
    .replace(
      "import { fileURLToPath } from 'node:url';",
      "import { createRequire } from 'node:module';\nimport { fileURLToPath } from 'node:url';",
    )
    .replace(
      versionLine,
      [
        '/** package.json, the one source of the version: read at run time, from src/ and dist/ alike. */',
        "const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };",
        '',
        '/** This package\'s version, shown by `ledgerlink connectors`. */',
        'export const VERSION: string = packageJson.version;',
      ].join('\n'),
    )
    .replace(mappingPath, "new URL('../mapping.yaml', import.meta.url)");
}

function conformanceTest(test: string): string {
  const moves: [string, string][] = [
    ["from '../src/index.js'", "from '@ledgerlink/connector-testkit'"],
    ["/connector.js'", "/index.js'"],
  ];
  let out = test;
  for (const [from, to] of moves) out = out.replace(from, to);
  out = out.replace(/from '\.\/\w+\/(index|sandbox\/index)\.js'/g, (_match, file: string) => `from '../src/${file}.js'`);
  if (/from '\.\.?\/(?!src\/)/.test(out)) {
    throw new LedgerlinkError(ErrorCodes.PLUGIN_INVALID, 'the Example ERP conformance test changed its imports; update the generator beside it');
  }
  return out;
}

function packageJson(packageName: string, names: Names, kitVersion: string, inWorkspace: boolean): string {
  const coreRange = `^${CORE_VERSION}`;
  const manifest = {
    name: packageName,
    version: '0.1.0',
    description: `ledgerlink connector for ${names.display}`,
    type: 'module',
    engines: { node: '>=20.19' },
    exports: {
      '.': { source: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
      './sandbox': { source: './src/sandbox/index.ts', types: './dist/sandbox/index.d.ts', default: './dist/sandbox/index.js' },
    },
    files: ['dist', 'src', 'mapping.yaml', 'README.md', 'CHANGELOG.md'],
    // core is a peer: the runner's one copy is the one the plugin's errors and contract checks must share.
    peerDependencies: { '@ledgerlink/core': coreRange },
    dependencies: { zod: '^4.1.0' },
    devDependencies: {
      '@ledgerlink/core': coreRange,
      '@ledgerlink/connector-testkit': `^${kitVersion}`,
      ...(inWorkspace ? {} : { typescript: '~5.9.3', vitest: '^4.1.0', '@types/node': '^20.19.0' }),
    },
    nx: { tags: ['scope:connector'] },
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc -p tsconfig.json',
      ...(inWorkspace ? { lint: 'eslint src test --no-warn-ignored' } : {}),
      test: 'vitest run',
    },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** tsconfig and vitest config: the workspace's shared ones when the package is inside a ledgerlink workspace. */
function buildFiles(dir: string, workspace: string | undefined): Record<string, string> {
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  if (workspace !== undefined) {
    const up = relative(dir, workspace).split(sep).join('/');
    return {
      'tsconfig.json': json({ extends: `${up}/tsconfig.base.json`, compilerOptions: { noEmit: true }, include: ['src', 'test', '*.ts'] }),
      'tsconfig.build.json': json({
        extends: `${up}/tsconfig.base.json`,
        compilerOptions: { outDir: 'dist', rootDir: 'src', customConditions: [], noEmit: false },
        include: ['src'],
      }),
      'vitest.config.ts': `import { packageTestConfig } from '${up}/vitest.shared.js';\n\nexport default packageTestConfig();\n`,
    };
  }
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    declaration: true,
    sourceMap: true,
  };
  return {
    'tsconfig.json': json({ compilerOptions: { ...compilerOptions, noEmit: true }, include: ['src', 'test', '*.ts'] }),
    'tsconfig.build.json': json({ compilerOptions: { ...compilerOptions, outDir: 'dist', rootDir: 'src' }, include: ['src'] }),
    'vitest.config.ts': "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({ test: { include: ['test/**/*.test.ts'] } });\n",
  };
}

function readme(packageName: string, names: Names, exampleReadme: string): string {
  const wire = exampleReadme.slice(exampleReadme.indexOf(`## The ${names.display}'s wire format`));
  return `# ${packageName}

A ledgerlink connector for ${names.display}, generated from the testkit's Example ERP by
\`ledgerlink new connector ${names.id}\`. It passes the conformance kit as generated; it speaks the Example ERP's
wire format (below) until you change it.

## Make it yours

1. Write down ${names.display}'s wire format below, from its vendor docs (requests, answers, error codes, limits).
2. Make \`src/sandbox/\` answer exactly that, from the docs, not from your client.
3. Make \`src/client.ts\` and \`src/answers.ts\` speak it: every call through \`context.http\`, every answer an outcome
   that keeps the ERP's own code and text.
4. Map the fields in \`mapping.yaml\` (\`npx ledgerlink mapping check mapping.yaml\`).
5. Declare what the ERP really does in \`src/index.ts\` (capabilities, rate limit, idempotency).
6. \`npx vitest run\`: the kit says which promise is broken, by name.

See \`docs/writing-a-connector.md\` in the ledgerlink repository for every contract type.

## Connection

\`\`\`yaml
plugins: [${packageName}]
tenants:
  - id: acme-${names.id}
    erp: ${names.id}
    hubCompanyId: "4264"
    connection: { baseUrl: https://api.${names.id}.test, apiKey: \${env:${names.upper}_API_KEY} }
\`\`\`

${wire}`;
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
