/** The embedded default: one SQLite file in WAL mode, reached through Kysely's SQLite dialect. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database as Tables } from '../schema.js';
import { migrate } from '../migrations.js';
import { KyselyStore } from '../kysely-store.js';
import { sqliteRunner } from '../prepared.js';

export async function openSqlite(dataDir: string): Promise<KyselyStore> {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'incognito.sqlite');
  const sqlite = new Database(file);
  // One incognito process owns the file: no per-statement file locking, and a second process
  // pointed at the same data directory fails at start instead of sharing it.
  sqlite.pragma('locking_mode = EXCLUSIVE');
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('BEGIN IMMEDIATE; COMMIT;');
  } catch (e) {
    sqlite.close();
    if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new Error(`the database in ${dataDir} is in use by another incognito process (SQLite serves one process; use PostgreSQL for several nodes)`);
    }
    throw e;
  }
  sqlite.pragma('synchronous = NORMAL');
  // Bulk writes (imports): a 64 MiB page cache, and WAL checkpoints every ~40 MiB rather than every
  // 4 MiB (each checkpoint syncs the database file; measured, they cost a 1,000-user batch ~100 ms).
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Kysely prepares every query anew; cache the prepared statements by SQL text (Kysely runs one
  // query at a time on this connection, so reusing a statement is safe).
  const statements = new Map<string, Database.Statement>();
  const database = {
    prepare(sql: string) {
      let st = statements.get(sql);
      if (!st) {
        st = sqlite.prepare(sql);
        if (statements.size < 1000) statements.set(sql, st);
      }
      return st;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  await migrate(db, 'sqlite');
  // Bulk inserts (imports): one prepared statement run for each row on this connection, inside the
  // transaction Kysely holds it for (see bulk.ts).
  const rows = (sql: string, values: unknown[][]) => {
    const st = database.prepare(sql);
    for (const v of values) st.run(v);
  };
  return new KyselyStore('sqlite', db, () => db.destroy(), sqliteRunner(sqlite, database.prepare, db), rows);
}
