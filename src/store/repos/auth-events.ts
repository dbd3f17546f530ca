/**
 * auth_events: the user activity advanced security records (domain/auth-events.ts), one row an
 * event; risk_configurations: SetRiskConfiguration's pool-level ('' client) and client-level
 * configurations. Events go with their user (foreign key, ON DELETE CASCADE), configurations with
 * their pool.
 */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import type { AuthEventRecord, EventFeedback, RiskConfiguration } from '../../domain/auth-events.js';

function toEvent(r: Database['auth_events']): AuthEventRecord {
  const e = JSON.parse(r.event) as Omit<AuthEventRecord, 'poolId' | 'usernameKey' | 'eventId' | 'createdAt' | 'feedback'>;
  return {
    ...e,
    poolId: r.pool_id,
    usernameKey: r.username_key,
    eventId: r.event_id,
    createdAt: Number(r.created_at),
    feedback: r.feedback === null ? null : (JSON.parse(r.feedback) as EventFeedback),
  };
}

export class AuthEventRepo {
  constructor(private readonly db: Db) {}

  async insert(e: AuthEventRecord): Promise<void> {
    const { poolId, usernameKey, eventId, createdAt, feedback, ...rest } = e;
    await this.db
      .insertInto('auth_events')
      .values({ pool_id: poolId, username_key: usernameKey, event_id: eventId, created_at: createdAt, event: JSON.stringify(rest), feedback: feedback ? JSON.stringify(feedback) : null })
      .execute();
  }

  async get(poolId: string, usernameKey: string, eventId: string): Promise<AuthEventRecord | undefined> {
    const r = await this.db
      .selectFrom('auth_events')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return r && toEvent(r);
  }

  /** Newest first; `before`: the (createdAt, eventId) of the last event of the previous page. */
  async list(poolId: string, usernameKey: string, before: { createdAt: number; eventId: string } | undefined, limit: number): Promise<AuthEventRecord[]> {
    let q = this.db.selectFrom('auth_events').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey);
    if (before) {
      q = q.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('event_id', '<', before.eventId)])]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('event_id', 'desc').limit(limit).execute();
    return rows.map(toEvent);
  }

  async setFeedback(poolId: string, usernameKey: string, eventId: string, feedback: EventFeedback): Promise<boolean> {
    const r = await this.db
      .updateTable('auth_events')
      .set({ feedback: JSON.stringify(feedback) })
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The risk configuration of the pool (clientId '') or of one client. */
  async getRisk(poolId: string, clientId: string): Promise<RiskConfiguration | undefined> {
    const r = await this.db.selectFrom('risk_configurations').selectAll().where('pool_id', '=', poolId).where('client_id', '=', clientId).executeTakeFirst();
    return r && { ...(JSON.parse(r.config) as Omit<RiskConfiguration, 'updatedAt'>), updatedAt: Number(r.updated_at) };
  }

  async putRisk(poolId: string, clientId: string, config: RiskConfiguration): Promise<void> {
    const { updatedAt, ...rest } = config;
    const text = JSON.stringify(rest);
    await this.db
      .insertInto('risk_configurations')
      .values({ pool_id: poolId, client_id: clientId, config: text, updated_at: updatedAt })
      .onConflict((oc) => oc.columns(['pool_id', 'client_id']).doUpdateSet({ config: text, updated_at: updatedAt }))
      .execute();
  }

  async deleteRisk(poolId: string, clientId: string): Promise<void> {
    await this.db.deleteFrom('risk_configurations').where('pool_id', '=', poolId).where('client_id', '=', clientId).execute();
  }
}
