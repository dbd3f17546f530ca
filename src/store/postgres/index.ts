/** PostgreSQL for production and for several nodes on one database, through Kysely's pg dialect. */
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type DatabaseIntrospector, type DatabaseMetadata, type SchemaMetadata, type TableMetadata } from 'kysely';
import type { Database as Tables } from '../schema.js';
import { migrate } from '../migrations.js';
import { KyselyStore } from '../kysely-store.js';
import { pgRunner, READ_PLANNING } from '../prepared.js';
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

/**
 * Connections for the prepared reads (see openPostgres). They run at most MAX_IN_FLIGHT statements of
 * each kind at once (store/prepared.ts), batched beyond that.
 */
export const READ_CONNECTIONS = 6;


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
  const searchPath = schema ? [`-c search_path=${schema}`] : [];
  const pool = new pg.Pool({ connectionString: url, max: 10, options: [`-c plan_cache_mode=force_custom_plan`, ...searchPath].join(' ') });
  // The prepared reads of the hot paths (store/prepared.ts, repos/reads.ts) on connections of their own,
  // with generic plans: each read's statement is planned once per connection instead of at every
  // execution, which was most of what PostgreSQL spent on a read. That is safe for these statements
  // only: each enters every table it reads at a full key (primary key or unique index, a group's
  // members by user), so the plan does not depend on the values nor on the tables' sizes, and a plan
  // made while the tables were empty (a new database) is the plan for a million users too.
  // Two things make it so: the secondary indexes of users that begin with pool_id are partial (migration
  // 0015), so a user's key has one index; and these connections rule out the plans a small table
  // invites (a hash join over a whole table for the batched form, a bitmap, a merge join), which a
  // plan kept for the connection's life must not be. tests/query-plans.test.ts plans each read
  // generically on empty tables, with a few users, after an import and after ANALYZE, and checks the
  // indexes. Everything else (writes, foreign-key checks, transactions, ListUsers' pages) stays on
  // the pool above.
  const readPool = new pg.Pool({ connectionString: url, max: READ_CONNECTIONS, options: [...READ_PLANNING.map(([name, value]) => `-c ${name}=${value}`), ...searchPath].join(' ') });
  // An idle connection that dies (database restart) must not crash the process.
  pool.on('error', () => {});
  readPool.on('error', () => {});
  const db = new Kysely<Tables>({ dialect: new OwnSchemaDialect({ pool }, schema) });
  try {
    await migrate(db, 'postgres', schema);
  } catch (e) {
    await readPool.end().catch(() => {});
    throw e;
  }
  // The sign-in's write (TokenRepo.insertFamily) runs there too, batched as the reads are: concurrent
  // sign-ins written by one statement and one commit (store/prepared.ts, tokens.ts).
  const reads = pgRunner(readPool);
  const store = new KyselyStore('postgres', db, async () => {
    await Promise.all([db.destroy(), readPool.end()]);
  }, reads, undefined, reads);
  store.poolCounts = () => ({
    total: pool.totalCount + readPool.totalCount,
    idle: pool.idleCount + readPool.idleCount,
    waiting: pool.waitingCount + readPool.waitingCount,
  });
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
