import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The console's script, built from its TypeScript (`src/console/app/`) with esbuild on first request and
 * kept: no build step for tests or `npm start`, and one small file for the browser. From `dist/`, the
 * compiled `app/main.js` is bundled instead.
 */
let built: Promise<string> | undefined;

function entry(): string {
  const candidates = ['./app/main.ts', './app/main.js', '../../src/console/app/main.ts'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new Error(`the console's source is missing (looked for ${candidates.join(', ')}): reinstall @ledgerlink/runner`);
  return found;
}

export function consoleScript(): Promise<string> {
  built ??= build({
    entryPoints: [entry()],
    bundle: true,
    write: false,
    format: 'esm',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((result) => {
    const file = result.outputFiles[0];
    if (file === undefined) throw new Error('esbuild produced no console script');
    return file.text;
  });
  // A failed build is not cached: the next request tries again (and the log says why).
  built.catch(() => {
    built = undefined;
  });
  return built;
}
