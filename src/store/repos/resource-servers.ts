/**
 * resource_servers: one row per OAuth resource server, its scopes a JSON array. Everything goes
 * with the pool (ON DELETE CASCADE). Lists read through the primary key (pool_id, identifier), so
 * they come in identifier order (byte order on both engines).
 */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import { ConflictError, isUniqueViolation } from '../errors.js';
import type { ResourceServerRecord, ResourceServerScope } from '../types.js';

function toServer(r: Database['resource_servers']): ResourceServerRecord {
  return {
    poolId: r.pool_id,
    identifier: r.identifier,
    name: r.name,
    scopes: JSON.parse(r.scopes) as ResourceServerScope[],
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Only the two members of a scope are stored, whatever else the object carries. */
const scopesText = (scopes: ResourceServerScope[]) =>
  JSON.stringify(scopes.map((s) => ({ ScopeName: s.ScopeName, ScopeDescription: s.ScopeDescription })));

export class ResourceServerRepo {
  constructor(private readonly db: Db, private readonly kind: 'sqlite' | 'postgres') {}

  /** Inserts the server. ConflictError('resource-server') when the pool has one with that identifier. */
  async insert(rs: ResourceServerRecord): Promise<void> {
    try {
      await this.db
        .insertInto('resource_servers')
        .values({
          pool_id: rs.poolId,
          identifier: rs.identifier,
          name: rs.name,
          scopes: scopesText(rs.scopes),
          created_at: rs.createdAt,
          updated_at: rs.updatedAt,
        })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('resource-server');
      throw e;
    }
  }

  /** The server (identifiers are case-sensitive). `forUpdate` locks the row (PostgreSQL). */
  async get(poolId: string, identifier: string, opts?: { forUpdate?: boolean }): Promise<ResourceServerRecord | undefined> {
    let q = this.db.selectFrom('resource_servers').selectAll().where('pool_id', '=', poolId).where('identifier', '=', identifier);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toServer(r);
  }

  /** Writes back the name, the scopes and the modification time. False when the server is gone. */
  async update(rs: ResourceServerRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('resource_servers')
      .set({ name: rs.name, scopes: scopesText(rs.scopes), updated_at: rs.updatedAt })
      .where('pool_id', '=', rs.poolId)
      .where('identifier', '=', rs.identifier)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(poolId: string, identifier: string): Promise<boolean> {
    const r = await this.db.deleteFrom('resource_servers').where('pool_id', '=', poolId).where('identifier', '=', identifier).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async count(poolId: string): Promise<number> {
    const r = await this.db
      .selectFrom('resource_servers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pool_id', '=', poolId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Up to `limit` servers of the pool by identifier, after the identifier `after`. */
  async list(poolId: string, after: string | undefined, limit: number): Promise<ResourceServerRecord[]> {
    let q = this.db.selectFrom('resource_servers').selectAll().where('pool_id', '=', poolId);
    if (after !== undefined) q = q.where('identifier', '>', after);
    const rows = await q.orderBy('identifier').limit(limit).execute();
    return rows.map(toServer);
  }

  /**
   * The pool's custom scopes as `<identifier>/<ScopeName>`: the scopes that exist now. An app
   * client's AllowedOAuthScopes may still name scopes deleted since (Cognito keeps them, inactive:
   * docs/decisions.md), so whatever grants scopes (the token endpoint) must intersect with this set.
   */
  async scopesOf(poolId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('resource_servers').select(['identifier', 'scopes']).where('pool_id', '=', poolId).execute();
    const out = new Set<string>();
    for (const r of rows) {
      for (const s of JSON.parse(r.scopes) as ResourceServerScope[]) out.add(`${r.identifier}/${s.ScopeName}`);
    }
    return out;
  }
}
