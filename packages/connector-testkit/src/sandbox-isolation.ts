import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The sandbox is a second, independent reading of the ERP's wire format: it shares no code with the client.
 * `describeSandboxIsolation(srcDir)` reads every import under a connector's `src/` and fails on any import
 * between `src/sandbox/**` and the rest of `src/`, in either direction, and on anything the sandbox takes from
 * `@ledgerlink/*` other than types (the ErpSandbox contract). Call it from one test file of the connector:
 * `describeSandboxIsolation(fileURLToPath(new URL('../src', import.meta.url)))`.
 */

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

interface ImportLine {
  specifier: string;
  typeOnly: boolean;
}

function importsOf(file: string): ImportLine[] {
  const text = readFileSync(file, 'utf8');
  const found: ImportLine[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm)) {
    found.push({ specifier: match[3] as string, typeOnly: match[2] !== undefined });
  }
  for (const match of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: match[1] as string, typeOnly: false });
  return found;
}

const resolveTs = (from: string, specifier: string): string => resolve(dirname(from), specifier.replace(/\.js$/, '.ts'));

export function describeSandboxIsolation(srcDir: string): void {
  const src = resolve(srcDir);
  const sandboxDir = join(src, 'sandbox');
  const inSandbox = (file: string): boolean => file === sandboxDir || file.startsWith(`${sandboxDir}${sep}`);
  describe('the sandbox shares no code with the client', () => {
  const files = sourceFiles(src);

  it('finds both sides (the check looks at real files)', () => {
    expect(files.filter(inSandbox).length).toBeGreaterThan(1);
    expect(files.filter((file) => !inSandbox(file)).length).toBeGreaterThan(1);
    expect(files.flatMap(importsOf).length).toBeGreaterThan(files.length);
  });

  it('no file under src/sandbox imports a client file, and no client file imports the sandbox', () => {
    const crossings: string[] = [];
    for (const file of files) {
      for (const { specifier } of importsOf(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolveTs(file, specifier);
        if (inSandbox(file) !== inSandbox(target)) crossings.push(`${relative(src, file)} -> ${specifier}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('the sandbox takes only types from @ledgerlink/core, and otherwise only node built-ins and libraries', () => {
    const problems: string[] = [];
    for (const file of files.filter(inSandbox)) {
      for (const { specifier, typeOnly } of importsOf(file)) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        if (specifier.startsWith('@ledgerlink/') && !typeOnly) problems.push(`${relative(src, file)} imports values from ${specifier}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
}
