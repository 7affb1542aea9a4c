/**
 * A CPU budget per process for the benchmarks, through the Linux cgroup (v1) `cpu` controller: each capped process
 * gets a group of its own with a CFS quota (`cores` × the period). The replica bench uses it to give every replica the
 * same small share of a core, as if each ran on a machine of its own: on a 2-core machine the replicas, the sandboxes
 * and PostgreSQL otherwise compete for the same cores, and N replicas cannot show whether they add up.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CPU_CONTROLLER = '/sys/fs/cgroup/cpu';

export class CpuCaps {
  readonly #root: string;
  readonly #groups: string[] = [];

  private constructor(root: string) {
    this.#root = root;
  }

  /** The caps, or why they cannot be set here (no cgroup v1 `cpu` controller, or no right to make a group). */
  static open(name: string): CpuCaps | string {
    if (!existsSync(join(CPU_CONTROLLER, 'cpu.cfs_quota_us'))) return `no cgroup v1 cpu controller at ${CPU_CONTROLLER}`;
    const root = join(CPU_CONTROLLER, name);
    try {
      mkdirSync(root, { recursive: true });
    } catch (error) {
      return `cannot make the cgroup ${root}: ${(error as Error).message} (run as root, or without a CPU cap)`;
    }
    return new CpuCaps(root);
  }

  /** Moves `pid` (every thread of it, and the children it starts later) into a group of its own capped at `cores`. */
  cap(label: string, pid: number, cores: number): void {
    const group = join(this.#root, label);
    mkdirSync(group, { recursive: true });
    const period = Number(readFileSync(join(group, 'cpu.cfs_period_us'), 'utf8'));
    writeFileSync(join(group, 'cpu.cfs_quota_us'), String(Math.max(1_000, Math.round(cores * period))));
    writeFileSync(join(group, 'cgroup.procs'), String(pid));
    this.#groups.push(group);
  }

  /** Takes `pid` out of any cap (back to the root group): a child forked by a capped process starts inside its cap. */
  release(pid: number): void {
    writeFileSync(join(CPU_CONTROLLER, 'cgroup.procs'), String(pid));
  }

  /** CPU time the group's processes were held back by the quota so far (ms), from `cpu.stat`. */
  throttledMs(label: string): number {
    try {
      const stat = readFileSync(join(this.#root, label, 'cpu.stat'), 'utf8');
      const match = /throttled_time (\d+)/.exec(stat);
      return match === null ? 0 : Number(match[1]) / 1e6;
    } catch {
      return 0;
    }
  }

  /** Removes the groups (their processes must have ended: a group with a process in it cannot be removed). */
  close(): void {
    for (const group of this.#groups.splice(0).reverse()) {
      try {
        rmdirSync(group);
      } catch {
        // A process still in it: left for the next run to reuse.
      }
    }
    try {
      rmdirSync(this.#root);
    } catch {
      // Not empty.
    }
  }
}
