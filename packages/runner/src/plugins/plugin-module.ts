import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, LedgerlinkError } from '@ledgerlink/core';

type ExportTarget = string | { source?: string; default?: string; import?: string } | undefined;

/**
 * Imports one entry point (`.` or `./sandbox`) of a plugin package. A package name goes through Node's own
 * resolution from the runner's location (the package's `exports`, with the `source` condition when the runner
 * itself runs from source). A package folder (an absolute path) is read here: its `exports` target for that
 * entry, the built file when it exists, else the `source` one (a plugin being written, run through tsx or vitest).
 */
export async function importPluginModule(entry: string, subpath: '.' | './sandbox'): Promise<Record<string, unknown>> {
  if (!isAbsolute(entry)) return (await import(subpath === '.' ? entry : `${entry}/${subpath.slice(2)}`)) as Record<string, unknown>;
  const manifestPath = join(entry, 'package.json');
  if (!existsSync(manifestPath)) {
    throw new LedgerlinkError(ErrorCodes.PLUGIN_INVALID, `plugin folder ${entry} has no package.json: name a connector package's folder`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, ExportTarget> };
  const target = manifest.exports?.[subpath];
  const candidates = typeof target === 'string' ? [target] : [target?.default, target?.import, target?.source];
  const file = candidates.filter((candidate): candidate is string => candidate !== undefined).map((candidate) => join(entry, candidate)).find(existsSync);
  if (file === undefined) {
    throw new LedgerlinkError(
      ErrorCodes.PLUGIN_INVALID,
      `plugin folder ${entry}: package.json exports no "${subpath}" that exists (build it, or give the entry a "source" file)`,
    );
  }
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
