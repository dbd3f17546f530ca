import type { AdminDisableProviderForUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { saveUser } from '../../domain/user-writes.js';
import { usernameKey } from '../../domain/users.js';
import { SUBJECT_ATTRIBUTE, withoutIdentity } from '../../domain/identity-providers.js';

/**
 * Undoes AdminLinkProviderForUser for a provider's user: the link goes, and the identity leaves the
 * linked user's `identities`. A federated user of that provider (`<Provider>_<id>`, never linked) is
 * disabled instead, so it can no longer sign in. Nothing to undo is not an error.
 */
export async function AdminDisableProviderForUser(input: AdminDisableProviderForUserRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const u = input.User!;
  if (!u.ProviderName || !u.ProviderAttributeName || !u.ProviderAttributeValue) {
    throw errors.invalidParameter('User needs ProviderName, ProviderAttributeName and ProviderAttributeValue.');
  }
  if (u.ProviderName === 'Cognito') {
    throw errors.invalidParameter('incognito disables provider users only: to stop a user of the pool from signing in, use AdminDisableUser.');
  }
  if (!(await ctx.store.identityProviders.get(pool.id, u.ProviderName))) {
    throw errors.invalidParameter(`The identity provider ${u.ProviderName} does not exist in user pool ${pool.id}.`);
  }
  await ctx.store.transaction(async (tx) => {
    const link = await tx.identityProviders.getLink(pool.id, u.ProviderName!, u.ProviderAttributeName!, u.ProviderAttributeValue!);
    if (link) {
      await tx.identityProviders.unlink(pool.id, link.providerName, link.attributeName, link.attributeValue);
      const user = await tx.users.get(pool.id, link.usernameKey, { forUpdate: true });
      if (user) await saveUser(tx, pool, { ...user, attributes: withoutIdentity(user.attributes, link.providerName, link.attributeValue), updatedAt: ctx.now }, { now: ctx.now });
      return;
    }
    if (u.ProviderAttributeName === SUBJECT_ATTRIBUTE) {
      const fed = await tx.users.get(pool.id, usernameKey(pool, `${u.ProviderName}_${u.ProviderAttributeValue}`), { forUpdate: true });
      if (fed && fed.status === 'EXTERNAL_PROVIDER' && fed.enabled) await tx.users.update({ ...fed, enabled: false, updatedAt: ctx.now });
    }
  });
  return {};
}
