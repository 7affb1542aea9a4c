#!/usr/bin/env node
// The `ledgerlink` command. npm links a package's bin at install time, before anything is built, so this file is
// plain JavaScript that always exists. In the workspace (a clone, right after `npm ci`) it runs the CLI from its
// TypeScript sources through tsx, so a stale or missing dist/ never matters; an installed package runs dist/cli.js.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(packageDir, 'src', 'cli.ts');
const built = join(packageDir, 'dist', 'cli.js');

function tsxLoader() {
  try {
    return createRequire(join(packageDir, 'package.json')).resolve('tsx');
  } catch {
    return undefined;
  }
}

const inWorkspace = !packageDir.split(sep).includes('node_modules');
const loader = inWorkspace && existsSync(source) ? tsxLoader() : undefined;

if (loader !== undefined) {
  const child = spawn(process.execPath, ['--import', pathToFileURL(loader).href, '--conditions=source', source, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: join(packageDir, 'tsconfig.json') },
  });
  // The daemon stops gracefully on SIGTERM/SIGINT: pass them on, and exit as the CLI did.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  process.stderr.write(`ledgerlink: neither ${built} nor tsx to run ${source} from source: run npm run build (or npm ci in the workspace)\n`);
  process.exit(1);
}
