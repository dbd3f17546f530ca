import type { Config } from '../config.js';
import type { Store } from './types.js';

/** Opens the store the configuration names: PostgreSQL when a database URL is set, else SQLite. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'databaseSchema' | 'dataDir'>): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgres } = await import('./postgres/index.js');
    return openPostgres(config.databaseUrl, config.databaseSchema);
  }
  const { openSqlite } = await import('./sqlite/index.js');
  return openSqlite(config.dataDir);
}

/**
 * Why the configuration names no existing store (a mistyped --data-dir, another schema), or
 * undefined when it does: for commands that read a store and must not make one (export). Writes nothing.
 */
export async function missingStore(config: Pick<Config, 'databaseUrl' | 'databaseSchema' | 'dataDir'>): Promise<string | undefined> {
  if (!config.databaseUrl) {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(config.dataDir, 'incognito.sqlite');
    return fs.existsSync(file) ? undefined : `there is no incognito database in ${path.resolve(config.dataDir)} (no incognito.sqlite): give the --data-dir the server uses`;
  }
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: config.databaseUrl });
  try {
    await c.connect();
  } catch {
    await c.end().catch(() => {});
    return undefined; // openStore says why it cannot connect
  }
  try {
    const r = await c.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = COALESCE($1, current_schema()) AND table_name = 'kysely_migration'`,
      [config.databaseSchema ?? null],
    );
    const schema = config.databaseSchema ?? (await c.query('SELECT current_schema() AS s')).rows[0]?.s;
    return r.rowCount ? undefined : `there is no incognito database in the schema ${schema} of this PostgreSQL database (no migrations table): give the --database-url and --database-schema the server uses`;
  } finally {
    await c.end();
  }
}
