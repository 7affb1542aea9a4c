import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { Actor } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../src/store/index.js';

const storeModule = fileURLToPath(new URL('../src/store/index.ts', import.meta.url));

/**
 * A worker thread with its own connection: loads the store's TypeScript through tsx (core through its
 * `source` export condition), opens the ledger, says ready, and on `go` begins an attempt on every item.
 * better-sqlite3 is synchronous, so a real race needs two threads.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { register } = await import('tsx/esm/api');
  register();
  const { openSqliteLedger } = await import(workerData.storeModule);
  const ledger = openSqliteLedger({ path: workerData.path });
  parentPort.once('message', async () => {
    parentPort.postMessage({ started: true });
    const results = [];
    for (const id of workerData.ids) {
      try {
        const { attempt } = await ledger.beginAttempt(id, { kind: 'system', id: workerData.name });
        results.push({ id, number: attempt.number });
      } catch (error) {
        results.push({ id, error: String(error && error.message) });
      }
    }
    await ledger.close();
    parentPort.postMessage({ done: results });
  });
  parentPort.postMessage({ ready: true });
})().catch((error) => parentPort.postMessage({ failed: String(error && error.stack) }));
`;

interface WorkerResult {
  id: string;
  number?: number;
  error?: string;
}

interface RaceWorker {
  worker: Worker;
  ready: Promise<void>;
  started: Promise<void>;
  done: Promise<WorkerResult[]>;
}

function startWorker(name: string, path: string, ids: string[]): RaceWorker {
  const worker = new Worker(WORKER, { eval: true, execArgv: ['--conditions=source'], workerData: { name, path, ids, storeModule } });
  let onReady: () => void = () => {};
  let onStarted: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const done = new Promise<WorkerResult[]>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (message: { ready?: boolean; started?: boolean; done?: WorkerResult[]; failed?: string }) => {
      if (message.ready) onReady();
      if (message.started) onStarted();
      if (message.done) resolve(message.done);
      if (message.failed) reject(new Error(`worker ${name} could not start: ${message.failed}`));
    });
  });
  return { worker, ready, started, done };
}

let dir: string;
const workers: Worker[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerlink-sqlite-race-'));
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
  await rm(dir, { recursive: true, force: true });
});

describe('SQLite ledger under two connections at once', () => {
  it('lets only one of two concurrent beginAttempt calls start an item from pending', async () => {
    const path = join(dir, 'ledger.db');
    const ledger = openSqliteLedger({ path });
    const hub: Actor = { kind: 'hub', id: 'webhook' };
    const ids: string[] = [];
    for (let n = 1; n <= 8; n += 1) {
      const { item } = await ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: `pay-${n}`, record: {} }, hub);
      ids.push(item.id);
    }
    const left = startWorker('left', path, ids);
    const right = startWorker('right', path, ids);
    workers.push(left.worker, right.worker);
    await Promise.all([left.ready, right.ready]);
    // Hold the write lock while both workers start, so both are inside beginAttempt on the first item when it
    // is released: a store that read before taking the lock would see "pending" twice.
    const gate = new BetterSqlite3(path);
    gate.exec('BEGIN IMMEDIATE');
    left.worker.postMessage('go');
    right.worker.postMessage('go');
    await Promise.all([left.started, right.started]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    gate.exec('COMMIT');
    gate.close();
    const [fromLeft, fromRight] = await Promise.all([left.done, right.done]);

    // Both calls succeed (the second one finds the item exporting: a retry), never both from pending.
    expect([...fromLeft, ...fromRight].filter((result) => result.error !== undefined)).toEqual([]);
    for (const id of ids) {
      const numbers = [fromLeft, fromRight].map((results) => results.find((result) => result.id === id)?.number);
      expect(numbers.sort()).toEqual([1, 2]);
      const begun = (await ledger.audit(id)).filter((entry) => entry.action === 'attempt');
      expect(begun.filter((entry) => entry.detail?.from === 'pending')).toHaveLength(1);
      expect(new Set(begun.map((entry) => entry.actor.id))).toEqual(new Set(['left', 'right']));
      expect(await ledger.get(id)).toMatchObject({ state: 'exporting', attempts: 2 });
      expect((await ledger.attempts(id)).map((attempt) => attempt.number)).toEqual([1, 2]);
    }
    await ledger.close();
  });
});
