/** signing_keys: the two RSA key pairs of each pool (`use` 'id' or 'access'); private keys sealed. */
import type { Db } from '../db.js';

export interface SigningKeyRecord {
  poolId: string;
  use: 'id' | 'access';
  kid: string;
  /** The public key as a JWK (JSON text). */
  publicJwk: string;
  /** Sealed PKCS#8 DER. */
  privateKey: string;
  createdAt: number;
}

export class KeyRepo {
  constructor(private readonly db: Db) {}

  async list(poolId: string): Promise<SigningKeyRecord[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().where('pool_id', '=', poolId).execute();
    return rows.map((r) => ({
      poolId: r.pool_id,
      use: r.use as 'id' | 'access',
      kid: r.kid,
      publicJwk: r.public_jwk,
      privateKey: r.private_key,
      createdAt: Number(r.created_at),
    }));
  }

  /** Inserts the keys unless the pool has keys for that use already (another node made them first). */
  async insertIfAbsent(keys: SigningKeyRecord[]): Promise<void> {
    for (const k of keys) {
      await this.db
        .insertInto('signing_keys')
        .values({ pool_id: k.poolId, use: k.use, kid: k.kid, public_jwk: k.publicJwk, private_key: k.privateKey, created_at: k.createdAt })
        .onConflict((oc) => oc.columns(['pool_id', 'use']).doNothing())
        .execute();
    }
  }
}
