/**
 * The multi-replica harness's processes, bundled once per test process: the `ledgerlink` CLI (`src/cli.ts`) and the
 * sandbox host, each one plain ESM file built with esbuild from the workspace's TypeScript sources. A scenario starts
 * five of them or more (three replicas, `procore connect`, the host, and every supervisor restart); through the bin
 * each one is a wrapper process plus a tsx-loaded child that compiles and resolves some hundred modules on every start
 * (about 3.5 s of CPU, against about 1.2 s from a bundle), which on a 2-core machine is most of what a scenario's
 * world waits for.
 *
 * Same code, same module semantics as under tsx (both are esbuild transforms of the same sources, with the `source`
 * condition for the workspace packages): only the workspace is bundled; every npm package stays external, imported
 * from the absolute path it resolves to where it is imported, so native modules and per-package versions (core's own
 * `yaml`) are what the workspace runs. `import.meta.url` and `import.meta.dirname` keep naming each source file, so
 * what a module reads beside itself (a connector's `mapping.yaml`, a `package.json`) is found as from its source.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
const BUILTINS = new Set(builtinModules);

/** Bundles the workspace's modules, leaves npm packages external (absolute paths), and keeps each file's own URL. */
const workspaceOnly: Plugin = {
  name: 'ledgerlink-workspace-only',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, async (args) => {
      // The workspace's packages are bundled from their sources (the `source` condition); a second pass resolves as usual.
      if (args.path.startsWith('@ledgerlink/') || args.pluginData === 'resolving') return undefined;
      if (args.path.startsWith('node:') || BUILTINS.has(args.path)) return { path: args.path, external: true };
      const resolved = await builder.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, external: true };
    });
    builder.onLoad({ filter: /\.ts$/ }, (args) => {
      // `import.meta.url` is defined as `__llFileUrl` (below), which each module declares for itself: esbuild binds
      // the define per module and renames the declarations apart, so every module keeps its own URL.
      const source = readFileSync(args.path, 'utf8').replace(/^#!.*/, '');
      const prelude = `const __llFileUrl = ${JSON.stringify(pathToFileURL(args.path).href)}; const __llDirname = ${JSON.stringify(dirname(args.path))};`;
      return { contents: `${prelude}\n${source}`, loader: 'ts' };
    });
  },
};

/** The bundled entry points, by name. */
export interface Bundles {
  /** `node <cli> run --config …`: the `ledgerlink` command. */
  cli: string;
  /** The sandbox host (`sandbox-host.ts`), to `fork`. */
  sandboxHost: string;
}

let built: Promise<Bundles> | undefined;
let builtDir: string | undefined;

/**
 * Removes the bundles (a test file's afterAll): vitest may end its worker without the process's 'exit' event, so
 * that hook alone left a directory per run behind. The next `harnessBundles()` builds them again.
 */
export function removeHarnessBundles(): void {
  if (builtDir !== undefined) rmSync(builtDir, { recursive: true, force: true });
  builtDir = undefined;
  built = undefined;
}

/**
 * Builds both bundles into a temporary directory on first call (about a second) and returns their paths; later
 * calls return the same files. The directory is removed by `removeHarnessBundles`, or when the process exits.
 */
export function harnessBundles(): Promise<Bundles> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-replicas-bundle-'));
    builtDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const entries = { cli: join(PACKAGE_DIR, 'src', 'cli.ts'), sandboxHost: fileURLToPath(new URL('./sandbox-host.ts', import.meta.url)) };
    await build({
      entryPoints: Object.entries(entries).map(([out, input]) => ({ in: input, out })),
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      tsconfig: join(PACKAGE_DIR, 'tsconfig.json'),
      define: { 'import.meta.url': '__llFileUrl', 'import.meta.dirname': '__llDirname' },
      plugins: [workspaceOnly],
      // esbuild hoists the npm imports of every bundled module to the bundle's top, those of the modules the CLI loads
      // on demand first: reflect-metadata, which tsyringe needs loaded before it, goes before all of them.
      banner: { js: `import ${JSON.stringify(createRequire(join(PACKAGE_DIR, 'package.json')).resolve('reflect-metadata'))};` },
      logLevel: 'silent',
    });
    return { cli: join(dir, 'cli.mjs'), sandboxHost: join(dir, 'sandboxHost.mjs') };
  })();
  // A failed build is not kept: the next scenario tries again and reports its own error.
  built.catch(() => {
    built = undefined;
  });
  return built;
}
