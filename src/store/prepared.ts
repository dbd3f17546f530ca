/**
 * Prepared reads: the few queries every request of the hot read paths runs (AdminGetUser, the
 * access-token operations, the sign-in flows' user lookup), written once as SQL both dialects accept
 * and run without building them through Kysely each time.
 *
 * Profiled (bench/wrk-reads.mjs): building and compiling a Kysely query cost more than SQLite
 * running it, and on PostgreSQL every query is a round trip plus a parse on the server.
 * So, outside transactions:
 *   - SQLite: the better-sqlite3 statement, prepared once per store, runs at once. Only when no
 *     transaction is open on the connection: one that is (another request's) is waited for through
 *     Kysely as every other query does, so a read never sees uncommitted rows.
 *   - PostgreSQL: a named prepared statement (`{ name, text, values }`), parsed once per connection.
 * Inside a transaction the SQL goes through the transaction's connection (Kysely's executeQuery,
 * without the query building), exactly where the Kysely query went before.
 *
 * Nothing is cached but statements: every read goes to the database, so several nodes on one
 * PostgreSQL database stay consistent. The SQL names its columns (never `*`): a prepared statement's
 * result columns must not change under it when a later migration adds a column.
 */
import { CompiledQuery } from 'kysely';
import type { Db } from './db.js';

export interface PreparedRead {
  readonly name: string;
  /** With `?` placeholders. */
  readonly sqlite: string;
  /** With `$1`, `$2`, ... placeholders. */
  readonly pg: string;
}

/** A read written with `?` placeholders (and no `?` anywhere else: no string literal holds one). */
export function preparedRead(name: string, sql: string): PreparedRead {
  const text = sql.replace(/\s+/g, ' ').trim();
  let n = 0;
  return { name: `incognito_${name}`, sqlite: text, pg: text.replace(/\?/g, () => `$${++n}`) };
}

/** Runs a prepared read; rows as the driver returns them (the same shapes Kysely returned). */
export type ReadRunner = <R>(q: PreparedRead, params: readonly unknown[]) => Promise<R[]>;

/** Through Kysely's connection handling (a transaction's connection, the SQLite connection mutex). */
export function kyselyRunner(db: Db, kind: 'sqlite' | 'postgres'): ReadRunner {
  return async <R>(q: PreparedRead, params: readonly unknown[]) =>
    (await db.executeQuery<R>(CompiledQuery.raw(kind === 'sqlite' ? q.sqlite : q.pg, [...params]))).rows as R[];
}

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
}

/**
 * SQLite outside transactions: the statement runs synchronously on the connection when no
 * transaction is open on it (nothing can start one while it runs), else waits through Kysely.
 */
export function sqliteRunner(connection: { readonly inTransaction: boolean }, prepare: (sql: string) => SqliteStatement, db: Db): ReadRunner {
  const viaKysely = kyselyRunner(db, 'sqlite');
  return <R>(q: PreparedRead, params: readonly unknown[]): Promise<R[]> => {
    if (connection.inTransaction) return viaKysely<R>(q, params);
    try {
      return Promise.resolve(prepare(q.sqlite).all(...params) as R[]);
    } catch (e) {
      return Promise.reject(e);
    }
  };
}

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** PostgreSQL outside transactions: a named statement, prepared by each pooled connection once. */
export function pgRunner(pool: PgPool): ReadRunner {
  return async <R>(q: PreparedRead, params: readonly unknown[]) => (await pool.query({ name: q.name, text: q.pg, values: [...params] })).rows as R[];
}
