/**
 * auth_sessions: challenge sessions and authorization codes, single-use (take() deletes the row it
 * returns), and the hosted pages' sign-in sessions (get(), delete() at sign-out).
 */
import type { Db } from '../db.js';

export interface AuthSessionRecord {
  /** A hash of the Session (or SECRET_BLOCK) handed to the client. */
  id: string;
  poolId: string;
  clientId: string;
  /** Sealed JSON of the flow's state. */
  state: string;
  expiresAt: number;
  /** An authorization code's user (issueCode), read with the code (ReadRepo.clientAndCode); else absent. */
  usernameKey?: string;
}

export class SessionRepo {
  constructor(private readonly db: Db) {}

  async insert(s: AuthSessionRecord): Promise<void> {
    await this.db
      .insertInto('auth_sessions')
      .values({ id: s.id, pool_id: s.poolId, client_id: s.clientId, state: s.state, expires_at: s.expiresAt, username_key: s.usernameKey ?? null })
      .execute();
  }

  /** Inserts the session, or replaces the one with its id (a derived id that a newer sign-in takes over). */
  async put(s: AuthSessionRecord): Promise<void> {
    await this.db
      .insertInto('auth_sessions')
      .values({ id: s.id, pool_id: s.poolId, client_id: s.clientId, state: s.state, expires_at: s.expiresAt, username_key: s.usernameKey ?? null })
      .onConflict((oc) => oc.column('id').doUpdateSet({ pool_id: s.poolId, client_id: s.clientId, state: s.state, expires_at: s.expiresAt, username_key: s.usernameKey ?? null }))
      .execute();
  }

  /**
   * Removes the session and returns it: of two requests racing with one session, one gets it.
   * Expired sessions are returned too (the caller says why it refuses them).
   */
  async take(id: string): Promise<AuthSessionRecord | undefined> {
    const r = await this.db.deleteFrom('auth_sessions').where('id', '=', id).returningAll().executeTakeFirst();
    if (!r) return undefined;
    return { id: r.id, poolId: r.pool_id, clientId: r.client_id, state: r.state, expiresAt: Number(r.expires_at) };
  }

  /** Reads a session without consuming it (the hosted sign-in session, which lives for an hour). */
  async get(id: string): Promise<AuthSessionRecord | undefined> {
    const r = await this.db.selectFrom('auth_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    return { id: r.id, poolId: r.pool_id, clientId: r.client_id, state: r.state, expiresAt: Number(r.expires_at) };
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('auth_sessions').where('id', '=', id).execute();
  }

  async purgeExpired(before: number): Promise<void> {
    await this.db.deleteFrom('auth_sessions').where('expires_at', '<', before).execute();
  }
}
