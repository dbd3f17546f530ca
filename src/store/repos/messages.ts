/** messages: the outbox. Every message incognito delivers is kept here, newest last. */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import type { MessageRecord } from '../types.js';

function toMessage(r: Database['messages']): MessageRecord {
  return {
    id: r.id,
    poolId: r.pool_id,
    username: r.username,
    medium: r.medium as MessageRecord['medium'],
    destination: r.destination,
    kind: r.kind,
    subject: r.subject,
    body: r.body,
    code: r.code,
    createdAt: Number(r.created_at),
  };
}

export class MessageRepo {
  constructor(private readonly db: Db) {}

  async insert(m: MessageRecord): Promise<void> {
    await this.db
      .insertInto('messages')
      .values({
        id: m.id,
        pool_id: m.poolId,
        username: m.username,
        medium: m.medium,
        destination: m.destination,
        kind: m.kind,
        subject: m.subject,
        body: m.body,
        code: m.code,
        created_at: m.createdAt,
      })
      .execute();
  }

  /** The newest messages of a pool (optionally of one username), newest first. */
  async list(poolId: string, opts: { username?: string; limit: number }): Promise<MessageRecord[]> {
    let q = this.db.selectFrom('messages').selectAll().where('pool_id', '=', poolId);
    if (opts.username !== undefined) q = q.where('username', '=', opts.username);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
    return rows.map(toMessage);
  }
}
