/** The Store, written once in Kysely; the dialect (SQLite or PostgreSQL) is chosen in index.ts. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { ClientRecord, PoolRecord, Store } from './types.js';

type Db = Kysely<Database> | Transaction<Database>;

function toPool(r: Database['user_pools']): PoolRecord {
  return {
    id: r.id,
    region: r.region,
    name: r.name,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    settings: JSON.parse(r.settings),
    tags: JSON.parse(r.tags),
  };
}

function toClient(r: Database['user_pool_clients']): ClientRecord {
  return {
    id: r.id,
    poolId: r.pool_id,
    name: r.name,
    secret: r.secret,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    settings: JSON.parse(r.settings),
  };
}

export class KyselyStore implements Store {
  constructor(
    readonly kind: 'sqlite' | 'postgres',
    private readonly db: Db,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return (this.db as Kysely<Database>).transaction().execute((trx) => fn(new KyselyStore(this.kind, trx)));
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('user_pools').select('id').limit(1).execute();
  }

  close(): Promise<void> {
    return this.onClose();
  }

  async insertPool(p: PoolRecord): Promise<void> {
    await this.db
      .insertInto('user_pools')
      .values({
        id: p.id,
        region: p.region,
        name: p.name,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        settings: JSON.stringify(p.settings),
        tags: JSON.stringify(p.tags),
      })
      .execute();
  }

  async getPool(id: string, opts?: { forUpdate?: boolean }): Promise<PoolRecord | undefined> {
    let q = this.db.selectFrom('user_pools').selectAll().where('id', '=', id);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toPool(r);
  }

  async updatePool(p: PoolRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('user_pools')
      .set({ name: p.name, updated_at: p.updatedAt, settings: JSON.stringify(p.settings), tags: JSON.stringify(p.tags) })
      .where('id', '=', p.id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Child rows (clients, and later users, groups...) go with the pool by ON DELETE CASCADE. */
  async deletePool(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('user_pools').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async listPools(region: string, afterId: string | undefined, limit: number): Promise<PoolRecord[]> {
    let q = this.db.selectFrom('user_pools').selectAll().where('region', '=', region);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map(toPool);
  }

  async insertClient(c: ClientRecord): Promise<void> {
    await this.db
      .insertInto('user_pool_clients')
      .values({
        id: c.id,
        pool_id: c.poolId,
        name: c.name,
        secret: c.secret,
        created_at: c.createdAt,
        updated_at: c.updatedAt,
        settings: JSON.stringify(c.settings),
      })
      .execute();
  }

  async getClient(clientId: string, opts?: { forUpdate?: boolean }): Promise<ClientRecord | undefined> {
    let q = this.db.selectFrom('user_pool_clients').selectAll().where('id', '=', clientId);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toClient(r);
  }

  async updateClient(c: ClientRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('user_pool_clients')
      .set({ name: c.name, updated_at: c.updatedAt, settings: JSON.stringify(c.settings) })
      .where('id', '=', c.id)
      .where('pool_id', '=', c.poolId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteClient(poolId: string, clientId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('user_pool_clients')
      .where('id', '=', clientId)
      .where('pool_id', '=', poolId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async listClients(poolId: string, afterId: string | undefined, limit: number): Promise<ClientRecord[]> {
    let q = this.db.selectFrom('user_pool_clients').selectAll().where('pool_id', '=', poolId);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map(toClient);
  }
}
