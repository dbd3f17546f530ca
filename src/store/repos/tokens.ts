/**
 * token_families and refresh_tokens. A family is one sign-in: its refresh tokens (one, or a chain
 * when rotation is on) and every ID and access token minted from it carry its origin_jti.
 * Revocation is a fact in this table, so it holds across restarts and nodes.
 */
import type { Db } from '../db.js';

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
