/**
 * user_pool_domains: one row per domain, keyed by the name itself, so a name is held by one pool
 * at most across the installation and, of two concurrent creates of one name, exactly one wins.
 * The unique index (pool_id, kind) keeps a pool to one prefix and one custom domain.
 */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import { ConflictError, isUniqueViolation } from '../errors.js';
import type { DomainKind, DomainRecord } from '../types.js';

function toDomain(r: Database['user_pool_domains']): DomainRecord {
  return {
    domain: r.domain,
    poolId: r.pool_id,
    kind: r.kind as DomainKind,
    certificateArn: r.certificate_arn,
    managedLoginVersion: Number(r.managed_login_version),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Which unique key a violation hit: the pool's one domain of a kind, or the name (the primary key). */
function conflictOf(e: unknown): ConflictError {
  const err = e as { constraint?: string; message?: string };
  const onKind = err.constraint === 'user_pool_domains_pool_kind' || /user_pool_domains\.kind/.test(String(err.message ?? ''));
  return new ConflictError(onKind ? 'pool-domain-kind' : 'domain');
}

export class DomainRepo {
  constructor(private readonly db: Db, private readonly kind: 'sqlite' | 'postgres') {}

  /**
   * Inserts the domain. ConflictError('domain') when the name is taken (by any pool),
   * ConflictError('pool-domain-kind') when the pool has a domain of that kind already.
   */
  async insert(d: DomainRecord): Promise<void> {
    try {
      await this.db
        .insertInto('user_pool_domains')
        .values({
          domain: d.domain,
          pool_id: d.poolId,
          kind: d.kind,
          certificate_arn: d.certificateArn,
          managed_login_version: d.managedLoginVersion,
          created_at: d.createdAt,
          updated_at: d.updatedAt,
        })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw conflictOf(e);
      throw e;
    }
  }

  /**
   * The domain of that exact name, whichever pool holds it: a prefix (`myapp`) or a custom domain
   * name (`auth.example.com`). Names are stored in lower case; pass a Host header lower-cased and
   * without its port (and, for `<prefix>.auth.<region>.amazoncognito.com`, the prefix alone).
   */
  async find(domain: string, opts?: { forUpdate?: boolean }): Promise<DomainRecord | undefined> {
    let q = this.db.selectFrom('user_pool_domains').selectAll().where('domain', '=', domain);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toDomain(r);
  }

  /** The pool's domains: its prefix domain first, then its custom domain (at most one of each). */
  async listForPool(poolId: string): Promise<DomainRecord[]> {
    const rows = await this.db.selectFrom('user_pool_domains').selectAll().where('pool_id', '=', poolId).execute();
    return rows.map(toDomain).sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'prefix' ? -1 : 1));
  }

  /** Writes back the certificate, the managed login version and the modification time. */
  async update(d: DomainRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('user_pool_domains')
      .set({ certificate_arn: d.certificateArn, managed_login_version: d.managedLoginVersion, updated_at: d.updatedAt })
      .where('domain', '=', d.domain)
      .where('pool_id', '=', d.poolId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Deletes the domain if `poolId` holds it; false otherwise. */
  async delete(poolId: string, domain: string): Promise<boolean> {
    const r = await this.db.deleteFrom('user_pool_domains').where('domain', '=', domain).where('pool_id', '=', poolId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
