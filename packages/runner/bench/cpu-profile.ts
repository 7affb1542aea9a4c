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

/** Starts sampling the main thread every `intervalUs` microseconds. */
export async function startProfile(intervalUs = 250): Promise<RunningProfile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
