/** Lookups and the wire forms of terms documents, shared by their operations. */
import { errors } from '../../protocol/errors.js';
import type { Store, TermsRecord } from '../../store/types.js';
import { epochSeconds } from '../context.js';

/** The page size when MaxResults is omitted: the model's maximum, 60. */
export const pageSize = (max: number | undefined) => max ?? 60;

export const listKind = (poolId: string) => `terms/${poolId}`;

/** TermsExistsException: the client already has terms of that name. Message ours (unverified). */
export const termsExists = (clientId: string, name: string) =>
  errors.termsExists(`App client ${clientId} already has terms documents named ${name}: update them (UpdateTerms) or delete them first.`);

export async function loadTerms(store: Store, poolId: string, termsId: string): Promise<TermsRecord> {
  const t = await store.config.getTerms(poolId, termsId.toLowerCase());
  // Message ours (unverified).
  if (!t) throw errors.resourceNotFound(`Terms ${termsId} do not exist in user pool ${poolId}.`);
  return t;
}

/** TermsType. */
export function renderTerms(t: TermsRecord) {
  return {
    TermsId: t.termsId,
    UserPoolId: t.poolId,
    ClientId: t.clientId,
    TermsName: t.termsName,
    TermsSource: t.termsSource,
    Enforcement: t.enforcement,
    Links: { ...t.links },
    CreationDate: epochSeconds(t.createdAt),
    LastModifiedDate: epochSeconds(t.updatedAt),
  };
}

/** TermsDescriptionType (ListTerms). */
export function describeTerms(t: TermsRecord) {
  return {
    TermsId: t.termsId,
    TermsName: t.termsName,
    Enforcement: t.enforcement,
    CreationDate: epochSeconds(t.createdAt),
    LastModifiedDate: epochSeconds(t.updatedAt),
  };
}
