import { relative, sep } from 'node:path';
import { CORE_VERSION, ErrorCodes, LedgerlinkError } from '@ledgerlink/core';

/**
 * The files of a generated connector package, made from the Example ERP's: its names replaced, its version
 * moved into package.json, its imports pointed at the package layout.
 */

/** The new connector's names in each case the Example ERP's appear in. */
export interface Names {
  id: string;
  display: string;
  pascal: string;
  camel: string;
  upper: string;
}

/** `acme-books` → display `Acme Books`, `AcmeBooks`, `acmeBooks`, `ACME_BOOKS` (a given display name wins). */
export function namesFor(id: string, displayName: string | undefined): Names {
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
export function renameExample(text: string, names: Names): string {
  return text
    .replaceAll('Example ERP', names.display)
    .replaceAll('example-erp', names.id)
    .replaceAll('EXAMPLE_ERP', names.upper)
    .replaceAll('EXAMPLE', names.upper)
    .replaceAll('Example', names.pascal)
    .replaceAll('example', names.camel);
}

/** The template's manifest, with its version read from package.json and its mapping at the package root. */
export function indexSource(connector: string): string {
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

/** The kit's own conformance test of the Example ERP, importing the kit by name and the connector from `src/`. */
export function conformanceTest(test: string): string {
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

/** package.json: exports with `source`, files with mapping.yaml, core as a peer, the nx tag. */
export function packageJson(packageName: string, names: Names, kitVersion: string, inWorkspace: boolean): string {
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
export function buildFiles(dir: string, workspace: string | undefined): Record<string, string> {
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

/** The README: how to make the package yours, its connection block, and the wire format to rewrite. */
export function readme(packageName: string, names: Names, exampleReadme: string): string {
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
