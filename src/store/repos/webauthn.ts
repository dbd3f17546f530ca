/**
 * webauthn_credentials: the passkeys of users (CompleteWebAuthnRegistration), one row per
 * credential. A credential ID is unique in its pool. The row goes with its user (foreign key, ON
 * DELETE CASCADE) and so with its pool. Lists read through the primary key (pool_id,
 * username_key, credential_id): in credential-ID order.
 */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';

export interface WebAuthnCredentialRecord {
  poolId: string;
  usernameKey: string;
  /** base64url. */
  credentialId: string;
  /** base64url COSE public key. */
  publicKey: string;
  /** The last signature counter accepted. */
  signCount: number;
  transports: string[];
  friendlyName: string;
  attachment: string | null;
  rpId: string;
  userVerified: boolean;
  /** Epoch milliseconds. */
  createdAt: number;
  lastUsedAt: number | null;
}

function toCredential(r: Database['webauthn_credentials']): WebAuthnCredentialRecord {
  let transports: string[] = [];
  try {
    const parsed: unknown = JSON.parse(r.transports);
    if (Array.isArray(parsed)) transports = parsed.filter((t): t is string => typeof t === 'string');
  } catch {
    // Written by insert() only: never malformed; an empty list if it ever were.
  }
  return {
    poolId: r.pool_id,
    usernameKey: r.username_key,
    credentialId: r.credential_id,
    publicKey: r.public_key,
    signCount: Number(r.sign_count),
    transports,
    friendlyName: r.friendly_name,
    attachment: r.attachment,
    rpId: r.rp_id,
    userVerified: Number(r.user_verified) === 1,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  };
}

export class WebAuthnRepo {
  constructor(private readonly db: Db, private readonly kind: 'sqlite' | 'postgres') {}

  /** Stores a new credential. False when the pool already has a credential with this ID. */
  async insert(c: WebAuthnCredentialRecord): Promise<boolean> {
    const r = await this.db
      .insertInto('webauthn_credentials')
      .values({
        pool_id: c.poolId,
        username_key: c.usernameKey,
        credential_id: c.credentialId,
        public_key: c.publicKey,
        sign_count: c.signCount,
        transports: JSON.stringify(c.transports),
        friendly_name: c.friendlyName,
        attachment: c.attachment,
        rp_id: c.rpId,
        user_verified: c.userVerified ? 1 : 0,
        created_at: c.createdAt,
        last_used_at: c.lastUsedAt,
      })
      .onConflict((oc) => oc.columns(['pool_id', 'credential_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** The user's credential. `forUpdate` locks the row (PostgreSQL). */
  async get(poolId: string, usernameKey: string, credentialId: string, opts?: { forUpdate?: boolean }): Promise<WebAuthnCredentialRecord | undefined> {
    let q = this.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('credential_id', '=', credentialId);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toCredential(r);
  }

  /** Up to `limit` of the user's credentials, by credential ID, after the ID `after`. */
  async list(poolId: string, usernameKey: string, after: string | undefined, limit: number): Promise<WebAuthnCredentialRecord[]> {
    let q = this.db.selectFrom('webauthn_credentials').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey);
    if (after !== undefined) q = q.where('credential_id', '>', after);
    const rows = await q.orderBy('credential_id').limit(limit).execute();
    return rows.map(toCredential);
  }

  async count(poolId: string, usernameKey: string): Promise<number> {
    const r = await this.db
      .selectFrom('webauthn_credentials')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /**
   * Records a sign-in with the credential: the new counter and the time. The counter only moves
   * forward: false when the row is gone or another sign-in already stored this counter or a later one.
   */
  async recordUse(poolId: string, usernameKey: string, credentialId: string, previous: number, signCount: number, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('webauthn_credentials')
      .set({ sign_count: signCount, last_used_at: at })
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('credential_id', '=', credentialId)
      .where('sign_count', '=', previous)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(poolId: string, usernameKey: string, credentialId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('webauthn_credentials')
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
