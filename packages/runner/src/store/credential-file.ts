import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CredentialStore } from '@ledgerlink/core';

/**
 * Rotated credentials (single-use OAuth refresh tokens) of one tenant or of the hub, in a JSON file of their own,
 * readable by the runner's user only (0600), replaced atomically on each change. They are secrets: never in the
 * ledger, never logged. Without a file (an in-memory store) they live in memory.
 */
export class FileCredentialStore implements CredentialStore {
  readonly #values: Record<string, string>;

  constructor(private readonly file: string | undefined) {
    this.#values = file === undefined ? {} : readValues(file);
  }

  get(name: string): string | undefined {
    return this.#values[name];
  }

  set(name: string, value: string): void {
    this.#values[name] = value;
    if (this.file === undefined) return;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.#values, null, 2), { mode: 0o600, flush: true });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.file);
  }
}

function readValues(file: string): Record<string, string> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

/** The credentials file of `scope` (a tenant id, or `hub`) beside a SQLite store; undefined for `:memory:`. */
export function credentialFileFor(storePath: string, scope: string): string | undefined {
  if (storePath === ':memory:') return undefined;
  return join(dirname(storePath), 'credentials', `${scope}.json`);
}
