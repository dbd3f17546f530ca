/**
 * Prepared reads: the few queries every request of the hot read paths runs (AdminGetUser, the
 * access-token operations, the sign-in flows' user lookup), written once as SQL both dialects accept
 * and run without building them through Kysely each time.
 *
 * Profiled (bench/wrk-reads.mjs): building and compiling a Kysely query cost more than SQLite
 * running it, and on PostgreSQL every query is a round trip plus a parse on the server.
 * So, outside transactions:
 *   - SQLite: the better-sqlite3 statement, prepared once per store, runs at the end of the turn of
 *     the event loop that asked for it, together with the other reads of that turn (sqliteRunner).
 *     Only when no transaction is open on the connection: one that is (another request's) is
 *     waited for through Kysely as every other query does, so a read never sees uncommitted rows.
 *   - PostgreSQL: a named prepared statement (`{ name, text, values }`), parsed and planned once per
 *     connection (a generic plan, on connections of their own: READ_PLANNING below,
 *     postgres/index.ts), and reads of one kind that concurrent requests ask for in the same turn of
 *     the event loop batched into one statement.
 * Inside a transaction the SQL goes through the transaction's connection (Kysely's executeQuery,
 * without the query building), exactly where the Kysely query went before.
 *
 * Nothing is cached here but statements: every read goes to the database, so several nodes on one
 * PostgreSQL database stay consistent (domain/users.ts remembers pools' username rules, which
 * cannot change while a pool exists, and still reads the pool's row each time). The SQL names its
 * columns (never `*`): a prepared statement's result columns must not change under it when a later
 * migration adds a column.
 */
import { CompiledQuery } from 'kysely';
import type { Db } from './db.js';
import { queryRows } from './postgres/rows.js';

export interface PreparedRead {
  readonly name: string;
  /** With `?` placeholders. */
  readonly sqlite: string;
  /** With `$1`, `$2`, ... placeholders. */
  readonly pg: string;
  /**
   * PostgreSQL: the statement that runs it for many parameter rows at once, when batched() cannot
   * derive it (a write: a data-modifying WITH cannot sit in a LATERAL subquery). Its parameters are
   * the read's, each a text[] (`$1::text[]`, ...), and it returns `batch_i`, the 1-based place of the
   * parameter row each result row belongs to.
   */
  readonly pgBatch?: string;
}

/**
 * A read written with `?` placeholders (and no `?` anywhere else: no string literal holds one; no
 * table alias `r`, which the batched form (see batched) gives its parameters' rows);
 * `pgSql`, the same read as PostgreSQL should run it when that differs (the same parameters). Every
 * parameter is text (or null): PostgreSQL batches reads by passing each parameter as a text[].
 */
export function preparedRead(name: string, sql: string, pgSql: string = sql, pgBatch?: string): PreparedRead {
  const text = sql.replace(/\s+/g, ' ').trim();
  let n = 0;
  return {
    name: `incognito_${name}`,
    sqlite: text,
    pg: pgSql.replace(/\s+/g, ' ').trim().replace(/\?/g, () => `$${++n}`),
    ...(pgBatch !== undefined ? { pgBatch: pgBatch.replace(/\s+/g, ' ').trim() } : {}),
  };
}

/** Runs a prepared read; rows as the driver returns them (the same shapes Kysely returned). */
export type ReadRunner = <R>(q: PreparedRead, params: readonly unknown[]) => Promise<R[]>;

/** Through Kysely's connection handling (a transaction's connection, the SQLite connection mutex). */
export function kyselyRunner(db: Db, kind: 'sqlite' | 'postgres'): ReadRunner {
  return async <R>(q: PreparedRead, params: readonly unknown[]) =>
    (await db.executeQuery<R>(CompiledQuery.raw(kind === 'sqlite' ? q.sqlite : q.pg, [...params]))).rows as R[];
}

interface Pending {
  params: readonly unknown[];
  resolve: (rows: unknown[]) => void;
  reject: (e: unknown) => void;
}

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
}

/**
 * SQLite outside transactions: reads asked for in one turn of the event loop wait for its end
 * (setImmediate) and then run one after the other, synchronously on the connection when no
 * transaction is open on it (nothing can start one while they run), else through Kysely, after
 * that transaction. A request's reads one after another each wait for the end of a turn.
 *
 * Measured (bench/wrk-reads.mjs, AdminGetUser under load): the same statement costs about 6 µs in
 * a run of reads but about 20 µs when it runs alone between two requests' HTTP work (SQLite's code
 * and data have left the processor's caches by then); run together, and the replies written
 * together after them, AdminGetUser went from about 5,200 to 10,400 requests/s. A read sees every
 * write committed before it runs.
 *
 * `flushNow` runs the waiting reads at once: KyselyStore.transaction calls it before it begins,
 * so that a read asked for before a transaction never waits for that transaction (a read awaited
 * inside the transaction that followed it would otherwise wait for the connection forever).
 */
export function sqliteRunner(
  connection: { readonly inTransaction: boolean },
  prepare: (sql: string) => SqliteStatement,
  db: Db,
): ReadRunner & { flushNow(): void; queued(): number } {
  const viaKysely = kyselyRunner(db, 'sqlite');
  let queue: (Pending & { q: PreparedRead })[] = [];
  const flushNow = () => {
    const list = queue;
    queue = [];
    for (const r of list) {
      if (connection.inTransaction) {
        viaKysely(r.q, r.params).then(r.resolve, r.reject);
        continue;
      }
      try {
        r.resolve(prepare(r.q.sqlite).all(...r.params));
      } catch (e) {
        r.reject(e);
      }
    }
  };
  const run = <R>(q: PreparedRead, params: readonly unknown[]) =>
    new Promise<R[]>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flushNow);
      queue.push({ q, params, resolve: resolve as (rows: unknown[]) => void, reject });
    });
  return Object.assign(run, { flushNow, queued: () => queue.length });
}

/** pg.Pool: the statements run through queryRows (postgres/rows.ts). */
type PgPool = Parameters<typeof queryRows>[0];

/**
 * PostgreSQL: the planner settings of the connections that run the prepared reads
 * (store/postgres/index.ts explains why): generic plans, made once per connection, and none of the
 * plans a small table invites. KyselyStore.explain({ generic }) plans with the same settings.
 */
export const READ_PLANNING: readonly (readonly [string, string])[] = [
  ['plan_cache_mode', 'force_generic_plan'],
  ['enable_seqscan', 'off'],
  ['enable_bitmapscan', 'off'],
  ['enable_hashjoin', 'off'],
  ['enable_mergejoin', 'off'],
];

/** The most reads of one kind a batch holds (measured: 64 did no better than 16 with 32 connections). */
export const MAX_BATCH = 16;

/**
 * How many statements of one kind of read may be on their way to PostgreSQL at once (see pgRunner);
 * `INCOGNITO_PG_READS_IN_FLIGHT` overrides it (for measurements).
 */
export const MAX_IN_FLIGHT = Number(process.env.INCOGNITO_PG_READS_IN_FLIGHT) || 2;

/**
 * PostgreSQL outside transactions: a named statement, prepared by each pooled connection once.
 * Reads of the same kind asked for in the same turn of the event loop (concurrent requests) go
 * together as one statement (see batched), so that one round trip serves them all: on a busy
 * server, the round trips (a write and a wake-up of a backend each) were most of the cost. A read
 * alone runs as itself, one turn later.
 *
 * At most `inFlight` statements of one kind are on their way at once: reads asked for meanwhile
 * wait for one of them to come back and then go together, so that under load the batches grow
 * with the load instead of each turn's few reads taking a round trip (and a connection) of their
 * own. Profiled (bench/wrk-reads.mjs, AdminGetUser and GetUser): the system calls writing the
 * queries to PostgreSQL's sockets were a tenth of the server's time, and each wakes a backend.
 * Without load a read never waits for another. `batch: false` runs every read alone (for comparisons).
 */
export function pgRunner(pool: PgPool, opts: { batch?: boolean; inFlight?: number } = {}): ReadRunner & { queued?(): number } {
  const single = pgSingle(pool);
  if (opts.batch === false) return single;
  const limit = Math.max(1, opts.inFlight ?? MAX_IN_FLIGHT);
  const kinds = new Map<PreparedRead, { waiting: Pending[]; inFlight: number }>();
  const pending = new Set<PreparedRead>();
  let scheduled = false;
  const send = (q: PreparedRead) => {
    const k = kinds.get(q)!;
    while (k.waiting.length > 0 && k.inFlight < limit) {
      const list = k.waiting.splice(0, MAX_BATCH);
      k.inFlight++;
      runBatch(pool, q, list, single, () => {
        k.inFlight--;
        send(q);
      });
    }
  };
  const flush = () => {
    scheduled = false;
    const qs = [...pending];
    pending.clear();
    for (const q of qs) send(q);
  };
  const run = <R>(q: PreparedRead, params: readonly unknown[]) =>
    new Promise<R[]>((resolve, reject) => {
      let k = kinds.get(q);
      if (!k) kinds.set(q, (k = { waiting: [], inFlight: 0 }));
      k.waiting.push({ params, resolve: resolve as (rows: unknown[]) => void, reject });
      pending.add(q);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  const queued = () => {
    let n = 0;
    for (const k of kinds.values()) n += k.waiting.length;
    return n;
  };
  return Object.assign(run, { queued });
}

/**
 * PostgreSQL: a named statement on its own. pgRunner's statements run on the prepared reads'
 * connections, so with their planning (READ_PLANNING): planned once per connection, and so are the
 * foreign-key checks a write fires (PostgreSQL keeps those plans per connection, under the same
 * plan_cache_mode). Writes run there too when they enter every table at a full key and their foreign
 * keys reference primary keys (TokenRepo.insertFamily, with a pgBatch of its own): measured with
 * EXPLAIN ANALYZE, the write of a sign-in spent 0.38 of its 0.51 ms planning its foreign-key checks
 * anew at every execution on the main pool (force_custom_plan), 0.12-0.17 ms in all with generic
 * plans. tests/query-plans.test.ts checks their generic plans.
 */
export function pgSingle(pool: PgPool): ReadRunner {
  return <R>(q: PreparedRead, params: readonly unknown[]) => queryRows(pool, { name: q.name, text: q.pg, values: [...params] }).then((r) => r.rows as R[]);
}

const batchedText = new Map<string, { name: string; text: string }>();

/**
 * The statement running the read for every row of its parameters, given as arrays (one per
 * parameter, every parameter text): `SELECT r.batch_i, b.* FROM unnest($1::text[], ...) WITH
 * ORDINALITY r(p1, ..., batch_i) CROSS JOIN LATERAL (<read>) b`. One statement whatever the
 * batch's size, so each connection prepares and plans it once.
 */
export function batched(q: PreparedRead): { name: string; text: string } {
  let b = batchedText.get(q.name);
  if (!b && q.pgBatch !== undefined) batchedText.set(q.name, (b = { name: `${q.name}_batch`, text: q.pgBatch }));
  if (!b) {
    const n = (q.pg.match(/\$\d+/g) ?? []).length;
    const names = Array.from({ length: n }, (_, i) => `p${i + 1}`);
    const arrays = names.map((_, i) => `$${i + 1}::text[]`).join(', ');
    const inner = q.pg.replace(/\$(\d+)/g, (_, k: string) => `r.p${k}`);
    b = {
      name: `${q.name}_batch`,
      text: `SELECT r.batch_i, b.* FROM unnest(${arrays}) WITH ORDINALITY AS r(${names.join(', ')}, batch_i) CROSS JOIN LATERAL (${inner}) b`,
    };
    batchedText.set(q.name, b);
  }
  return b;
}

/** Runs the reads of one kind as one statement; `done` once it has come back (answered or failed). */
function runBatch(pool: PgPool, q: PreparedRead, list: Pending[], single: <R>(q: PreparedRead, params: readonly unknown[]) => Promise<R[]>, done: () => void): void {
  if (list.length === 1) {
    const [one] = list;
    single(q, one!.params).then(
      (rows) => {
        done();
        one!.resolve(rows);
      },
      (e) => {
        done();
        one!.reject(e);
      },
    );
    return;
  }
  const b = batched(q);
  const values = list[0]!.params.map((_, k) => list.map((p) => p.params[k]));
  queryRows(pool, { name: b.name, text: b.text, values }).then(
    (r) => {
      done();
      const out: unknown[][] = list.map(() => []);
      // Each row as it came, batch_i included (the reads name the columns they use).
      for (const row of r.rows) out[Number(row.batch_i) - 1]!.push(row);
      list.forEach((p, i) => p.resolve(out[i]!));
    },
    // One bad read must not fail the others: run each alone, so each gets its own answer or error.
    () => {
      done();
      list.forEach((p) => single(q, p.params).then(p.resolve, p.reject));
    },
  );
}
