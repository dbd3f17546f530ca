/** Lookups, checks and the wire form of an identity provider, shared by its operations. */
import { errors } from '../../protocol/errors.js';
import { epochSeconds, type Ctx } from '../context.js';
import type { IdentityProviderRecord, PoolRecord, Store } from '../../store/types.js';
import { describeDetails, openDetails } from '../../domain/identity-providers.js';
import { poolCertificate } from '../../domain/certificates.js';

/** The page size when MaxResults is omitted: the model's maximum, 60. */
/**
 * The page size: 60 unless given. The model lets MaxResults be 0 here (ListProvidersLimitType, min 0)
 * where its neighbours start at 1; a page of nothing is refused as theirs are.
 */
export const pageSize = (max: number | undefined) => {
  if (max === 0) throw errors.invalidParameter("1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");
  return max ?? 60;
};

export const listKind = (poolId: string) => `identity-providers/${poolId}`;

/** ResourceNotFoundException for a provider the pool does not have. Message ours (unverified). */
export const providerNotFound = (poolId: string, name: string) => errors.resourceNotFound(`Identity provider ${name} does not exist in user pool ${poolId}.`);

export async function loadProvider(store: Store, poolId: string, name: string, opts?: { forUpdate?: boolean }): Promise<IdentityProviderRecord> {
  const p = await store.identityProviders.get(poolId, name, opts);
  if (!p) throw providerNotFound(poolId, name);
  return p;
}

/** IdpIdentifiers are unique in the pool, compared without case; given twice in one request is refused too. */
export function checkIdentifiers(ids: string[], others: IdentityProviderRecord[], self?: string): string[] {
  const seen = new Set<string>();
  for (const id of ids) {
    const k = id.toLowerCase();
    if (seen.has(k)) throw errors.invalidParameter(`The IdpIdentifier ${id} is given more than once.`);
    seen.add(k);
  }
  for (const o of others) {
    if (o.name === self) continue;
    const taken = o.idpIdentifiers.find((i) => seen.has(i.toLowerCase()));
    // DuplicateProviderException, as for a name: the model's text ("the provider is already
    // supported by the user pool") fits both; the message is ours (unverified).
    if (taken) throw errors.duplicateProvider(`The IdpIdentifier ${taken} is already used by the identity provider ${o.name}.`);
  }
  return ids;
}

/** IdentityProviderType as Describe, Create and Update return it. */
export async function renderProvider(ctx: Ctx, pool: PoolRecord, p: IdentityProviderRecord) {
  const opened = openDetails(ctx.secrets, p);
  const cert = p.type === 'SAML' && opened.EncryptedResponses === 'true' ? (await poolCertificate(ctx.store, ctx.secrets, pool, ctx.now)).pem : undefined;
  return {
    UserPoolId: p.poolId,
    ProviderName: p.name,
    ProviderType: p.type,
    ProviderDetails: describeDetails(p, opened, cert ? { encryptionCertificate: certBody(cert) } : {}),
    AttributeMapping: p.attributeMapping,
    IdpIdentifiers: p.idpIdentifiers,
    LastModifiedDate: epochSeconds(p.updatedAt),
    CreationDate: epochSeconds(p.createdAt),
  };
}

/** A PEM certificate's base64 body on one line (as SAML metadata carries certificates). */
const certBody = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
