import type { AdminLinkProviderForUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import { ConflictError } from '../../store/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';
import { usernameKey } from '../../domain/users.js';
import { isSocial, SUBJECT_ATTRIBUTE, withIdentity } from '../../domain/identity-providers.js';

/** The developer guide: at most five federated identities linked to a user. */
const MAX_LINKS = 5;

/**
 * Links a provider's user (SourceUser: provider, Cognito_Subject or a mapped attribute, value) to a
 * user of the pool (DestinationUser, ProviderName Cognito, its username): when that provider user
 * signs in, they sign in as the destination user. The link shows in the user's `identities`.
 */
export async function AdminLinkProviderForUser(input: AdminLinkProviderForUserRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const dest = input.DestinationUser!;
  const src = input.SourceUser!;
  if (dest.ProviderName !== 'Cognito') throw errors.invalidParameter('The DestinationUser ProviderName must be Cognito: link to a user of the user pool, named by its username.');
  if (!dest.ProviderAttributeValue) throw errors.invalidParameter('The DestinationUser ProviderAttributeValue must be the username of the user to link to.');
  if (!src.ProviderName || src.ProviderName === 'Cognito') throw errors.invalidParameter('The SourceUser must be a user of an identity provider of the pool, not of Cognito.');
  const provider = await ctx.store.identityProviders.get(pool.id, src.ProviderName);
  if (!provider) throw errors.invalidParameter(`The identity provider ${src.ProviderName} does not exist in user pool ${pool.id}.`);
  const attrName = src.ProviderAttributeName;
  const value = src.ProviderAttributeValue;
  if (!attrName || !value) throw errors.invalidParameter('The SourceUser needs ProviderAttributeName and ProviderAttributeValue.');
  if (isSocial(provider.type) && attrName !== SUBJECT_ATTRIBUTE) {
    throw errors.invalidParameter(`A ${provider.type} user is linked by ${SUBJECT_ATTRIBUTE} (the user id in the provider's token).`);
  }
  await ctx.store.transaction(async (tx) => {
    const user = await lockUser(tx, pool, dest.ProviderAttributeValue!);
    if (attrName === SUBJECT_ATTRIBUTE && (await tx.users.get(pool.id, usernameKey(pool, `${provider.name}_${value}`)))) {
      throw errors.invalidParameter('Merging is not currently supported, provided SourceUser is already present in the user pool.');
    }
    const existing = await tx.identityProviders.getLink(pool.id, provider.name, attrName, value);
    if (existing) {
      if (existing.usernameKey === user.usernameKey) return;
      throw errors.aliasExists('The SourceUser is already linked to another user of the pool.');
    }
    if ((await tx.identityProviders.linksTo(pool.id, user.usernameKey)).length >= MAX_LINKS) {
      throw errors.limitExceeded(`A user can be linked to at most ${MAX_LINKS} federated identities.`);
    }
    try {
      await tx.identityProviders.link({ poolId: pool.id, providerName: provider.name, attributeName: attrName, attributeValue: value, usernameKey: user.usernameKey, createdAt: ctx.now });
    } catch (e) {
      if (e instanceof ConflictError) throw errors.aliasExists('The SourceUser is already linked to another user of the pool.');
      throw e;
    }
    const attributes = withIdentity(user.attributes, {
      userId: value,
      providerName: provider.name,
      providerType: provider.type,
      issuer: null,
      primary: 'false',
      dateCreated: String(ctx.now),
    });
    await saveUser(tx, pool, { ...user, attributes, updatedAt: ctx.now }, { now: ctx.now });
  });
  return {};
}
