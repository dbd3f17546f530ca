/**
 * identity_providers: one row per identity provider of a pool, its ProviderDetails, AttributeMapping
 * and IdpIdentifiers as JSON; federation_links: provider users linked to native users
 * (AdminLinkProviderForUser). Everything goes with the pool; a link goes with its native user.
 * Lists read through the primary key (pool_id, name), in name order (byte order on both engines).
 */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import { ConflictError, isUniqueViolation } from '../errors.js';
import type { FederationLinkRecord, IdentityProviderRecord, IdentityProviderType } from '../types.js';

function toProvider(r: Database['identity_providers']): IdentityProviderRecord {
  return {
    poolId: r.pool_id,
    name: r.name,
    type: r.type as IdentityProviderType,
    details: JSON.parse(r.details) as Record<string, string>,
    attributeMapping: JSON.parse(r.attribute_mapping) as Record<string, string>,
    idpIdentifiers: JSON.parse(r.idp_identifiers) as string[],
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toLink(r: Database['federation_links']): FederationLinkRecord {
  return {
    poolId: r.pool_id,
    providerName: r.provider_name,
    attributeName: r.attribute_name,
    attributeValue: r.attribute_value,
    usernameKey: r.username_key,
    createdAt: Number(r.created_at),
  };
}

export class IdentityProviderRepo {
  constructor(private readonly db: Db, private readonly kind: 'sqlite' | 'postgres') {}

  /** Inserts the provider. ConflictError('identity-provider') when the pool has one of that name. */
  async insert(p: IdentityProviderRecord): Promise<void> {
    try {
      await this.db
        .insertInto('identity_providers')
        .values({
          pool_id: p.poolId,
          name: p.name,
          type: p.type,
          details: JSON.stringify(p.details),
          attribute_mapping: JSON.stringify(p.attributeMapping),
          idp_identifiers: JSON.stringify(p.idpIdentifiers),
          created_at: p.createdAt,
          updated_at: p.updatedAt,
        })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('identity-provider');
      throw e;
    }
  }

  /** The provider of that name (case-sensitive). `forUpdate` locks the row (PostgreSQL). */
  async get(poolId: string, name: string, opts?: { forUpdate?: boolean }): Promise<IdentityProviderRecord | undefined> {
    let q = this.db.selectFrom('identity_providers').selectAll().where('pool_id', '=', poolId).where('name', '=', name);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toProvider(r);
  }

  /** Writes back details, mapping, identifiers and the modification time. False when the provider is gone. */
  async update(p: IdentityProviderRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('identity_providers')
      .set({
        details: JSON.stringify(p.details),
        attribute_mapping: JSON.stringify(p.attributeMapping),
        idp_identifiers: JSON.stringify(p.idpIdentifiers),
        updated_at: p.updatedAt,
      })
      .where('pool_id', '=', p.poolId)
      .where('name', '=', p.name)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(poolId: string, name: string): Promise<boolean> {
    await this.db.deleteFrom('federation_links').where('pool_id', '=', poolId).where('provider_name', '=', name).execute();
    const r = await this.db.deleteFrom('identity_providers').where('pool_id', '=', poolId).where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Up to `limit` providers of the pool by name, after the name `after`. */
  async list(poolId: string, after: string | undefined, limit: number): Promise<IdentityProviderRecord[]> {
    let q = this.db.selectFrom('identity_providers').selectAll().where('pool_id', '=', poolId);
    if (after !== undefined) q = q.where('name', '>', after);
    const rows = await q.orderBy('name').limit(limit).execute();
    return rows.map(toProvider);
  }

  /** Every provider of the pool (at most the quota, 300): names and identifiers checks. */
  async all(poolId: string): Promise<IdentityProviderRecord[]> {
    const rows = await this.db.selectFrom('identity_providers').selectAll().where('pool_id', '=', poolId).orderBy('name').execute();
    return rows.map(toProvider);
  }

  async names(poolId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('identity_providers').select('name').where('pool_id', '=', poolId).execute();
    return new Set(rows.map((r) => r.name));
  }

  /** Links a provider user to a native user. ConflictError('federation-link') when that provider user is linked already. */
  async link(l: FederationLinkRecord): Promise<void> {
    try {
      await this.db
        .insertInto('federation_links')
        .values({
          pool_id: l.poolId,
          provider_name: l.providerName,
          attribute_name: l.attributeName,
          attribute_value: l.attributeValue,
          username_key: l.usernameKey,
          created_at: l.createdAt,
        })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('federation-link');
      throw e;
    }
  }

  /** The link of a provider user, if any. */
  async getLink(poolId: string, providerName: string, attributeName: string, attributeValue: string): Promise<FederationLinkRecord | undefined> {
    const r = await this.db
      .selectFrom('federation_links')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('provider_name', '=', providerName)
      .where('attribute_name', '=', attributeName)
      .where('attribute_value', '=', attributeValue)
      .executeTakeFirst();
    return r && toLink(r);
  }

  /** The links of a provider's users whose attribute value is one of `values` (any attribute name). */
  async linksOf(poolId: string, providerName: string): Promise<FederationLinkRecord[]> {
    const rows = await this.db.selectFrom('federation_links').selectAll().where('pool_id', '=', poolId).where('provider_name', '=', providerName).execute();
    return rows.map(toLink);
  }

  /** The links to one native user. */
  async linksTo(poolId: string, usernameKey: string): Promise<FederationLinkRecord[]> {
    const rows = await this.db.selectFrom('federation_links').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey).execute();
    return rows.map(toLink);
  }

  async unlink(poolId: string, providerName: string, attributeName: string, attributeValue: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('federation_links')
      .where('pool_id', '=', poolId)
      .where('provider_name', '=', providerName)
      .where('attribute_name', '=', attributeName)
      .where('attribute_value', '=', attributeValue)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
