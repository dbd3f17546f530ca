/** PostgreSQL for production and for several nodes on one database, through Kysely's pg dialect. */
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type DatabaseIntrospector, type DatabaseMetadata, type SchemaMetadata, type TableMetadata } from 'kysely';
import type { Database as Tables } from '../schema.js';
import { migrate } from '../migrations.js';
import { KyselyStore } from '../kysely-store.js';
import { pgRunner } from '../prepared.js';
import { StartupError } from '../../startup-error.js';

/** The database URL as it may be printed: its password replaced. */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(the --database-url given)';
  }
}

// BIGINT columns hold epoch milliseconds: well inside a double's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export async function openPostgres(url: string, schema?: string): Promise<KyselyStore> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`database schema name '${schema}' must be lower-case letters, digits and _`);
  }
  // One connection first: a database that cannot be reached is a StartupError naming it.
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
  } catch (e) {
    await c.end().catch(() => {});
    throw new StartupError(`cannot connect to PostgreSQL at ${withoutPassword(url)}: ${(e as Error).message || String(e)}. Start it, or correct --database-url (DATABASE_URL).`);
  }
  try {
    if (schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await c.end();
  }
  // force_custom_plan: foreign-key checks are planned with their actual values. With cached generic
  // plans, a session that first checked keys while a table was small kept seq-scanning it after a
  // bulk load (measured: 10,000 users took 27 s to insert instead of 0.4 s).
  const options = [`-c plan_cache_mode=force_custom_plan`, ...(schema ? [`-c search_path=${schema}`] : [])].join(' ');
  const pool = new pg.Pool({ connectionString: url, max: 10, options });
  // An idle connection that dies (database restart) must not crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Tables>({ dialect: new OwnSchemaDialect({ pool }, schema) });
  await migrate(db, 'postgres', schema);
  // The prepared reads (store/prepared.ts) use the same connections, so the same custom plans: a
  // generic plan cached while a table was small outlives its growth (docs/decisions.md).
  const store = new KyselyStore('postgres', db, () => db.destroy(), pgRunner(pool));
  store.poolCounts = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  return store;
}

/**
 * Kysely's PostgreSQL introspector reads the catalog of every schema of the database (with
 * has_schema_privilege and pg_get_serial_sequence on each column): a schema another application
 * drops meanwhile fails that read ("schema ... does not exist"), and with it our start-up, though
 * nothing is wrong with ours (found by an acceptance pass: starting while other schemas of the
 * database came and went). The Migrator only asks which schemas exist and which tables ours holds,
 * so this introspector answers exactly that, reading nothing of other schemas' tables.
 */
export class OwnSchemaDialect extends PostgresDialect {
  constructor(
    config: ConstructorParameters<typeof PostgresDialect>[0],
    /** The schema named by --database-schema; else the connection's current schema. */
    private readonly schema: string | undefined,
  ) {
    super(config);
  }

  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    const schema = this.schema;
    return {
      async getSchemas(): Promise<SchemaMetadata[]> {
        const r = await sql<{ nspname: string }>`select nspname from pg_catalog.pg_namespace`.execute(db);
        return r.rows.map((row) => ({ name: row.nspname }));
      },
      async getTables(): Promise<TableMetadata[]> {
        const r = await sql<{ relname: string; relkind: string }>`
          select c.relname, c.relkind from pg_catalog.pg_class c
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where n.nspname = ${schema ?? sql`current_schema()`} and c.relkind in ('r', 'v', 'p')`.execute(db);
        return r.rows.map((row) => ({ name: row.relname, ...(schema ? { schema } : {}), isView: row.relkind === 'v', columns: [] }));
      },
      async getMetadata(): Promise<DatabaseMetadata> {
        return { tables: await this.getTables() };
      },
    };
  }
}
