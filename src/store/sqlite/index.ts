/** The embedded default: one SQLite file in WAL mode, reached through Kysely's SQLite dialect. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database as Tables } from '../schema.js';
import { migrate } from '../migrations.js';
import { KyselyStore } from '../kysely-store.js';

export async function openSqlite(dataDir: string): Promise<KyselyStore> {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'incognito.sqlite');
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db, 'sqlite');
  return new KyselyStore('sqlite', db, () => db.destroy());
}
