import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CredentialStore } from '@ledgerlink/core';
import type { CredentialTable } from './store-credentials.js';

/**
 * How rotated credentials were kept before they moved into the store (see StoreCredentials): the runner no longer
 * writes these files; it imports what it finds of them once (`importCredentialFiles`). Without a file, an in-memory
 * CredentialStore (one-off commands, tests).
 *
 * Rotated credentials (single-use OAuth refresh tokens) of one tenant or of the hub, in a JSON file of their own,
 * readable by the runner's user only (0600), replaced atomically on each change: written to a temporary file beside
 * it, fsynced, renamed over it, and the directory fsynced. They are secrets: never in the ledger, never logged.
 * Without a file (an in-memory store) they live in memory.
 *
 * A process killed between the write and the rename leaves the only copy of a just-rotated token in the temporary
 * file (the provider already invalidated the old one): on open, a complete temporary file newer than the file is
 * taken as the current values; a partial one (killed mid-write) is deleted. Both are safe to do: the rename is the
 * commit, and an incomplete write never parses.
 */
export class FileCredentialStore implements CredentialStore {
  readonly #values: Record<string, string>;

  constructor(private readonly file: string | undefined) {
    if (file !== undefined) recoverTemporaries(file);
    this.#values = file === undefined ? {} : (readValues(file) ?? {});
  }

  get(name: string): string | undefined {
    return this.#values[name];
  }

  set(name: string, value: string): void {
    this.#values[name] = value;
    if (this.file === undefined) return;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = temporaryFor(this.file, process.pid);
    writeFileSync(temporary, JSON.stringify(this.#values, null, 2), { mode: 0o600, flush: true });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.file);
    syncDirectory(dirname(this.file));
  }
}

/** The temporary file a process writes before its rename. */
function temporaryFor(file: string, pid: number): string {
  return `${file}.${pid}.tmp`;
}

/** The rename itself made durable: without it a power loss may bring back the old file. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Settles what a killed writer left: each `<file>.<pid>.tmp` of a process that is gone is either the newest
 * complete values (renamed over the file) or a partial write (deleted). A live process's temporary is left alone.
 */
function recoverTemporaries(file: string): void {
  const dir = dirname(file);
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const mtime = (path: string) => {
    try {
      return statSync(path).mtimeMs;
    } catch {
      return -1;
    }
  };
  const leftovers = names
    .map((name) => /^(\d+)\.tmp$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '') ?? undefined)
    .filter((match): match is RegExpExecArray => match !== undefined)
    .map((match) => ({ path: temporaryFor(file, Number(match[1])), pid: Number(match[1]) }))
    .filter((leftover) => !isRunning(leftover.pid))
    .sort((a, b) => mtime(a.path) - mtime(b.path));
  for (const leftover of leftovers) {
    const complete = readValues(leftover.path) !== undefined;
    if (complete && mtime(leftover.path) >= mtime(file)) {
      chmodSync(leftover.path, 0o600);
      renameSync(leftover.path, file);
      syncDirectory(dir);
    } else {
      unlinkSync(leftover.path);
    }
  }
}

/** The values in `file`; undefined when it is missing or not a complete JSON object. */
function readValues(file: string): Record<string, string> | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return undefined;
  }
}

/**
 * Moves the credentials files of an older ledgerlink (`<dir>/<scope>.json`) into the store's table, once: each
 * file's values are imported unless the store already has a newer value (see CredentialTable.importValues; the
 * file's mtime is when they were written), and the file is deleted once the store has them, so the store is the only
 * copy from then on. What a writer killed mid-rename left is settled first, as on every open of a file. Answers the
 * scopes imported. A missing directory is nothing to import.
 */
export async function importCredentialFiles(dir: string, table: Pick<CredentialTable, 'importValues'>): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const scopes: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    recoverTemporaries(file);
    const values = readValues(file);
    let writtenAt: Date;
    try {
      writtenAt = statSync(file).mtime;
    } catch {
      continue;
    }
    // Not a credentials file (hand-edited, cut short): left where it is for an operator to look at.
    if (values === undefined) continue;
    const scope = name.slice(0, -'.json'.length);
    await table.importValues(scope, values, writtenAt);
    unlinkSync(file);
    scopes.push(scope);
  }
  if (scopes.length > 0) syncDirectory(dir);
  return scopes;
}

/** The credentials file of `scope` (a tenant id, or `hub`) beside a SQLite store; undefined for `:memory:`. */
export function credentialFileFor(storePath: string, scope: string): string | undefined {
  if (storePath === ':memory:') return undefined;
  return join(dirname(storePath), 'credentials', `${scope}.json`);
}
