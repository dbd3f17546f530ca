/**
 * A federated sign-in's user (issue 16): the provider has proven who the user is (the hosted
 * federation endpoints checked its answer); here the engine decides which user of the pool that is
 * and ends the sign-in through the one completion step (complete.ts).
 *
 *   linked      a native user linked to the provider user (AdminLinkProviderForUser, by
 *               Cognito_Subject or a mapped attribute): the sign-in is that user's
 *   returning   the user `<ProviderName>_<id>` exists: its mapped attributes are written again
 *   first time  PreSignUp_ExternalProvider (it may refuse: nothing is written), then the user,
 *               status EXTERNAL_PROVIDER, with `identities` and the mapped attributes, a member of
 *               the automatic group `<poolId>_<ProviderName>`; then PostConfirmation_ConfirmSignUp
 * Then PostAuthentication and, at the token endpoint, PreTokenGeneration TokenGeneration_HostedAuth.
 */
import { randomUUID } from 'node:crypto';
import { CognitoError, errors } from '../protocol/errors.js';
import { ConflictError } from '../store/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, IdentityProviderRecord, PoolRecord, UserRecord } from '../store/types.js';
import { checkValues } from '../domain/attributes.js';
import { usernameKey } from '../domain/users.js';
import { saveUser } from '../domain/user-writes.js';
import { identitiesOf, SUBJECT_ATTRIBUTE, withIdentity, withoutIdentity } from '../domain/identity-providers.js';
import { postConfirmation } from '../account/sign-up.js';
import { NO_CLIENT, runTrigger } from '../triggers/catalog.js';
import { complete } from './complete.js';
import type { SignedIn } from './types.js';

/** The provider attribute that names its user when the mapping does not say (Cognito's defaults). */
const ID_ATTRIBUTE: Record<string, string> = { OIDC: 'sub', Google: 'sub', SignInWithApple: 'sub', Facebook: 'id', LoginWithAmazon: 'user_id', SAML: 'sub' };

/**
 * A claim as an attribute value: strings as they are, booleans and numbers as text; a list (a
 * multi-valued SAML attribute, an array claim) as Cognito writes it, `[a, b]` (brackets, ", ",
 * no quotes: oauth2-proxy#1765 shows "custom:groups": "[test-group-two, test-group-one]" in a
 * Cognito ID token); anything else as JSON.
 */
function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => text(x) ?? 'null').join(', ')}]`;
  return JSON.stringify(v);
}

/** Cognito's Username constraints (the API reference's): 1 to 128 characters of letters, marks, symbols, numbers, punctuation. */
const USERNAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;

/**
 * A federated user's username must be one the admin API can name afterwards (AdminGetUser,
 * AdminDisableUser, AdminDeleteUser validate Username), so a provider user id that would make
 * `<ProviderName>_<id>` longer than 128 characters or put a space in it is refused, with the
 * validation error Cognito gives at the callback for it (dexidp/dex#3816: a sub longer than
 * 128 - "Value at 'userName' failed to satisfy constraint: Member must have length less than or
 * equal to 128"). Nothing is written.
 */
function checkUsername(username: string): void {
  const problems: string[] = [];
  if (username.length > 128) problems.push('Member must have length less than or equal to 128');
  if (!USERNAME_PATTERN.test(username)) problems.push('Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+');
  if (problems.length) {
    const n = problems.length;
    throw errors.invalidParameter(`${n} validation error${n > 1 ? 's' : ''} detected: ${problems.map((x) => `Value at 'userName' failed to satisfy constraint: ${x}`).join('; ')}`);
  }
}

/** The user pool attributes the provider's claims map to (AttributeMapping), `username` apart. */
export function mappedAttributes(p: IdentityProviderRecord, claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [attr, from] of Object.entries(p.attributeMapping)) {
    if (attr === 'username') continue;
    const v = text(claims[from]);
    if (v !== undefined) out[attr] = v;
  }
  return out;
}

/** The provider's id of its user: the claim `username` is mapped from, else the type's default. */
export function providerUserId(p: IdentityProviderRecord, claims: Record<string, unknown>): string {
  const id = text(claims[p.attributeMapping.username ?? ID_ATTRIBUTE[p.type] ?? 'sub']);
  if (!id) throw errors.invalidParameter(`The ${p.name} identity provider did not say who the user is (no ${p.attributeMapping.username ?? ID_ATTRIBUTE[p.type]} in its answer).`);
  return id;
}

/** The group every user of a provider is in: `<poolId>_<ProviderName>`, made with the provider's first user. */
export const providerGroup = (pool: PoolRecord, p: IdentityProviderRecord) => `${pool.id}_${p.name}`;

/**
 * The native user a provider user is linked to, if any (by Cognito_Subject, else by a mapped
 * attribute's value). A link by an attribute becomes a link by the provider's user id at its first
 * sign-in: the AdminDisableProviderForUser reference says that once the linked identity has signed
 * in, it is named by Cognito_Subject and the subject (the SAML NameID), no longer by the values it
 * was linked with. The user's `identities` entry follows (its userId, the subject).
 */
async function linkedUser(ctx: Ctx, pool: PoolRecord, p: IdentityProviderRecord, id: string, attrs: Record<string, string>): Promise<UserRecord | undefined> {
  const bySubject = await ctx.store.identityProviders.getLink(pool.id, p.name, SUBJECT_ATTRIBUTE, id);
  if (bySubject) return ctx.store.users.get(pool.id, bySubject.usernameKey);
  const others = (await ctx.store.identityProviders.linksOf(pool.id, p.name)).filter((l) => l.attributeName !== SUBJECT_ATTRIBUTE);
  const link = others.find((l) => attrs[l.attributeName] !== undefined && attrs[l.attributeName] === l.attributeValue);
  if (!link) return undefined;
  try {
    await ctx.store.transaction(async (tx) => {
      const u = await tx.users.get(pool.id, link.usernameKey, { forUpdate: true });
      if (!u || !(await tx.identityProviders.unlink(pool.id, p.name, link.attributeName, link.attributeValue))) return;
      await tx.identityProviders.link({ poolId: pool.id, providerName: p.name, attributeName: SUBJECT_ATTRIBUTE, attributeValue: id, usernameKey: u.usernameKey, createdAt: ctx.now });
      const before = identitiesOf(u.attributes).find((x) => x.providerName === p.name && x.userId === link.attributeValue);
      const entry = { providerName: p.name, providerType: p.type, issuer: null, primary: 'false', dateCreated: String(ctx.now), ...before, userId: id };
      await saveUser(tx, pool, { ...u, attributes: withIdentity(withoutIdentity(u.attributes, p.name, link.attributeValue), entry), updatedAt: ctx.now }, { now: ctx.now });
    });
  } catch (e) {
    // Another sign-in of the same provider user converted it meanwhile: its link is the one.
    if (!(e instanceof ConflictError)) throw e;
  }
  return ctx.store.users.get(pool.id, link.usernameKey);
}

/**
 * Signs in the provider's user: finds or makes the pool's user, then completes the sign-in (hosted
 * channel). Errors are CognitoErrors the hosted endpoint turns into an OAuth error redirect.
 */
export async function federatedSignIn(ctx: Ctx, pool: PoolRecord, client: ClientRecord, p: IdentityProviderRecord, claims: Record<string, unknown>): Promise<SignedIn> {
  const id = providerUserId(p, claims);
  const attrs = mappedAttributes(p, claims);
  checkValues(attrs, pool.settings);
  const linked = await linkedUser(ctx, pool, p, id, attrs);
  if (linked) {
    if (!linked.enabled) throw errors.notAuthorized('User is disabled.');
    // As for a federated user, the provider's mapped attributes are written on every sign-in, over
    // the linked native user's own (amplify-js#7300: a linked user's attributes are overwritten by
    // the provider's at each federated sign-in). Its aliases follow (saveUser); a value another
    // user holds as an alias leaves this user as it was, and the sign-in goes on.
    const changed = Object.entries(attrs).some(([k, v]) => linked.attributes[k] !== v);
    if (!changed) return complete(ctx, pool, client, 'hosted', linked, []) as Promise<SignedIn>;
    const updated: UserRecord = { ...linked, attributes: { ...linked.attributes, ...attrs }, updatedAt: ctx.now };
    try {
      await ctx.store.transaction((tx) => saveUser(tx, pool, updated, { now: ctx.now }));
    } catch (e) {
      if (!(e instanceof CognitoError && e.type === 'AliasExistsException')) throw e;
      return complete(ctx, pool, client, 'hosted', linked, []) as Promise<SignedIn>;
    }
    return complete(ctx, pool, client, 'hosted', updated, []) as Promise<SignedIn>;
  }
  const username = `${p.name}_${id}`;
  checkUsername(username);
  const key = usernameKey(pool, username);
  const existing = await ctx.store.users.get(pool.id, key);
  if (existing) {
    if (!existing.enabled) throw errors.notAuthorized('User is disabled.');
    // Attributes mapped on every sign-in; the others (and `identities`) stay.
    const updated = { ...existing, attributes: { ...existing.attributes, ...attrs }, updatedAt: ctx.now };
    await ctx.store.transaction(async (tx) => {
      await tx.users.update(updated);
    });
    return complete(ctx, pool, client, 'hosted', updated, []) as Promise<SignedIn>;
  }
  const missing = (pool.settings.SchemaAttributes ?? []).filter((a) => a.Required && a.Name !== 'sub' && !attrs[a.Name!]).map((a) => a.Name!);
  if (missing.length) {
    // As Cognito answers at the callback: the required attributes the provider did not give (through the mapping).
    throw errors.invalidParameter(`attributes required: [${missing.join(', ')}]`);
  }
  const pre = await runTrigger(ctx, pool, 'PreSignUp', 'PreSignUp_ExternalProvider', {
    userName: username,
    clientId: client.id ?? NO_CLIENT,
    request: { userAttributes: { ...attrs }, validationData: null, ...(ctx.clientMetadata ? { clientMetadata: ctx.clientMetadata } : {}) },
  });
  // The function may verify the email or phone number the provider gave (its autoConfirmUser means nothing here).
  if (pre?.autoVerifyEmail === true && attrs.email) attrs.email_verified = 'true';
  if (pre?.autoVerifyPhone === true && attrs.phone_number) attrs.phone_number_verified = 'true';
  const sub = randomUUID();
  const user: UserRecord = {
    poolId: pool.id,
    username,
    usernameKey: key,
    sub,
    status: 'EXTERNAL_PROVIDER',
    enabled: true,
    attributes: withIdentity(attrs, { userId: id, providerName: p.name, providerType: p.type, issuer: null, primary: 'true', dateCreated: String(ctx.now) }),
    passwordHash: null,
    passwordUpdatedAt: null,
    srpVerifier: null,
    mfa: {},
    extra: {},
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  const group = providerGroup(pool, p);
  try {
    await ctx.store.transaction(async (tx) => {
      // No alias is claimed: a federated user's email is not a sign-in name of the pool.
      await tx.users.insert(user, []);
      if (!(await tx.groups.get(pool.id, group))) {
        await tx.groups.insert({ poolId: pool.id, name: group, description: `Autogenerated group for users who sign in using ${p.name}`, roleArn: null, precedence: null, createdAt: ctx.now, updatedAt: ctx.now });
      }
      await tx.groups.addMember(pool.id, group, key);
    });
  } catch (e) {
    // Two first sign-ins of one provider user at once: the other made the user (or the group); sign in as a returning user.
    if (!(e instanceof ConflictError)) throw e;
    const made = await ctx.store.users.get(pool.id, key);
    if (!made) throw e;
    if (!(await ctx.store.groups.isMember(pool.id, group, key))) {
      await ctx.store.transaction(async (tx) => {
        if (!(await tx.groups.get(pool.id, group))) {
          await tx.groups.insert({ poolId: pool.id, name: group, description: `Autogenerated group for users who sign in using ${p.name}`, roleArn: null, precedence: null, createdAt: ctx.now, updatedAt: ctx.now });
        }
        await tx.groups.addMember(pool.id, group, key);
      });
    }
    return complete(ctx, pool, client, 'hosted', made, []) as Promise<SignedIn>;
  }
  await postConfirmation(ctx, pool, client.id, user, 'PostConfirmation_ConfirmSignUp');
  return complete(ctx, pool, client, 'hosted', user, []) as Promise<SignedIn>;
}
