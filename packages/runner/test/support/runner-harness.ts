import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import type { LedgerItem, LedgerState } from '@ledgerlink/core';
import { loadConfig } from '../../src/config/load-config.js';
import { Runner, type RunnerOptions } from '../../src/daemon.js';
import { createLogger } from '../../src/logging/create-logger.js';

/** A temporary directory for one test's config and SQLite file. */
export function tempDir(prefix = 'll-runner-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Captured log lines (JSON), for assertions and the secrets check. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

/** Writes `config` as YAML into `dir` and loads it the way the CLI does (env for the ${env:…} secrets). */
export function writeConfig(dir: string, config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): ReturnType<typeof loadConfig> & { file: string } {
  const file = join(dir, 'ledgerlink.yaml');
  writeFileSync(file, stringify(config));
  return { ...loadConfig(file, env), file };
}

/** Builds a runner from a config object, logging JSON into a capture. */
export function runnerFor(
  dir: string,
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  options: Partial<RunnerOptions> = {},
): { runner: Runner; log: LogCapture } {
  const loaded = writeConfig(dir, config, env);
  if (!loaded.ok) throw new Error(`test config invalid:\n${loaded.problems.map((p) => `${p.line}:${p.col} ${p.path} ${p.message}`).join('\n')}`);
  const log = new LogCapture();
  const logger = createLogger({ level: 'debug', pretty: 'never', secrets: loaded.loaded.secrets, destination: log });
  return { runner: new Runner({ loaded: loaded.loaded, logger, ...options }), log };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits for a ledger item to reach `state`. */
export function untilState(runner: Runner, id: string, state: LedgerState, timeoutMs?: number): Promise<LedgerItem> {
  return eventually(`item ${id} to be ${state}`, async () => {
    const item = await runner.ledger.get(id);
    return item?.state === state ? item : undefined;
  }, timeoutMs);
}

/**
 * A QuickBooks Online tenant's connection to the QBO sandbox at `baseUrl`, its secrets as `${env:QBO_SECRET}` and
 * `${env:QBO_REFRESH}` references (the config refuses inline secrets): the test passes their values in the env it gives `runnerFor`.
 */
export function qboSandboxConnection(baseUrl: string, app: { realmId: string; clientId: string }, tokenPath: string): Record<string, string> {
  return {
    baseUrl,
    tokenUrl: `${baseUrl}${tokenPath}`,
    realmId: app.realmId,
    clientId: app.clientId,
    clientSecret: '${env:QBO_SECRET}',
    refreshToken: '${env:QBO_REFRESH}',
  };
}
