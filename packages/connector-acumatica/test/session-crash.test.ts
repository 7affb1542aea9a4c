/**
 * Issue 11, item 6: a process killed inside a unit of work cannot sign out, and its session keeps a licence
 * seat until Acumatica's idle timeout. After two such crashes a two-seat licence refused every sign-in with
 * "API Login Limit". Here the exporter runs as its own process, is SIGKILLed twice mid-export, and the third
 * start must still export: it signs the stale session out first (its cookie was kept in the credentials file).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { configFor, holdSeat, payment, startSeeded } from './support.js';

const CHILD = fileURLToPath(new URL('./session-crash-child.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

let sandbox: AcumaticaSandbox;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-acumatica-crash-'));
});
afterEach(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  /** Resolves with the process's stdout when it exits. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(): void;
}

function startExporter(credentialsFile: string): Run {
  const argument = JSON.stringify({ config: configFor(sandbox), payment: payment(), credentialsFile });
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', CHILD, argument], { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The session cookie the exporter kept in its credentials file, if any. */
function savedCookie(file: string): string | undefined {
  try {
    const values = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    return Object.entries(values).find(([key, value]) => key.startsWith('acumatica-session:') && value !== '')?.[1];
  } catch {
    return undefined;
  }
}

describe('Acumatica sessions after crashes', () => {
  it('start, SIGKILL mid-export, start, SIGKILL, start: the third process still signs in and exports', async () => {
    // Sign-in answers at once; every call inside the session hangs, so each process is killed holding a seat.
    sandbox = await startSeeded({ licence: { maxApiUsers: 2 }, faults: { latencyMs: 1_000, faultsSpareLogin: true } });
    const credentialsFile = join(dir, 'acme.json');
    const cookies: (string | undefined)[] = [undefined];
    for (const crash of [1, 2]) {
      const run = startExporter(credentialsFile);
      // Killed once it has signed in and kept the cookie: from here to its sign-out, a crash leaves the seat taken.
      await until(() => {
        const cookie = savedCookie(credentialsFile);
        return sandbox.sessions().logins === crash && cookie !== undefined && cookie !== cookies.at(-1);
      }, `sign-in ${crash} and its cookie kept`);
      cookies.push(savedCookie(credentialsFile));
      run.kill();
      expect((await run.done).signal, `process ${crash} was killed`).toBe('SIGKILL');
    }
    // The killed processes could not sign out; the cookie of the last one is in the credentials file.
    expect(sandbox.sessions().logouts, 'the second start signed out the session the first crash left').toBe(1);
    expect(sandbox.sessions().open).toBe(1);
    expect(savedCookie(credentialsFile), 'the cookie of the last crash is kept').toBe(cookies.at(-1));

    sandbox.setFaults({ latencyMs: 0 });
    const third = await startExporter(credentialsFile).done;
    expect(third.code, third.stderr).toBe(0);
    expect(JSON.parse(third.stdout.trim()), 'the third process exports').toMatchObject({ kind: 'synced' });
    expect(sandbox.sessions(), 'no "API Login Limit"; every session this run left is signed out').toMatchObject({ refusedLogins: 0, open: 0 });
    expect(savedCookie(credentialsFile), 'no session cookie is kept once signed out').toBeUndefined();
  }, 30_000);
});

describe('the sandbox times idle sessions out as Acumatica does', () => {
  it('a session unused for the idle timeout frees its seat for the next sign-in', async () => {
    sandbox = await startSeeded({ licence: { maxApiUsers: 1 }, sessionIdleTimeoutMs: 60_000 });
    const seat = await holdSeat(sandbox);
    expect(sandbox.sessions().open).toBe(1);
    const refused = await holdSeat(sandbox).then(
      () => 'signed in',
      (error: Error) => error.message,
    );
    expect(refused, 'the only seat is taken').toMatch(/HTTP 500/);

    sandbox.setSessionIdleTimeout(50);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sandbox.sessions()).toMatchObject({ open: 0, timedOut: 1 });
    const again = await holdSeat(sandbox);
    expect(sandbox.sessions().open, 'the freed seat is taken again').toBe(1);
    await again.release();
    await seat.release();
  });
});
