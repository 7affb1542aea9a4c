import type { StartSandbox } from '@ledgerlink/core';
import { ErrorCodes, LedgerlinkError } from '@ledgerlink/core';
import { isPathEntry } from './connector-registry.js';
import { importPluginModule } from './plugin-module.js';

/**
 * A plugin's sandbox, by convention: the package's `./sandbox` export holds a `StartSandbox` (the same contract
 * the conformance kit drives), exported as `startSandbox`, as the default export, or as the one export named
 * `start<Name>Sandbox` (what `ledgerlink new connector` writes). `ledgerlink sandbox --plugin` starts it.
 */
export async function loadPluginSandbox(entry: string, resolvePath: (path: string) => string = (path) => path): Promise<StartSandbox> {
  let module: Record<string, unknown>;
  try {
    module = await importPluginModule(isPathEntry(entry) ? resolvePath(entry) : entry, './sandbox');
  } catch (error) {
    if (error instanceof LedgerlinkError) throw error;
    throw new LedgerlinkError(ErrorCodes.PLUGIN_INVALID, `plugin "${entry}" has no ./sandbox export that loads: ${(error as Error).message}`, { cause: error });
  }
  const named = Object.entries(module).filter(([name, value]) => /^start\w*Sandbox$/.test(name) && typeof value === 'function');
  const start = module.startSandbox ?? module.default ?? (named.length === 1 ? named[0]?.[1] : undefined);
  if (typeof start !== 'function') {
    throw new LedgerlinkError(
      ErrorCodes.PLUGIN_INVALID,
      `plugin "${entry}"'s ./sandbox exports no sandbox starter: export a StartSandbox as startSandbox, as default, or as the one start<Name>Sandbox ` +
        `(found: ${Object.keys(module).join(', ') || 'nothing'})`,
    );
  }
  return start as StartSandbox;
}
