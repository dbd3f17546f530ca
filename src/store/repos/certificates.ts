/** pool_certificates: each pool's X.509 signing certificate (GetSigningCertificate), its private key sealed. */
import type { Db } from '../db.js';

export interface PoolCertificateRecord {
  poolId: string;
  /** PEM. */
  certificate: string;
  /** Sealed PKCS#8 PEM (domain/certificates.ts). */
  privateKey: string;
  createdAt: number;
}

export class CertificateRepo {
  constructor(private readonly db: Db) {}

  async get(poolId: string): Promise<PoolCertificateRecord | undefined> {
    const r = await this.db.selectFrom('pool_certificates').selectAll().where('pool_id', '=', poolId).executeTakeFirst();
    return r && { poolId: r.pool_id, certificate: r.certificate, privateKey: r.private_key, createdAt: Number(r.created_at) };
  }

  /** Stores the certificate unless the pool has one already (another node made it first). */
  async insertIfAbsent(c: PoolCertificateRecord): Promise<void> {
    await this.db
      .insertInto('pool_certificates')
      .values({ pool_id: c.poolId, certificate: c.certificate, private_key: c.privateKey, created_at: c.createdAt })
      .onConflict((oc) => oc.column('pool_id').doNothing())
      .execute();
  }
}
