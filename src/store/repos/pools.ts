/** user_pools: one row per pool; settings and tags are JSON text. */
import type { Kysely } from 'kysely';
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import type { PoolRecord } from '../types.js';

/**
 * Parsed settings by pool id, reused while the row's settings text is unchanged (every read still
 * goes to the database, so several nodes stay consistent; only the JSON parsing is saved).
 * Records are frozen-by-convention: operations copy before changing (`{ ...pool, settings }`).
 */
const parsed = new Map<string, { text: string; tags: string; record: PoolRecord }>();

/** The columns of user_pools, named (prepared statements never select `*`: repos/reads.ts). */
export const POOL_COLUMNS = ['id', 'region', 'name', 'created_at', 'updated_at', 'settings', 'tags'] as const;

export function toPool(r: Database['user_pools']): PoolRecord {
  const hit = parsed.get(r.id);
  if (hit && hit.text === r.settings && hit.tags === r.tags && hit.record.name === r.name && hit.record.updatedAt === Number(r.updated_at)) {
    return hit.record;
  }
  const record: PoolRecord = {
    id: r.id,
    region: r.region,
    name: r.name,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    settings: JSON.parse(r.settings),
    tags: JSON.parse(r.tags),
  };
  if (parsed.size > 10_000) parsed.clear();
  parsed.set(r.id, { text: r.settings, tags: r.tags, record });
  return record;
}

export class PoolRepo {
  constructor(private readonly db: Db, private readonly kind: 'sqlite' | 'postgres') {}

  async insert(p: PoolRecord): Promise<void> {
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

  async get(id: string, opts?: { forUpdate?: boolean }): Promise<PoolRecord | undefined> {
    let q = this.db.selectFrom('user_pools').selectAll().where('id', '=', id);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toPool(r);
  }

  async update(p: PoolRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('user_pools')
      .set({ name: p.name, updated_at: p.updatedAt, settings: JSON.stringify(p.settings), tags: JSON.stringify(p.tags) })
      .where('id', '=', p.id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Child rows (clients, groups, import jobs...) go with the pool by ON DELETE CASCADE. Deleted here
   * first, in the same transaction, what has no foreign key to the pool: its users on PostgreSQL
   * (theirs go with them by cascade: aliases, codes, memberships, tokens; see UserRepo.lockPool) and
   * the import jobs' log lines.
   */
  async delete(id: string): Promise<boolean> {
    const run = async (db: Db) => {
      await db.deleteFrom('users').where('pool_id', '=', id).execute();
      await db
        .deleteFrom('import_log')
        .where('job_id', 'in', (eb) => eb.selectFrom('import_jobs').select('job_id').where('pool_id', '=', id))
        .execute();
      const r = await db.deleteFrom('user_pools').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    };
    if (this.db.isTransaction) return run(this.db);
    return (this.db as Kysely<Database>).transaction().execute(run);
  }

  async list(region: string, afterId: string | undefined, limit: number): Promise<PoolRecord[]> {
    let q = this.db.selectFrom('user_pools').selectAll().where('region', '=', region);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map(toPool);
  }

  /** A page of the pools of every region, by id (the web console's list, incognito export). */
  async listAll(afterId: string | undefined, limit: number): Promise<PoolRecord[]> {
    let q = this.db.selectFrom('user_pools').selectAll();
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map(toPool);
  }
}
