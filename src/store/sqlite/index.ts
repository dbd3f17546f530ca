/** The embedded default: one SQLite file in WAL mode, reached through Kysely's SQLite dialect. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type Driver } from 'kysely';
import type { Database as Tables } from '../schema.js';
import { migrate } from '../migrations.js';
import { KyselyStore } from '../kysely-store.js';
import type { SqliteRows } from '../bulk.js';
import type { Store } from '../types.js';
import { sqliteRunner } from '../prepared.js';
import { FALLBACK_AUTOCHECKPOINT, startCheckpointer } from './checkpointer.js';
import { logError } from '../../log.js';
import { StartupError } from '../../startup-error.js';

/** A statement as Kysely and the prepared reads (store/prepared.ts) use it. */
interface Statement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): Database.RunResult;
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/**
 * A reader whose rows come back as objects built by a function made for its columns, from
 * better-sqlite3's raw rows (arrays): measured, about 5 µs less a read than the objects
 * better-sqlite3 builds itself (a 21-column row: 18 → 13 µs), and every row has one shape. The
 * property names are the statement's own column names (SQL of this code base), each written as a
 * JSON string literal; as in better-sqlite3's objects, a later column of the same name wins.
 */
function withRowMapper(st: Database.Statement): Statement {
  const names = st.reader ? st.columns().map((c) => c.name) : [];
  // (A column named __proto__ would set the prototype in an object literal: such a statement keeps
  // better-sqlite3's own objects.)
  if (!st.reader || names.includes('__proto__')) return st as unknown as Statement;
  let toRow: (r: unknown[]) => unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    toRow = new Function('r', `return {${names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(', ')}};`) as (r: unknown[]) => unknown;
  } catch {
    // Code generation turned off (node --disallow-code-generation-from-strings): better-sqlite3's objects.
    return st as unknown as Statement;
  }
  st.raw(true);
  return {
    reader: true,
    all: (...params) => (st.all(...params) as unknown[][]).map(toRow),
    run: (...params) => st.run(...params),
    *iterate(...params) {
      for (const r of st.iterate(...params) as IterableIterator<unknown[]>) yield toRow(r);
    },
  };
}

/**
 * One incognito process owns a data directory: it holds an exclusive lock on a small lock database
 * beside the main one for as long as it runs (the operating system releases it when the process
 * ends, even killed), so a second process pointed at the same directory fails at start instead of
 * sharing it. The main database itself is opened in SQLite's normal locking mode, so that the
 * checkpoint worker's connection can reach it.
 */
/** The data directory is another process's (lockDataDir). */
export class DataDirInUseError extends StartupError {}

function lockDataDir(dataDir: string): Database.Database {
  const lock = new Database(path.join(dataDir, 'incognito.lock'), { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.pragma('journal_mode = MEMORY'); // no -journal file beside it
    // A write takes the exclusive lock, held until the connection closes.
    lock.pragma('user_version = 1');
  } catch (e) {
    lock.close();
    if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new DataDirInUseError(
        `the database in ${dataDir} is in use by another incognito process (SQLite serves one process; use PostgreSQL for several nodes). ` +
          `Stop that process (Ctrl-C, or kill <pid>), or start this one with a --data-dir of its own (and another --port).`,
      );
    }
    throw e;
  }
  return lock;
}

/** Kysely's view of a better-sqlite3 connection: prepared statements cached by SQL text, rows through withRowMapper. */
function kyselyDatabase(sqlite: Database.Database) {
  // Kysely prepares every query anew; cache the prepared statements by SQL text (Kysely runs one
  // query at a time on this connection, so reusing a statement is safe).
  const statements = new Map<string, Statement>();
  return {
    prepare(sql: string): Statement {
      let st = statements.get(sql);
      if (!st) {
        st = withRowMapper(sqlite.prepare(sql));
        if (statements.size < 1000) statements.set(sql, st);
      }
      return st;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}

/**
 * The database of a data directory, read-only and without its lock: for `incognito export` while
 * the server that owns the directory runs (WAL lets a reader in beside the writer). No migration
 * runs; nothing may be written through it.
 */
export async function openSqliteReader(dataDir: string): Promise<KyselyStore> {
  const file = path.join(dataDir, 'incognito.sqlite');
  if (!fs.existsSync(file)) throw new StartupError(`there is no incognito database in ${dataDir}`);
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  const database = kyselyDatabase(sqlite);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  return new KyselyStore('sqlite', db, () => db.destroy(), sqliteRunner(sqlite, database.prepare, db));
}

export async function openSqlite(dataDir: string): Promise<KyselyStore> {
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDir(dataDir);
  const file = path.join(dataDir, 'incognito.sqlite');
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  connectionSettings(sqlite);
  // WAL checkpoints run in a worker thread, off the event loop (checkpointer.ts); this until it starts.
  sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
  const database = kyselyDatabase(sqlite);
  const main = new WaitCountingDialect({ database });
  const db = new Kysely<Tables>({ dialect: main });
  let checkpointer: Awaited<ReturnType<typeof startCheckpointer>>;
  try {
    await migrate(db, 'sqlite');
    checkpointer = await startCheckpointer(sqlite, file, (msg) => logError('SQLite checkpoints', msg));
  } catch (e) {
    await db.destroy();
    lock.close();
    throw e;
  }
  // Bulk inserts (imports): one prepared statement run for each row on this connection, inside the
  // transaction Kysely holds it for (see bulk.ts).
  const rowsOn = (connection: Database.Database, statements: ReturnType<typeof kyselyDatabase>): SqliteRows =>
    Object.assign(
      (sql: string, values: unknown[][], first?: unknown) => {
        if (values.length === 0) return;
        const st = statements.prepare(sql);
        // better-sqlite3 binds the arguments in order, an array's elements in its place.
        if (first === undefined) for (const v of values) st.run(v);
        else for (const v of values) st.run(first, v);
      },
      { readCommitted: (sql: string, params: unknown[]) => (connection.inTransaction ? undefined : statements.prepare(sql).all(...params)) },
    );
  const runner = sqliteRunner(sqlite, database.prepare, db);
  // A user import's transactions: on a connection of their own (importWriter), so that they can stay
  // open across turns of the event loop (a commit writes every page the transaction changed to the
  // WAL, so fewer, larger transactions write far less: docs/performance.md, "Imports on SQLite: long
  // transactions on a connection of their own") while the hot reads answer from what is committed
  // on the main connection. Kysely's hold on the main connection is taken for the transaction's
  // length, so every other use of it waits, as for a transaction of its own (and no write of the main
  // connection can meet the import's write lock).
  const writer = importWriter(file);
  const writerDatabase = kyselyDatabase(writer);
  const writerDb = new Kysely<Tables>({ dialect: new SqliteDialect({ database: writerDatabase }) });
  const writerStore = new KyselyStore('sqlite', writerDb, undefined, undefined, rowsOn(writer, writerDatabase));
  const close = async () => {
    await writerDb.destroy();
    await checkpointer.close();
    await db.destroy();
    lock.close();
  };
  const store = new KyselyStore('sqlite', db, close, runner, rowsOn(sqlite, database));
  store.importTransaction = <T>(fn: (tx: Store) => Promise<T>): Promise<T> => {
    runner.flushNow();
    return db.connection().execute(() => writerStore.transaction(fn));
  };
  // Someone waits for the main connection (for the import's transaction to end): it ends after its batch.
  store.importWaited = () => main.waiting > 0;
  return store;
}

/**
 * Kysely's SQLite dialect, counting the uses of its one connection that wait for it (Kysely holds it
 * for a transaction, or for an import's transaction: Store.importTransaction), so that a long import
 * transaction can end early for them (Store.importWaited).
 */
class WaitCountingDialect extends SqliteDialect {
  waiting = 0;

  override createDriver(): Driver {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = async () => {
      this.waiting++;
      try {
        return await acquire();
      } finally {
        this.waiting--;
      }
    };
    return driver;
  }
}

/** What every read-write connection to the database file sets (the main one and the import writer). */
function connectionSettings(connection: Database.Database): void {
  connection.pragma('synchronous = NORMAL');
  // Bulk writes (imports): a 64 MiB page cache.
  connection.pragma('cache_size = -65536');
  // During an import's continuous writes the WAL is never fully copied back between two
  // transactions, so it grows (about 0.7 KB a user) until the import ends and a checkpoint catches
  // up; the next write then starts it over, and this limit gives the disk space back.
  connection.pragma('journal_size_limit = 67108864');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
}

/** The import writer's connection to the database file: the main connection's settings, and no checkpoints of its own (checkpointer.ts). */
function importWriter(file: string): Database.Database {
  const writer = new Database(file);
  connectionSettings(writer);
  writer.pragma('wal_autocheckpoint = 0');
  return writer;
}
