/**
 * token_families and refresh_tokens. A family is one sign-in: its refresh tokens (one, or a chain
 * when rotation is on) and every ID and access token minted from it carry its origin_jti.
 * Revocation is a fact in this table, so it holds across restarts and nodes.
 */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import type { UserRecord } from '../types.js';
import { toUser } from './users.js';

export interface TokenFamily {
  originJti: string;
  poolId: string;
  clientId: string;
  usernameKey: string;
  /** Epoch seconds. */
  authTime: number;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** The scopes a hosted (OAuth) sign-in granted; null for the API flows (their tokens get the admin scope). */
  scopes: string[] | null;
  /** The remembered device the sign-in was bound to (its access tokens carry device_key), else null. */
  deviceKey: string | null;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  originJti: string;
  createdAt: number;
  expiresAt: number;
  replacedAt: number | null;
}

const familyColumns = [
  'f.origin_jti as f_origin_jti',
  'f.client_id as f_client_id',
  'f.auth_time as f_auth_time',
  'f.created_at as f_created_at',
  'f.expires_at as f_expires_at',
  'f.revoked_at as f_revoked_at',
  'f.scopes as f_scopes',
  'f.device_key as f_device_key',
] as const;

type FamilyColumns = { f_origin_jti: string; f_client_id: string; f_auth_time: number; f_created_at: number; f_expires_at: number; f_revoked_at: number | null; f_scopes: string | null; f_device_key: string | null };

/** The family from a row joined with its user (pool and username come from the user's columns). */
const familyOf = (r: FamilyColumns & Database['users']): TokenFamily => ({
  originJti: r.f_origin_jti,
  poolId: r.pool_id,
  clientId: r.f_client_id,
  usernameKey: r.username_key,
  authTime: Number(r.f_auth_time),
  createdAt: Number(r.f_created_at),
  expiresAt: Number(r.f_expires_at),
  revokedAt: r.f_revoked_at === null ? null : Number(r.f_revoked_at),
  scopes: r.f_scopes === null ? null : r.f_scopes.split(' '),
  deviceKey: r.f_device_key,
});

export class TokenRepo {
  constructor(private readonly db: Db) {}

  /** A new sign-in with its first refresh token, in one statement each (the caller's transaction). */
  async insertFamily(f: TokenFamily, refresh: RefreshTokenRecord): Promise<void> {
    await this.db
      .insertInto('token_families')
      .values({
        origin_jti: f.originJti,
        pool_id: f.poolId,
        client_id: f.clientId,
        username_key: f.usernameKey,
        auth_time: f.authTime,
        created_at: f.createdAt,
        expires_at: f.expiresAt,
        revoked_at: null,
        scopes: f.scopes === null ? null : f.scopes.join(' '),
        device_key: f.deviceKey,
      })
      .execute();
    await this.insertRefresh(refresh);
  }

  async insertRefresh(t: RefreshTokenRecord): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({ token_hash: t.tokenHash, origin_jti: t.originJti, created_at: t.createdAt, expires_at: t.expiresAt, replaced_at: t.replacedAt })
      .execute();
  }

  /** A refresh token by its hash, with its sign-in and user, in one query. */
  async refresh(tokenHash: string): Promise<{ token: RefreshTokenRecord; family: TokenFamily; user: UserRecord } | undefined> {
    const r = await this.db
      .selectFrom('refresh_tokens as t')
      .innerJoin('token_families as f', 'f.origin_jti', 't.origin_jti')
      .innerJoin('users as u', (j) => j.onRef('u.pool_id', '=', 'f.pool_id').onRef('u.username_key', '=', 'f.username_key'))
      .selectAll('u')
      .select(familyColumns)
      .select(['t.token_hash as t_token_hash', 't.created_at as t_created_at', 't.expires_at as t_expires_at', 't.replaced_at as t_replaced_at'])
      .where('t.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      token: {
        tokenHash: r.t_token_hash,
        originJti: r.f_origin_jti,
        createdAt: Number(r.t_created_at),
        expiresAt: Number(r.t_expires_at),
        replacedAt: r.t_replaced_at === null ? null : Number(r.t_replaced_at),
      },
      family: familyOf(r),
      user: toUser(r),
    };
  }

  /** Marks a refresh token replaced (rotation); false when another request replaced it first. */
  async markReplaced(tokenHash: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('refresh_tokens')
      .set({ replaced_at: at })
      .where('token_hash', '=', tokenHash)
      .where('replaced_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Extends the family's lifetime to cover a newly rotated refresh token. */
  async extendFamily(originJti: string, expiresAt: number): Promise<void> {
    await this.db.updateTable('token_families').set({ expires_at: expiresAt }).where('origin_jti', '=', originJti).where('expires_at', '<', expiresAt).execute();
  }

  async revokeFamily(originJti: string, at: number): Promise<void> {
    await this.db.updateTable('token_families').set({ revoked_at: at }).where('origin_jti', '=', originJti).where('revoked_at', 'is', null).execute();
  }

  /** Global sign-out: every family of the user. */
  async revokeUser(poolId: string, usernameKey: string, at: number): Promise<void> {
    await this.db
      .updateTable('token_families')
      .set({ revoked_at: at })
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Deletes families that expired before `before` (their tokens with them). */
  async purgeExpired(before: number): Promise<void> {
    await this.db.deleteFrom('token_families').where('expires_at', '<', before).execute();
  }
}
