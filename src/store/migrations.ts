/**
 * Schema migrations, run at start-up by Kysely's Migrator (which takes a lock, so several nodes
 * starting together on one PostgreSQL database migrate once). Never edit a migration that has
 * shipped: add a new one. The SQL is portable between SQLite and PostgreSQL.
 */
import { type Kysely, type Migration, Migrator } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001_pools_and_clients': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('user_pools')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('user_pools_region_id').on('user_pools').columns(['region', 'id']).execute();
      await db.schema
        .createTable('user_pool_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('user_pool_clients_pool_id')
        .on('user_pool_clients')
        .columns(['pool_id', 'id'])
        .execute();
    },
  },
};

/** Runs the pending migrations. `schema`: the PostgreSQL schema the tables live in, if not the default. */
export async function migrate(db: Kysely<any>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
}
