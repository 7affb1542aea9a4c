/**
 * A process's counters from Linux's `/proc`, for the benches' figures per payment: its I/O calls and bytes, and how
 * often it slept waiting for an event. Undefined where `/proc` has no such file (another system, a process gone).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Read and write system calls, bytes through them, and bytes sent to storage (`/proc/<pid>/io`). */
export interface ProcIo {
  syscr: number;
  syscw: number;
  wchar: number;
  write_bytes: number;
}

export function procIo(pid: number | 'self' = 'self'): ProcIo | undefined {
  try {
    const fields = new Map(readFileSync(`/proc/${pid}/io`, 'utf8').split('\n').map((line) => line.split(': ') as [string, string]));
    return { syscr: Number(fields.get('syscr')), syscw: Number(fields.get('syscw')), wchar: Number(fields.get('wchar')), write_bytes: Number(fields.get('write_bytes')) };
  } catch {
    return undefined;
  }
}

/** Voluntary context switches of one thread (`/proc/<pid>/status` or a task's): each a sleep until the next event. */
function switchesIn(statusFile: string): number | undefined {
  try {
    const found = /voluntary_ctxt_switches:\s*(\d+)/.exec(readFileSync(statusFile, 'utf8'));
    return found === null ? undefined : Number(found[1]);
  } catch {
    return undefined;
  }
}

/**
 * How often a process has slept so far: its main thread's voluntary context switches (`main`: the event loop's waits
 * in epoll for a socket or a timer), or every thread's summed (`threads`: with V8's and libuv's helpers).
 */
export function voluntarySwitches(pid: number | 'self', scope: 'main' | 'threads'): number | undefined {
  if (scope === 'main') return switchesIn(`/proc/${pid}/status`);
  try {
    // A thread that ended between the listing and its read counts for nothing.
    return readdirSync(`/proc/${pid}/task`).reduce((sum, task) => sum + (switchesIn(`/proc/${pid}/task/${task}/status`) ?? 0), 0);
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const HZ = 100;

/**
 * CPU seconds so far in a process's or a thread's own code and in the kernel's (system calls: sockets, disk), from its
 * `stat` file (`/proc/<pid>/stat` sums a process's threads, `/proc/<pid>/task/<tid>/stat` is one thread); zeros when it
 * is gone.
 */
export function cpuTimes(statFile: string): { user: number; system: number } {
  try {
    // The command name may hold spaces: the fields after its closing parenthesis are fixed.
    const fields = readFileSync(statFile, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return { user: Number(fields[11]) / HZ, system: Number(fields[12]) / HZ };
  } catch {
    return { user: 0, system: 0 };
  }
}

/**
 * A process's CPU seconds so far, split between its main thread (the event loop: the runner's own code, and the GC
 * pauses it takes) and its other threads: V8's helpers (concurrent and parallel GC, the optimizing compiler) and
 * libuv's pool (file system calls, a log sync). A thread that ended is not counted (Node's helpers live as long as
 * the process). Undefined where `/proc` has no such files.
 */
export function threadCpu(pid: number | 'self' = 'self'): { main: number; helpers: number } | undefined {
  try {
    const tasks = readdirSync(`/proc/${pid}/task`);
    const leader = pid === 'self' ? String(process.pid) : String(pid);
    let main = 0;
    let helpers = 0;
    for (const task of tasks) {
      const { user, system } = cpuTimes(`/proc/${pid}/task/${task}/stat`);
      const seconds = user + system;
      if (task === leader) main += seconds;
      else helpers += seconds;
    }
    return { main, helpers };
  } catch {
    return undefined;
  }
}
