/**
 * The one way a sign-in ends: failures cleared, PostAuthentication, then tokens (API) or nothing
 * more (the hosted pages start their browser session and redirect). issueTokens also mints the
 * tokens of the hosted flows (implicit grant, code exchange) for a sign-in completed here.
 */
import { randomUUID } from 'node:crypto';
import { validitySeconds } from '../domain/client-settings.js';
import { newDeviceKey, newGroupKey, tracksDevices } from '../domain/devices.js';
import { mintTokens, newRefreshToken } from '../domain/tokens.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, GroupRecord, PoolRecord, Store, UserRecord } from '../store/types.js';
import { clearFailures, hasFailures } from './gate.js';
import { hooks, tokenSource, type TokenGenerationSource } from './hooks.js';
import { signInPassed } from './events.js';
import type { Channel, Factor, SignedIn } from './types.js';

/** What a hosted (OAuth) sign-in grants: its scopes, the authorize request's nonce, when the user signed in. */
export interface Grant {
  scopes: string[];
  nonce?: string;
  /** Epoch seconds of the sign-in (the hosted session's), else now. */
  authTime?: number;
  /** The user's groups, when the caller read them with the user (the token endpoint); else read here. */
  groups?: readonly GroupRecord[];
  /**
   * The authorization code the sign-in is exchanged for (the token endpoint): taken, replaced by its
   * used marker (`to`, given the new sign-in's origin_jti), in the statement that writes the sign-in
   * (TokenRepo.insertFamily), only while its state is still `from`. When it is not (another exchange
   * of the code came first, or it expired meanwhile), nothing is written and CodeTaken is thrown.
   */
  claim?: { id: string; from: string; to: (originJti: string) => string };
}

/** The code of a Grant's claim was taken by another request (or expired) before the sign-in was written. */
export class CodeTaken extends Error {
  constructor() {
    super('The authorization code was taken by another request.');
  }
}

export interface AuthenticationResult {
  AccessToken: string;
  IdToken?: string;
  RefreshToken: string;
  ExpiresIn: number;
  TokenType: string;
  /** A sign-in of a pool that tracks devices, without a device: the device issued for it (ConfirmDevice confirms it). */
  NewDeviceMetadata?: { DeviceKey: string; DeviceGroupKey: string };
}

/**
 * A new sign-in's tokens: its token family and refresh token stored, tokens signed, failures
 * cleared. Without a grant, the API flows' tokens (scope aws.cognito.signin.user.admin, an ID token).
 */
export async function issueTokens(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  grant?: Grant,
  source: TokenGenerationSource = grant ? 'TokenGeneration_HostedAuth' : 'TokenGeneration_Authentication',
  /** The remembered device the sign-in is bound to: its tokens carry device_key. */
  deviceKey: string | null = null,
): Promise<AuthenticationResult> {
  // PreTokenGeneration runs before anything is written: a function that fails leaves no sign-in behind.
  const inputs = await hooks.preTokenGeneration({ ctx, pool, client, user, source, scopes: grant?.scopes ?? null, ...(grant?.groups ? { groups: grant.groups } : {}) });
  const originJti = randomUUID();
  const authTime = grant?.authTime ?? Math.floor(ctx.now / 1000);
  const refresh = newRefreshToken();
  const expiresAt = ctx.now + validitySeconds(client.settings).refresh * 1000;
  const claim = grant?.claim && { id: grant.claim.id, from: grant.claim.from, to: grant.claim.to(originJti), now: ctx.now };
  const insert = async (s: Store) => {
    const written = await s.tokens.insertFamily(
      { originJti, poolId: pool.id, clientId: client.id, usernameKey: user.usernameKey, authTime, createdAt: ctx.now, expiresAt, revokedAt: null, scopes: grant?.scopes ?? null, deviceKey },
      { tokenHash: refresh.hash, originJti, createdAt: ctx.now, expiresAt, replacedAt: null },
      claim,
    );
    // (Thrown inside the transaction below, it rolls back the failures' clearing too.)
    if (!written) throw new CodeTaken();
  };
  // (insertFamily writes both rows, and takes the claimed code, or does none of it by itself: one statement on PostgreSQL.)
  if (!hasFailures(user)) await insert(ctx.store);
  else {
    await ctx.store.transaction(async (tx) => {
      await insert(tx);
      await clearFailures(tx, pool, user);
    });
  }
  const minted = await mintTokens(ctx, pool, client, user, { originJti, authTime, scopes: grant?.scopes ?? null, deviceKey }, { now: ctx.now, ...inputs, ...(grant?.nonce !== undefined ? { nonce: grant.nonce } : {}) });
  ctx.metrics?.tokensIssued('sign_in', { id: minted.IdToken !== undefined, access: true, refresh: true });
  return { ...minted, RefreshToken: refresh.token } as AuthenticationResult;
}

/** Every step has passed: the sign-in ends here, on every channel. */
export async function complete(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, user: UserRecord, factors: Factor[], deviceKey?: string): Promise<SignedIn> {
  await hooks.postAuthentication({ ctx, pool, client, user, channel, factors });
  await signInPassed(ctx, pool, user, factors);
  if (channel === 'hosted') {
    if (hasFailures(user)) await ctx.store.transaction((tx) => clearFailures(tx, pool, user));
    return { kind: 'signedIn', user, factors };
  }
  const device = tracksDevices(pool) ? await bindDevice(ctx, pool, user, deviceKey) : undefined;
  const tokens = await issueTokens(ctx, pool, client, user, undefined, tokenSource(channel, factors), device?.DeviceKey ?? null);
  return { kind: 'signedIn', user, factors, tokens: device?.issued ? { ...tokens, NewDeviceMetadata: { DeviceKey: device.DeviceKey, DeviceGroupKey: device.DeviceGroupKey } } : tokens };
}

/**
 * The device an API sign-in of a pool that tracks devices is bound to: the one it named (the
 * policy's `device` check found it the user's), its last sign-in time moved; else a new, not yet
 * confirmed device in the user's device group, whose keys the answer hands out as NewDeviceMetadata.
 */
async function bindDevice(ctx: Ctx, pool: PoolRecord, user: UserRecord, deviceKey: string | undefined): Promise<{ DeviceKey: string; DeviceGroupKey: string; issued: boolean }> {
  return ctx.store.transaction(async (tx) => {
    if (deviceKey !== undefined) {
      const d = await tx.devices.get(pool.id, user.usernameKey, deviceKey, { forUpdate: true });
      if (d) {
        await tx.devices.update({ ...d, lastAuthenticatedAt: ctx.now });
        return { DeviceKey: d.deviceKey, DeviceGroupKey: d.groupKey, issued: false };
      }
    }
    const groupKey = (await tx.devices.groupKeyOf(pool.id, user.usernameKey)) ?? newGroupKey();
    const key = newDeviceKey(pool.region);
    await tx.devices.insert({
      poolId: pool.id,
      usernameKey: user.usernameKey,
      deviceKey: key,
      groupKey,
      verifier: null,
      status: null,
      name: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      lastAuthenticatedAt: ctx.now,
    });
    return { DeviceKey: key, DeviceGroupKey: groupKey, issued: true };
  });
}
