/** user_pool_clients: one row per app client; settings are JSON text. */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import type { ClientRecord } from '../types.js';
import { secretsOfRow } from '../../domain/client-secrets.js';

/** Parsed settings by client id, reused while the row is unchanged (as pools.ts does for pools). */
const parsed = new Map<string, { text: string; secrets: string | null; record: ClientRecord }>();

export function toClient(r: Database['user_pool_clients']): ClientRecord {
  const hit = parsed.get(r.id);
  if (hit && hit.text === r.settings && hit.record.updatedAt === Number(r.updated_at) && hit.record.secret === r.secret && hit.secrets === r.secrets && hit.record.name === r.name) {
    return hit.record;
  }
  const record: ClientRecord = {
    id: r.id,
    poolId: r.pool_id,
    name: r.name,
    secret: r.secret,
    secrets: secretsOfRow(r.id, r.secret, r.secrets ?? null, Number(r.created_at)),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    settings: JSON.parse(r.settings),
  };
  if (parsed.size > 10_000) parsed.clear();
  parsed.set(r.id, { text: r.settings, secrets: r.secrets ?? null, record });
  return record;
}

export class ClientRepo {
  constructor(private readonly db: Db, private readonly kind: 'sqlite' | 'postgres') {}

  async insert(c: ClientRecord): Promise<void> {
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
        secrets: c.secrets.length ? JSON.stringify(c.secrets) : null,
      })
      .execute();
  }

  async get(clientId: string, opts?: { forUpdate?: boolean }): Promise<ClientRecord | undefined> {
    let q = this.db.selectFrom('user_pool_clients').selectAll().where('id', '=', clientId);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toClient(r);
  }

  async update(c: ClientRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('user_pool_clients')
      .set({ name: c.name, updated_at: c.updatedAt, settings: JSON.stringify(c.settings) })
      .where('id', '=', c.id)
      .where('pool_id', '=', c.poolId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Replaces the client's secrets (the row read forUpdate in the same transaction); `secret`
   * follows: the oldest of them.
   */
  async setSecrets(c: ClientRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('user_pool_clients')
      .set({ secret: c.secrets[0]?.value ?? null, secrets: JSON.stringify(c.secrets), updated_at: c.updatedAt })
      .where('id', '=', c.id)
      .where('pool_id', '=', c.poolId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(poolId: string, clientId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('user_pool_clients')
      .where('id', '=', clientId)
      .where('pool_id', '=', poolId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async list(poolId: string, afterId: string | undefined, limit: number): Promise<ClientRecord[]> {
    // `name IS NOT NULL` (always true) lets the listing use user_pool_clients_pool_id, partial on it
    // so that reads by id cannot (migration 0015).
    let q = this.db.selectFrom('user_pool_clients').selectAll().where('pool_id', '=', poolId).where('name', 'is not', null);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map(toClient);
  }
}
