/**
 * The remaining configuration of a pool: terms documents (terms), log delivery
 * (log_delivery_configurations), UI customization (ui_customizations) and managed login branding
 * (managed_login_brandings). Each goes with its pool, terms and brandings also with their client.
 */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import { ConflictError, isUniqueViolation } from '../errors.js';
import type { ManagedLoginBrandingRecord, TermsRecord, UiCustomizationRecord } from '../types.js';

function toTerms(r: Database['terms']): TermsRecord {
  return {
    termsId: r.terms_id,
    poolId: r.pool_id,
    clientId: r.client_id,
    termsName: r.terms_name,
    termsSource: r.terms_source,
    enforcement: r.enforcement,
    links: JSON.parse(r.links) as Record<string, string>,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toBranding(r: Database['managed_login_brandings']): ManagedLoginBrandingRecord {
  return {
    brandingId: r.branding_id,
    poolId: r.pool_id,
    clientId: r.client_id,
    useCognitoProvidedValues: Number(r.use_cognito_provided_values) === 1,
    settings: r.settings === null ? undefined : (JSON.parse(r.settings) as unknown),
    assets: JSON.parse(r.assets) as ManagedLoginBrandingRecord['assets'],
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export class ConfigRepo {
  constructor(private readonly db: Db, private readonly kind: 'sqlite' | 'postgres') {}

  // --- terms

  /** ConflictError('terms') when the client has terms of that name. */
  async insertTerms(t: TermsRecord): Promise<void> {
    try {
      await this.db
        .insertInto('terms')
        .values({
          terms_id: t.termsId,
          pool_id: t.poolId,
          client_id: t.clientId,
          terms_name: t.termsName,
          terms_source: t.termsSource,
          enforcement: t.enforcement,
          links: JSON.stringify(t.links),
          created_at: t.createdAt,
          updated_at: t.updatedAt,
        })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('terms');
      throw e;
    }
  }

  async getTerms(poolId: string, termsId: string): Promise<TermsRecord | undefined> {
    const r = await this.db.selectFrom('terms').selectAll().where('pool_id', '=', poolId).where('terms_id', '=', termsId).executeTakeFirst();
    return r && toTerms(r);
  }

  /** ConflictError('terms') when the new name is taken in the client. False when the terms are gone. */
  async updateTerms(t: TermsRecord): Promise<boolean> {
    try {
      const r = await this.db
        .updateTable('terms')
        .set({ terms_name: t.termsName, terms_source: t.termsSource, enforcement: t.enforcement, links: JSON.stringify(t.links), updated_at: t.updatedAt })
        .where('pool_id', '=', t.poolId)
        .where('terms_id', '=', t.termsId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('terms');
      throw e;
    }
  }

  async deleteTerms(poolId: string, termsId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('terms').where('pool_id', '=', poolId).where('terms_id', '=', termsId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Up to `limit` terms of the pool by id, after the id `after`. */
  async listTerms(poolId: string, after: string | undefined, limit: number): Promise<TermsRecord[]> {
    let q = this.db.selectFrom('terms').selectAll().where('pool_id', '=', poolId);
    if (after !== undefined) q = q.where('terms_id', '>', after);
    return (await q.orderBy('terms_id').limit(limit).execute()).map(toTerms);
  }

  async termsOfClient(poolId: string, clientId: string): Promise<TermsRecord[]> {
    const rows = await this.db.selectFrom('terms').selectAll().where('pool_id', '=', poolId).where('client_id', '=', clientId).execute();
    return rows.map(toTerms);
  }

  // --- log delivery

  async getLogDelivery(poolId: string): Promise<unknown[] | undefined> {
    const r = await this.db.selectFrom('log_delivery_configurations').selectAll().where('pool_id', '=', poolId).executeTakeFirst();
    return r && (JSON.parse(r.config) as unknown[]);
  }

  async putLogDelivery(poolId: string, config: unknown[], now: number): Promise<void> {
    const text = JSON.stringify(config);
    await this.db
      .insertInto('log_delivery_configurations')
      .values({ pool_id: poolId, config: text, updated_at: now })
      .onConflict((oc) => oc.column('pool_id').doUpdateSet({ config: text, updated_at: now }))
      .execute();
  }

  // --- UI customization

  async getUi(poolId: string, clientId: string): Promise<UiCustomizationRecord | undefined> {
    const r = await this.db.selectFrom('ui_customizations').selectAll().where('pool_id', '=', poolId).where('client_id', '=', clientId).executeTakeFirst();
    return (
      r && { poolId: r.pool_id, clientId: r.client_id, css: r.css, image: r.image, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) }
    );
  }

  /** Creates or replaces; the creation time of an existing row is kept. */
  async putUi(u: UiCustomizationRecord): Promise<void> {
    await this.db
      .insertInto('ui_customizations')
      .values({ pool_id: u.poolId, client_id: u.clientId, css: u.css, image: u.image, created_at: u.createdAt, updated_at: u.updatedAt })
      .onConflict((oc) => oc.columns(['pool_id', 'client_id']).doUpdateSet({ css: u.css, image: u.image, updated_at: u.updatedAt }))
      .execute();
  }

  async deleteUi(poolId: string, clientId: string): Promise<void> {
    await this.db.deleteFrom('ui_customizations').where('pool_id', '=', poolId).where('client_id', '=', clientId).execute();
  }

  // --- managed login branding

  /** ConflictError('branding') when the client has a style. */
  async insertBranding(b: ManagedLoginBrandingRecord): Promise<void> {
    try {
      await this.db
        .insertInto('managed_login_brandings')
        .values({
          branding_id: b.brandingId,
          pool_id: b.poolId,
          client_id: b.clientId,
          use_cognito_provided_values: b.useCognitoProvidedValues ? 1 : 0,
          settings: b.settings === undefined ? null : JSON.stringify(b.settings),
          assets: JSON.stringify(b.assets),
          created_at: b.createdAt,
          updated_at: b.updatedAt,
        })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('branding');
      throw e;
    }
  }

  async getBranding(poolId: string, brandingId: string, opts?: { forUpdate?: boolean }): Promise<ManagedLoginBrandingRecord | undefined> {
    let q = this.db.selectFrom('managed_login_brandings').selectAll().where('pool_id', '=', poolId).where('branding_id', '=', brandingId);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toBranding(r);
  }

  async brandingOfClient(poolId: string, clientId: string): Promise<ManagedLoginBrandingRecord | undefined> {
    const r = await this.db.selectFrom('managed_login_brandings').selectAll().where('pool_id', '=', poolId).where('client_id', '=', clientId).executeTakeFirst();
    return r && toBranding(r);
  }

  async updateBranding(b: ManagedLoginBrandingRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('managed_login_brandings')
      .set({
        use_cognito_provided_values: b.useCognitoProvidedValues ? 1 : 0,
        settings: b.settings === undefined ? null : JSON.stringify(b.settings),
        assets: JSON.stringify(b.assets),
        updated_at: b.updatedAt,
      })
      .where('pool_id', '=', b.poolId)
      .where('branding_id', '=', b.brandingId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteBranding(poolId: string, brandingId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('managed_login_brandings').where('pool_id', '=', poolId).where('branding_id', '=', brandingId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
