import type { AdminDisableProviderForUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import type { PoolRecord } from '../../store/types.js';
import { loadPool } from '../pools/shared.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';
import { usernameKey } from '../../domain/users.js';
import { SUBJECT_ATTRIBUTE, withoutIdentity } from '../../domain/identity-providers.js';

/**
 * `ProviderName: Cognito`: the pool's own user (ProviderAttributeName Cognito_Subject, the value its
 * username) can no longer sign in with its password (password or SRP, API or hosted page); its links
 * to providers stay, so it signs in through them. Nothing in the API undoes it (docs/decisions.md).
 */
async function disableNativeSignIn(ctx: Ctx, pool: PoolRecord, attribute: string, username: string) {
  if (attribute !== SUBJECT_ATTRIBUTE) {
    throw errors.invalidParameter(`To disable a user of the pool, ProviderAttributeName must be ${SUBJECT_ATTRIBUTE} and ProviderAttributeValue the user's username.`);
  }
  await ctx.store.transaction(async (tx) => {
    const user = await lockUser(tx, pool, username);
    if (user.status === 'EXTERNAL_PROVIDER') {
      throw errors.invalidParameter(`The user ${user.username} is a user of an identity provider: name its provider as ProviderName to disable it.`);
    }
    if (user.extra.passwordSignInDisabledAt !== undefined) return;
    await tx.users.update({ ...user, extra: { ...user.extra, passwordSignInDisabledAt: ctx.now }, updatedAt: ctx.now });
  });
  return {};
}

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
  if (u.ProviderName === 'Cognito') return disableNativeSignIn(ctx, pool, u.ProviderAttributeName, u.ProviderAttributeValue);
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
