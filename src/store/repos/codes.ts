/** codes: one pending code per (user, purpose), stored as a hash. */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';

export interface CodeRecord {
  poolId: string;
  usernameKey: string;
  purpose: string;
  codeHash: string;
  expiresAt: number;
  attempts: number;
  createdAt: number;
}

const toCode = (r: Database['codes']): CodeRecord => ({
  poolId: r.pool_id,
  usernameKey: r.username_key,
  purpose: r.purpose,
  codeHash: r.code_hash,
  expiresAt: Number(r.expires_at),
  attempts: Number(r.attempts),
  createdAt: Number(r.created_at),
});

export class CodeRepo {
  constructor(private readonly db: Db) {}

  /** Stores the code, replacing the user's earlier one of the same purpose. */
  async put(c: CodeRecord): Promise<void> {
    const row = {
      pool_id: c.poolId,
      username_key: c.usernameKey,
      purpose: c.purpose,
      code_hash: c.codeHash,
      expires_at: c.expiresAt,
      attempts: c.attempts,
      created_at: c.createdAt,
    };
    await this.db
      .insertInto('codes')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['pool_id', 'username_key', 'purpose']).doUpdateSet({
          code_hash: row.code_hash,
          expires_at: row.expires_at,
          attempts: 0,
          created_at: row.created_at,
        }),
      )
      .execute();
  }

  async get(poolId: string, usernameKey: string, purpose: string): Promise<CodeRecord | undefined> {
    const r = await this.db
      .selectFrom('codes')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    return r && toCode(r);
  }

  async addAttempt(poolId: string, usernameKey: string, purpose: string): Promise<void> {
    await this.db
      .updateTable('codes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('purpose', '=', purpose)
      .execute();
  }

  /** Deletes the code if it is still the one with this hash; false when someone else used it first. */
  async delete(poolId: string, usernameKey: string, purpose: string, codeHash?: string): Promise<boolean> {
    let q = this.db.deleteFrom('codes').where('pool_id', '=', poolId).where('username_key', '=', usernameKey).where('purpose', '=', purpose);
    if (codeHash !== undefined) q = q.where('code_hash', '=', codeHash);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
