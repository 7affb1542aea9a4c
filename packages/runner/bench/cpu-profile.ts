/**
 * A V8 CPU profile of part of a bench run (BENCH_CPU_PROFILE): started and stopped around the measured window through
 * `node:inspector`, so a warm-up and the set-up are not in it. The profile is the main thread's JavaScript and what it
 * calls (V8's helper threads are not sampled); open it in Chrome DevTools or summarise it with `profile-summary.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Session } from 'node:inspector/promises';

export interface RunningProfile {
  /** Stops the profiler and writes the profile to `file`; returns the file. */
  stop(file: string): Promise<string>;
}

/** The directory BENCH_CPU_PROFILE names, or undefined. */
export const PROFILE_DIR = process.env.BENCH_CPU_PROFILE === undefined || process.env.BENCH_CPU_PROFILE === '' ? undefined : process.env.BENCH_CPU_PROFILE;

/** The directory BENCH_HEAP_PROFILE names, or undefined: where the measured window's allocation profile goes. */
export const HEAP_PROFILE_DIR = process.env.BENCH_HEAP_PROFILE === undefined || process.env.BENCH_HEAP_PROFILE === '' ? undefined : process.env.BENCH_HEAP_PROFILE;

/**
 * Starts sampling allocations (one sample per `intervalBytes` allocated, with its stack, kept even once collected):
 * what the window allocates, which is what its GC costs. The profile (`.heapprofile`) opens in Chrome DevTools.
 */
export async function startAllocationProfile(intervalBytes = 32_768): Promise<RunningProfile> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: intervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return stoppedBy(session, async () => (await session.post('HeapProfiler.stopSampling')).profile);
}

/** Starts sampling the main thread every `intervalUs` microseconds. */
export async function startProfile(intervalUs = 250): Promise<RunningProfile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return stoppedBy(session, async () => (await session.post('Profiler.stop')).profile);
}

/** A running profile that `stop` ends with `end` (which returns the profile), then writes to its file. */
function stoppedBy(session: Session, end: () => Promise<unknown>): RunningProfile {
  return {
    async stop(file) {
      const profile = await end();
      session.disconnect();
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
