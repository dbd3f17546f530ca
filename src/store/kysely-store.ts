/**
 * The Store, written once in Kysely; the dialect (SQLite or PostgreSQL) is chosen in index.ts.
 * Each table family has its repository in repos/; a transaction hands out the same repositories
 * bound to the transaction.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './schema.js';
import type { DbStats, Store } from './types.js';
import type { SqliteRows } from './bulk.js';
import { PoolRepo } from './repos/pools.js';
import { ClientRepo } from './repos/clients.js';
import { UserRepo } from './repos/users.js';
import { MessageRepo } from './repos/messages.js';
import { CodeRepo } from './repos/codes.js';
import { GroupRepo } from './repos/groups.js';
import { MetaRepo } from './repos/meta.js';
import { KeyRepo } from './repos/keys.js';
import { TokenRepo } from './repos/tokens.js';
import { SessionRepo } from './repos/sessions.js';
import { ImportRepo } from './repos/imports.js';
import { ResourceServerRepo } from './repos/resource-servers.js';
import { ConfigRepo } from './repos/config.js';
import { DomainRepo } from './repos/domains.js';
import { ReadRepo, type PoolVersions } from './repos/reads.js';
import { DeviceRepo } from './repos/devices.js';
import { CertificateRepo } from './repos/certificates.js';
import { AuthEventRepo } from './repos/auth-events.js';
import { IdentityProviderRepo } from './repos/identity-providers.js';
import { WebAuthnRepo } from './repos/webauthn.js';
import { batched, kyselyRunner, READ_PLANNING, type PreparedRead, type ReadRunner } from './prepared.js';

let explained = 0;

export class KyselyStore implements Store {
  readonly pools: PoolRepo;
  readonly clients: ClientRepo;
  readonly users: UserRepo;
  readonly messages: MessageRepo;
  readonly codes: CodeRepo;
  readonly groups: GroupRepo;
  readonly meta: MetaRepo;
  readonly keys: KeyRepo;
  readonly tokens: TokenRepo;
  readonly sessions: SessionRepo;
  readonly imports: ImportRepo;
  readonly resourceServers: ResourceServerRepo;
  readonly config: ConfigRepo;
  readonly domains: DomainRepo;
  readonly devices: DeviceRepo;
  readonly certificates: CertificateRepo;
  readonly authEvents: AuthEventRepo;
  readonly identityProviders: IdentityProviderRepo;
  readonly webauthn: WebAuthnRepo;
  readonly reads: ReadRepo;
  /** SQLite: set by store/sqlite (Store.importTransaction). */
  importTransaction?: <T>(fn: (tx: Store) => Promise<T>) => Promise<T>;
  /** SQLite: set by store/sqlite (Store.importWaited). */
  importWaited?: () => boolean;
  /** PostgreSQL: the pool's counts (set by store/postgres). */
  poolCounts?: () => { total: number; idle: number; waiting: number };

  /** `run` runs the prepared reads (store/prepared.ts); by default through Kysely's connection handling. */
  constructor(
    readonly kind: 'sqlite' | 'postgres',
    private readonly db: Db,
    private readonly onClose: () => Promise<void> = async () => {},
    private readonly run: ReadRunner & { flushNow?(): void; queued?(): number } = kyselyRunner(db, kind),
    /** SQLite: runs a prepared statement for many rows on the connection (bulk.ts). */
    private readonly sqliteRows?: SqliteRows,
    /**
     * PostgreSQL outside transactions: runs a write of the hot paths (the sign-in's, TokenRepo.insertFamily)
     * on the prepared reads' connections, with their generic plans, concurrent ones batched
     * (prepared.ts pgRunner, PreparedRead.pgBatch).
     */
    writes?: ReadRunner,
    /** The pools the node has read (PostgreSQL, reads.ts PoolVersions): a transaction's store shares its store's. */
    poolVersions?: PoolVersions,
  ) {
    this.pools = new PoolRepo(db, kind);
    this.clients = new ClientRepo(db, kind);
    this.reads = new ReadRepo(run, poolVersions);
    this.users = new UserRepo(db, kind, sqliteRows, this.reads);
    this.messages = new MessageRepo(db);
    this.codes = new CodeRepo(db);
    this.groups = new GroupRepo(db, kind);
    this.meta = new MetaRepo(db);
    this.keys = new KeyRepo(db);
    this.tokens = new TokenRepo(db, kind, writes);
    this.sessions = new SessionRepo(db);
    this.imports = new ImportRepo(db, kind, sqliteRows);
    this.resourceServers = new ResourceServerRepo(db, kind);
    this.domains = new DomainRepo(db, kind);
    this.devices = new DeviceRepo(db, kind);
    this.certificates = new CertificateRepo(db);
    this.authEvents = new AuthEventRepo(db);
    this.identityProviders = new IdentityProviderRepo(db, kind);
    this.webauthn = new WebAuthnRepo(db, kind);
    this.config = new ConfigRepo(db, kind);
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    // Reads waiting for the end of the turn (SQLite) run first: one the transaction awaits must
    // not wait for the transaction's connection.
    this.run.flushNow?.();
    return (this.db as Kysely<Database>).transaction().execute((trx) => fn(new KyselyStore(this.kind, trx, undefined, undefined, this.sqliteRows, undefined, this.reads.pools)));
  }

  /**
   * The plan of a prepared read as this store's connections make it (EXPLAIN QUERY PLAN on SQLite,
   * EXPLAIN on PostgreSQL), one line per plan node; `batched`: the statement that reads of one kind
   * asked for together run as (PostgreSQL, store/prepared.ts), each parameter then a list. For tests
   * (tests/query-plans.test.ts) and diagnosis.
   */
  async explain(q: PreparedRead, params: readonly unknown[], opts: { batched?: boolean; generic?: boolean } = {}): Promise<string> {
    const text = this.kind === 'sqlite' ? q.sqlite : opts.batched ? batched(q).text : q.pg;
    if (opts.generic && this.kind === 'postgres') return this.explainGeneric(text, params);
    const r = await this.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`${this.kind === 'sqlite' ? 'explain query plan' : 'explain'} ${text}`, [...params]));
    return r.rows.map((row) => String(row.detail ?? row['QUERY PLAN'])).join('\n');
  }

  /**
   * PostgreSQL: the generic plan of a statement (the plan the prepared reads' connections cache, made
   * without the parameters' values, with those connections' planner settings: postgres/index.ts), as
   * of the tables now. PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN): the statement is prepared on one
   * connection with those settings and its execution explained.
   */
  private explainGeneric(text: string, params: readonly unknown[]): Promise<string> {
    const literal = (v: unknown): string => {
      if (v === null || v === undefined) return 'NULL';
      if (Array.isArray(v)) return `ARRAY[${v.map(literal).join(', ')}]::text[]`;
      return `'${String(v).replace(/'/g, "''")}'`;
    };
    const name = `incognito_explain_${++explained}`;
    return (this.db as Kysely<Database>).connection().execute(async (c) => {
      for (const [name, value] of READ_PLANNING) await c.executeQuery(CompiledQuery.raw(`SET ${name} = ${value}`));
      try {
        await c.executeQuery(CompiledQuery.raw(`PREPARE ${name} AS ${text}`));
        const r = await c.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`EXPLAIN EXECUTE ${name}(${params.map(literal).join(', ')})`));
        return r.rows.map((row) => String(row['QUERY PLAN'])).join('\n');
      } finally {
        await c.executeQuery(CompiledQuery.raw(`DEALLOCATE ${name}`)).catch(() => {});
        for (const [name] of READ_PLANNING) await c.executeQuery(CompiledQuery.raw(`RESET ${name}`));
      }
    });
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('user_pools').select('id').limit(1).execute();
  }

  dbStats(): DbStats {
    return { ...this.poolCounts?.(), queuedReads: this.run.queued?.() ?? 0 };
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
