/**
 * The device factor: the SRP proof of a confirmed remembered device (DEVICE_SRP_AUTH, then
 * DEVICE_PASSWORD_VERIFIER), asked by the policy's `device` check after the first factor. The same
 * SRP as the password's with the device group key and device key as the identity (domain/srp.ts
 * verifyDeviceClaim); the verifier is the one ConfirmDevice registered. Like the other factors it
 * checks and returns the user; what comes next is the policy's decision.
 */
import { randomBytes } from 'node:crypto';
import { deviceNotFound, openDeviceVerifier, tracksDevices } from '../domain/devices.js';
import { checkSecretHash } from '../domain/secret-hash.js';
import { findUser } from '../domain/users.js';
import { isValidA, parseSrpTimestamp, serverChallenge, verifyDeviceClaim } from '../domain/srp.js';
import { errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { param } from './factors.js';
import { failed, gate, incorrect } from './gate.js';
import { openSession, takeSession, type SignInState } from './session.js';
import type { Challenge, Channel, Params } from './types.js';

/**
 * The DEVICE_KEY a sign-in names (AuthParameters, or a challenge's responses), when it counts: on
 * the API, in a pool that tracks devices. Elsewhere it is ignored, as a pool without device
 * tracking has no device to find.
 */
export function namedDevice(pool: PoolRecord, channel: Channel, p: Params | undefined): string | undefined {
  const key = p?.DEVICE_KEY;
  return channel === 'api' && tracksDevices(pool) && typeof key === 'string' && key !== '' ? key : undefined;
}

/**
 * The Session of a DEVICE_SRP_AUTH challenge: a keyed hash of the client, the user and the device,
 * so that a client that answers DEVICE_SRP_AUTH without the Session (pycognito's AWSSRP, AWS's own
 * Java SRP example) finds it by USERNAME and DEVICE_KEY, as Cognito does (docs/decisions.md,
 * "Acceptance pass"). Still single use and short-lived; a newer sign-in of the same user, device
 * and client replaces an older one's.
 */
function deviceSrpSessionToken(ctx: Ctx, client: ClientRecord, usernameKey: string, deviceKey: string): string {
  return ctx.secrets.mac('device-srp-auth-session', `${client.id}\n${usernameKey}\n${deviceKey}`).toString('base64url');
}

/** Opens the DEVICE_SRP_AUTH session under its derived token (replacing a pending one, also when two sign-ins race); returns the token. */
export async function openDeviceSrpSession(ctx: Ctx, pool: PoolRecord, client: ClientRecord, state: Omit<SignInState, 'kind'> & { usernameKey: string; deviceKey: string }): Promise<string> {
  return openSession(ctx, pool, client, state, deviceSrpSessionToken(ctx, client, state.usernameKey, state.deviceKey), true);
}

async function sessionUser(ctx: Ctx, pool: PoolRecord, state: SignInState): Promise<UserRecord> {
  const user = state.usernameKey === null ? undefined : await ctx.store.users.get(pool.id, state.usernameKey);
  if (!user) throw incorrect();
  return user;
}

/** DEVICE_SRP_AUTH: the client's SRP_A for its device; answers DEVICE_PASSWORD_VERIFIER. */
export async function deviceSrpStart(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, session: string | undefined, r: Params | undefined): Promise<Challenge> {
  const deviceKey = param(r, 'DEVICE_KEY');
  const A = param(r, 'SRP_A');
  if (!isValidA(A)) throw errors.invalidParameter('SRP_A is not a valid SRP value.');
  // The Session given, else the pending DEVICE_SRP_AUTH of the user and device named: clients send
  // the Session they were given, the one they answered the step before with (amazon-cognito-
  // identity-js after an MFA code: spent, so not found), or none (pycognito, AWS's Java example).
  const named = await findUser(ctx.store, pool, param(r, 'USERNAME'));
  const tokens = [...(session ? [session] : []), ...(named ? [deviceSrpSessionToken(ctx, client, named.usernameKey, deviceKey)] : [])];
  if (!tokens.length) throw errors.notAuthorized('Invalid session for the user, session can only be used once.');
  const { state } = await takeSession(ctx, client, channel, tokens, 'DEVICE_SRP_AUTH');
  const user = await sessionUser(ctx, pool, state);
  checkSecretHash(client, r?.SECRET_HASH, [r?.USERNAME, user.username, user.sub]);
  gate(client, user, ctx.now);
  // The device must be the one the sign-in named, still the user's, and confirmed.
  const device = deviceKey === state.deviceKey ? await ctx.store.devices.get(pool.id, user.usernameKey, deviceKey) : undefined;
  const v = device && openDeviceVerifier(ctx.secrets, device);
  if (!device || !v) throw deviceNotFound();
  const { b, B } = serverChallenge(v.verifier);
  const secretBlock = randomBytes(64).toString('base64');
  const pending = { challenge: 'DEVICE_PASSWORD_VERIFIER' as const, groupKey: device.groupKey, A, B, b, verifier: v.verifier, secretBlock };
  // The SECRET_BLOCK is the session too (as for PASSWORD_VERIFIER), for clients that answer without the Session.
  const next = await openSession(ctx, pool, client, { channel, usernameKey: user.usernameKey, proven: state.proven, pending, deviceKey }, secretBlock);
  return {
    kind: 'challenge',
    name: 'DEVICE_PASSWORD_VERIFIER',
    parameters: { SRP_B: B, SALT: v.salt, SECRET_BLOCK: secretBlock, USERNAME: user.username, DEVICE_KEY: deviceKey },
    session: next,
    user,
  };
}

/**
 * DEVICE_PASSWORD_VERIFIER: the client's proof that it holds the device's secret. A wrong proof
 * counts as a sign-in failure (toward the lockout) and is answered as a wrong password.
 */
export async function deviceSrpVerify(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  channel: Channel,
  session: string | undefined,
  r: Params | undefined,
): Promise<{ state: SignInState; user: UserRecord }> {
  const secretBlock = param(r, 'PASSWORD_CLAIM_SECRET_BLOCK');
  const signature = param(r, 'PASSWORD_CLAIM_SIGNATURE');
  const timestamp = param(r, 'TIMESTAMP');
  const deviceKey = param(r, 'DEVICE_KEY');
  // Without a Session, the SECRET_BLOCK names it (deviceSrpStart opens it under that value).
  const { state } = await takeSession(ctx, client, channel, session || secretBlock, 'DEVICE_PASSWORD_VERIFIER');
  const p = state.pending;
  const user = await sessionUser(ctx, pool, state);
  checkSecretHash(client, r?.SECRET_HASH, [r?.USERNAME, user.username, user.sub]);
  gate(client, user, ctx.now);
  if (deviceKey !== state.deviceKey) throw deviceNotFound();
  // Forgotten (or confirmed anew) since the challenge: the proof is of a device that is gone.
  const device = await ctx.store.devices.get(pool.id, user.usernameKey, deviceKey);
  if (!device || openDeviceVerifier(ctx.secrets, device)?.verifier !== p.verifier) throw deviceNotFound();
  const ok =
    secretBlock === p.secretBlock &&
    parseSrpTimestamp(timestamp) !== undefined &&
    verifyDeviceClaim({ deviceGroupKey: p.groupKey, deviceKey, verifier: p.verifier, A: p.A, B: p.B, b: p.b, secretBlock, timestamp, signature });
  if (!ok) return failed(ctx, pool, user);
  return { state, user };
}
