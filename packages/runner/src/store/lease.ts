/**
 * Which runner process may send. Several runner replicas can share one store (PostgreSQL, or SQLite files a
 * CLI opens beside the daemon): only the holder of the `runner` lease runs the flows, so no two processes send
 * the same payment. The holder renews it while it lives; when it dies, another takes over once it expires.
 */
export interface LeaseStore {
  /**
   * Takes or renews `name` for `holder` until `ttlMs` from now; false when another holder has it. A current holder
   * for which `isGone` answers true (a process on this machine that no longer exists) is replaced at once.
   */
  acquire(name: string, holder: string, ttlMs: number, isGone?: (holder: string) => boolean): Promise<boolean>;
  /** Gives it up (a clean shutdown), so a standby takes over at once. */
  release(name: string, holder: string): Promise<void>;
}
