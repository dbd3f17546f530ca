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
