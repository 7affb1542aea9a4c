/**
 * What one wake-up costs on this machine (issue 15: why a payment's CPU depends on the load). A child process does the
 * same fixed work for each message it reads from a loopback socket (a JSON document of 40 lines parsed, summed and
 * written again, about what a small ERP answer costs); the parent sends the messages either one at a time, spaced so
 * that each one wakes the child, or in groups of 20 every 100 ms, at the same rate. The child's CPU per message in
 * each mode is what the machine charges for the work plus, when spaced, the wake-up: the caches and TLB refilled, the
 * scheduler's round trip. A runner whose payments arrive one by one pays that on every step of every payment; one
 * with a backlog pays it once per batch. Nothing of ledgerlink runs here: it is a property of the machine.
 *
 * Run: `npx tsx bench/wakeup-cost.ts` in packages/runner. BENCH_WAKE_RATE (messages a second, default 200),
 * BENCH_WAKE_SECONDS (per run, default 6), BENCH_WAKE_ROUNDS (spaced/grouped pairs, default 3).
 */
import { fork } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

const RATE = Number(process.env.BENCH_WAKE_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_WAKE_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_WAKE_ROUNDS ?? 3);
const GROUP = 20;
for (const [name, value] of Object.entries({ BENCH_WAKE_RATE: RATE, BENCH_WAKE_SECONDS: SECONDS, BENCH_WAKE_ROUNDS: ROUNDS })) {
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`${name} must be a number above 0, got ${process.env[name]}`);
}

/** The child: answers each `m` line after the fixed work, and `STATS` with its message count and CPU so far. */
function serve(): void {
  const document = JSON.stringify({ id: 1, lines: Array.from({ length: 40 }, (_, i) => ({ i, name: `line-${i}`, amount: '1234.56', tags: ['a', 'b', 'c'] })) });
  let handled = 0;
  const server = createServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        if (line === 'STATS') {
          const cpu = process.cpuUsage();
          socket.write(`${JSON.stringify({ handled, user: cpu.user, system: cpu.system })}\n`);
          continue;
        }
        const parsed = JSON.parse(document) as { lines: { i: number; amount: string; total?: number }[] };
        let total = 0;
        for (const entry of parsed.lines) entry.total = total += Number(entry.amount) * entry.i;
        handled += 1;
        socket.write(`${JSON.stringify(parsed).length}\n`);
      }
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
}

interface Stats {
  handled: number;
  user: number;
  system: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The parent's side of one socket: sends lines, and asks for the child's figures. */
class Client {
  #buffered = '';
  #waiting: ((stats: Stats) => void) | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.#buffered += chunk.toString('utf8');
      for (let end = this.#buffered.indexOf('\n'); end >= 0; end = this.#buffered.indexOf('\n')) {
        const line = this.#buffered.slice(0, end);
        this.#buffered = this.#buffered.slice(end + 1);
        if (line.startsWith('{')) this.#waiting?.(JSON.parse(line) as Stats);
      }
    });
  }

  stats(): Promise<Stats> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.socket.write('STATS\n');
    });
  }

  /** Messages at RATE a second for SECONDS: one per write (`spaced`) or GROUP per write (`grouped`); CPU µs per message. */
  async run(mode: 'spaced' | 'grouped'): Promise<{ user: number; system: number }> {
    const before = await this.stats();
    const until = Date.now() + SECONDS * 1000;
    while (Date.now() < until) {
      if (mode === 'spaced') {
        this.socket.write('m\n');
        await sleep(1000 / RATE);
      } else {
        this.socket.write('m\n'.repeat(GROUP));
        await sleep((1000 * GROUP) / RATE);
      }
    }
    await sleep(300);
    const after = await this.stats();
    const count = Math.max(1, after.handled - before.handled);
    return { user: (after.user - before.user) / count, system: (after.system - before.system) / count };
  }
}

if (process.argv[2] === '--serve') {
  serve();
} else {
  const child = fork(new URL(import.meta.url).pathname, ['--serve'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve) => child.once('message', (message) => resolve(Number(message))));
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const client = new Client(socket);
    // A warm-up: the child's JIT has compiled the work before the first measured run.
    await client.run('grouped');
    console.log(`one wake-up's cost: the same work per message, ${RATE} messages a second, one per write (each wakes the reader) or ${GROUP} per write; the reader's CPU per message`);
    console.log('| round | one per write | grouped | ratio |');
    console.log('|---:|---:|---:|---:|');
    const fmt = (cpu: { user: number; system: number }) => `${(cpu.user + cpu.system).toFixed(0)} µs (user ${cpu.user.toFixed(0)}, system ${cpu.system.toFixed(0)})`;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const spaced = await client.run('spaced');
      const grouped = await client.run('grouped');
      console.log(`| ${round} | ${fmt(spaced)} | ${fmt(grouped)} | ${((spaced.user + spaced.system) / (grouped.user + grouped.system)).toFixed(2)}× |`);
    }
    socket.destroy();
  } finally {
    child.kill();
  }
}
