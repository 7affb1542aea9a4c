/**
 * What a PostgreSQL run costs the server and the wire (issue 15, the PostgreSQL ratio), read around a runner bench run:
 *  - the server's CPU: every PostgreSQL process's user + system time from /proc, plus the postmaster's reaped
 *    children's (a backend that ended during the run is counted too); other users of the server count as well, so
 *    the run prints the other sessions it saw;
 *  - WAL bytes (pg_current_wal_lsn), WAL records and full-page images (pg_stat_wal);
 *  - rows inserted, updated (and how many of those were HOT: no index touched) per table of the schema, and each
 *    index's growth in bytes and scans;
 *  - on the runner's side (this process): statements sent by the `pg` clients (by name, or the first words of the
 *    text), socket writes to and reads from the server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import pg from 'pg';

/** Clock ticks per second of /proc's CPU times (USER_HZ). */
const TICKS = 100;

/** Fields of /proc/<pid>/stat after the command (so the numbering starts at `state`, field 3). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU ms of the PostgreSQL server so far: its live processes' own time and the postmaster's ended children's. */
export function postgresServerCpuMs(): number {
  let ticks = 0;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  const postgres = new Set(pids);
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields === undefined) continue;
    // utime 14, stime 15, cutime 16, cstime 17 (1-based in proc(5)); fields[0] is field 3.
    ticks += Number(fields[11]) + Number(fields[12]);
    const parent = Number(fields[1]);
    if (!postgres.has(parent)) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return (ticks * 1000) / TICKS;
}

interface ClientCounters {
  statements: Map<string, number>;
  writes: number;
  reads: number;
}

const counters: ClientCounters = { statements: new Map(), writes: 0, reads: 0 };
let installed = false;

/** Counts, from now on, the statements every `pg` client of this process sends and its socket writes and reads. */
export function countClientTraffic(): void {
  if (installed) return;
  installed = true;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown; connect: (...args: unknown[]) => unknown };
  const query = proto.query;
  // Each statement's key is worked out once (the counting is the bench's CPU, charged to the runner's figure).
  const keys = new Map<string, string>();
  proto.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0];
    const text = typeof config === 'string' ? config : ((config as { name?: string; text?: string } | null)?.name ?? (config as { text?: string } | null)?.text ?? '?');
    let key = keys.get(text);
    if (key === undefined) keys.set(text, (key = text.replace(/\s+/g, ' ').trim().slice(0, 48)));
    counters.statements.set(key, (counters.statements.get(key) ?? 0) + 1);
    return query.apply(this, args);
  };
  const connect = proto.connect;
  proto.connect = function (this: { connection: { stream: Socket } }, ...args: unknown[]) {
    const stream = this.connection.stream as Socket & { _write: (...a: unknown[]) => unknown; _writev?: (...a: unknown[]) => unknown };
    const write = stream._write;
    stream._write = function (this: unknown, ...a: unknown[]) {
      counters.writes += 1;
      return write.apply(this, a);
    };
    const writev = stream._writev;
    if (writev !== undefined) {
      stream._writev = function (this: unknown, ...a: unknown[]) {
        counters.writes += 1;
        return writev.apply(this, a);
      };
    }
    stream.on('data', () => {
      counters.reads += 1;
    });
    return connect.apply(this, args);
  };
}

/** The server's figures at one moment. */
export interface ServerReading {
  cpuMs: number;
  walLsn: string;
  wal: { records: number; fpi: number; bytes: number };
  tables: Map<string, { inserted: number; updated: number; hot: number; seqRead: number }>;
  indexes: Map<string, { bytes: number; scans: number; read: number }>;
  statements: Map<string, number>;
  writes: number;
  reads: number;
  others: string[];
}

/** Reads the server's figures for `schema` (a client of its own, opened and closed here). */
export async function readServer(url: string, schema: string): Promise<ServerReading> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const cpuMs = postgresServerCpuMs();
    const lsn = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    const wal = await client.query<{ records: string; fpi: string; bytes: string }>('SELECT wal_records AS records, wal_fpi AS fpi, wal_bytes AS bytes FROM pg_stat_wal');
    const tables = await client.query<{ name: string; inserted: string; updated: string; hot: string; seq_read: string }>(
      'SELECT relname AS name, n_tup_ins AS inserted, n_tup_upd AS updated, n_tup_hot_upd AS hot, seq_tup_read AS seq_read FROM pg_stat_user_tables WHERE schemaname = $1',
      [schema],
    );
    const indexes = await client.query<{ name: string; bytes: string; scans: string; read: string }>(
      'SELECT indexrelname AS name, pg_relation_size(indexrelid) AS bytes, idx_scan AS scans, idx_tup_read AS read FROM pg_stat_user_indexes WHERE schemaname = $1',
      [schema],
    );
    const others = await client.query<{ who: string }>(
      "SELECT datname || ' ' || coalesce(application_name, '') || ' ' || state AS who FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND state <> 'idle'",
    );
    const row = wal.rows[0] as { records: string; fpi: string; bytes: string };
    return {
      cpuMs,
      walLsn: (lsn.rows[0] as { lsn: string }).lsn,
      wal: { records: Number(row.records), fpi: Number(row.fpi), bytes: Number(row.bytes) },
      tables: new Map(tables.rows.map((one) => [one.name, { inserted: Number(one.inserted), updated: Number(one.updated), hot: Number(one.hot), seqRead: Number(one.seq_read) }])),
      indexes: new Map(indexes.rows.map((one) => [one.name, { bytes: Number(one.bytes), scans: Number(one.scans), read: Number(one.read) }])),
      statements: new Map(counters.statements),
      writes: counters.writes,
      reads: counters.reads,
      others: others.rows.map((one) => one.who),
    };
  } finally {
    await client.end();
  }
}

/** Bytes between two WAL positions (`X/Y`). */
function lsnBytes(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high ?? '0'}`) << 32n) + BigInt(`0x${low ?? '0'}`);
}

/** Prints what `count` payments cost between two readings. */
export function printServerCost(before: ServerReading, after: ServerReading, count: number, cpuMs: { runner: number }): void {
  const per = (value: number): string => (value / count).toFixed(2);
  const walBytes = Number(lsnBytes(after.walLsn) - lsnBytes(before.walLsn));
  console.log(`  PostgreSQL server CPU per payment: ${per(after.cpuMs - before.cpuMs)} ms (runner ${per(cpuMs.runner)} ms)`);
  console.log(
    `  WAL per payment: ${(walBytes / count).toFixed(0)} bytes (pg_current_wal_lsn), ${per(after.wal.records - before.wal.records)} records, ${per(after.wal.fpi - before.wal.fpi)} full-page images`,
  );
  let statements = 0;
  const byStatement: [string, number][] = [];
  for (const [key, value] of after.statements) {
    const delta = value - (before.statements.get(key) ?? 0);
    if (delta > 0) byStatement.push([key, delta]);
    statements += delta;
  }
  console.log(`  statements per payment (runner's pg clients): ${per(statements)}; socket writes ${per(after.writes - before.writes)}, reads ${per(after.reads - before.reads)}`);
  for (const [key, value] of byStatement.sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`    ${per(value)} ${key}`);
  let seqRead = 0;
  for (const [name, table] of after.tables) {
    const was = before.tables.get(name) ?? { inserted: 0, updated: 0, hot: 0, seqRead: 0 };
    const updated = table.updated - was.updated;
    seqRead += table.seqRead - was.seqRead;
    if (table.inserted - was.inserted === 0 && updated === 0 && table.seqRead === was.seqRead) continue;
    console.log(`    table ${name}: ${per(table.inserted - was.inserted)} inserted, ${per(updated)} updated (${per(table.hot - was.hot)} HOT), ${per(table.seqRead - was.seqRead)} rows read by sequential scans per payment`);
  }
  let indexBytes = 0;
  let indexRead = 0;
  for (const [name, index] of after.indexes) {
    const was = before.indexes.get(name) ?? { bytes: 0, scans: 0, read: 0 };
    indexBytes += index.bytes - was.bytes;
    indexRead += index.read - was.read;
    console.log(`    index ${name}: ${((index.bytes - was.bytes) / count).toFixed(0)} bytes, ${per(index.scans - was.scans)} scans reading ${per(index.read - was.read)} entries per payment`);
  }
  console.log(`  rows read per payment: ${per(seqRead)} by sequential scans, ${per(indexRead)} index entries; index growth per payment: ${(indexBytes / count).toFixed(0)} bytes`);
  console.log(`  other active sessions seen: ${after.others.length === 0 ? 'none' : after.others.join(', ')}`);
}
