/**
 * Runs async jobs at most `concurrency` at a time, in arrival order. The webhook route answers the hub at once and
 * queues the work here: a burst of deliveries must not become a burst of concurrent hub fetches competing with the
 * answers of the deliveries still arriving (the hub's lane would queue them anyway).
 */
export class WorkQueue {
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(private readonly concurrency: number) {}

  /** Resolves with the job's result once it ran. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running += 1;
    try {
      return await job();
    } finally {
      this.#running -= 1;
      this.#waiting.shift()?.();
    }
  }

  /** Jobs waiting for a turn. */
  get backlog(): number {
    return this.#waiting.length;
  }
}
