/**
 * REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken and the token endpoint's refresh_token grant: new
 * ID and access tokens for the same sign-in (auth_time and origin_jti carry over); with rotation,
 * a new refresh token too.
 */
import { validitySeconds } from '../domain/client-settings.js';
import { checkSecretHash } from '../domain/secret-hash.js';
import { hashToken, mintTokens, newRefreshToken } from '../domain/tokens.js';
import { errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import type { RefreshWithGroups } from '../store/repos/reads.js';
import { signInBar } from './gate.js';
import { hooks } from './hooks.js';
import type { Params } from './types.js';

export async function refreshAuth(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  token: string,
  checkSecret: (user: UserRecord) => void,
  rotate?: { graceSeconds: number },
  /** The DEVICE_KEY (DeviceKey) sent with the refresh token. */
  deviceKey?: string,
  /** The token's read, when the caller made it with the client's (InitiateAuth: one statement); null: not found. */
  read?: { tokenHash: string; found: RefreshWithGroups | null },
): Promise<{ user: UserRecord; tokens: object }> {
  // With the user's groups (the tokens' claims) in the same statement.
  const hash = hashToken(token);
  const found = read && read.tokenHash === hash ? (read.found ?? undefined) : await ctx.store.reads.refreshAndGroups(hash);
  if (!found || found.family.clientId !== client.id) throw errors.notAuthorized('Invalid Refresh Token');
  // A sign-in bound to a device (device tracking) refreshes only with that device's key: "With
  // device tracking, these tokens are linked to a single device. If a refresh token is used on any
  // other device, the call fails" (docs/decisions.md, Remembered devices).
  // A forgotten device's refresh tokens fail too ("all future calls to revalidate that device's
  // refresh tokens will fail"); its access tokens run out on their own.
  if (found.family.deviceKey !== null) {
    if (deviceKey !== found.family.deviceKey) throw errors.notAuthorized('Invalid Refresh Token');
    if (!(await ctx.store.devices.get(found.family.poolId, found.family.usernameKey, deviceKey))) throw errors.notAuthorized('Invalid Refresh Token');
  }
  const { family, user } = found;
  checkSecret(user);
  const bar = signInBar(user);
  // Disabling a user revokes its sign-ins too: while disabled, the answer says why.
  if (bar === 'disabled') throw errors.notAuthorized('User is disabled.');
  if (family.revokedAt !== null) throw errors.notAuthorized('Refresh Token has been revoked');
  if (found.token.expiresAt <= ctx.now) throw errors.notAuthorized('Refresh Token has expired');
  if (bar === 'reset-required') throw errors.passwordResetRequired('Password reset required for the user');
  // PreTokenGeneration runs before the refresh token rotates: a function that fails leaves it as it was.
  const inputs = await hooks.preTokenGeneration({ ctx, pool, client, user, source: 'TokenGeneration_RefreshTokens', scopes: family.scopes, groups: found.groups });
  let RefreshToken: string | undefined;
  if (rotate) {
    const replaced = found.token.replacedAt;
    if (replaced !== null && ctx.now > replaced + rotate.graceSeconds * 1000) {
      throw errors.refreshTokenReuse('The refresh token has already been used to get new tokens.');
    }
    const next = newRefreshToken();
    const expiresAt = ctx.now + validitySeconds(client.settings).refresh * 1000;
    await ctx.store.transaction(async (tx) => {
      if (replaced === null && !(await tx.tokens.markReplaced(found.token.tokenHash, ctx.now))) {
        // Another request rotated it first: this one is a retry inside the grace period.
        if (rotate.graceSeconds === 0) throw errors.refreshTokenReuse('The refresh token has already been used to get new tokens.');
      }
      await tx.tokens.insertRefresh({ tokenHash: next.hash, originJti: family.originJti, createdAt: ctx.now, expiresAt, replacedAt: null });
      await tx.tokens.extendFamily(family.originJti, expiresAt);
    });
    RefreshToken = next.token;
  }
  const minted = await mintTokens(ctx, pool, client, user, family, { now: ctx.now, ...inputs });
  ctx.metrics?.tokensIssued('refresh', { id: minted.IdToken !== undefined, access: true, refresh: RefreshToken !== undefined });
  return { user, tokens: { ...minted, ...(RefreshToken ? { RefreshToken } : {}) } };
}

/** SECRET_HASH on refresh may be computed over the username, the sub or an alias (Cognito is lenient). */
export function refreshSecretCheck(client: ClientRecord, p: Params | undefined) {
  return (user: UserRecord) =>
    checkSecretHash(client, p?.SECRET_HASH, [p?.USERNAME, user.username, user.sub, user.attributes.email, user.attributes.phone_number, user.attributes.preferred_username]);
}
