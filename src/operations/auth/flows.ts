/**
 * Sign-in, shared by InitiateAuth / AdminInitiateAuth and (Admin)RespondToAuthChallenge: which
 * flows a client allows, the user-state gates, lockout, the challenges (PASSWORD_VERIFIER for SRP,
 * NEW_PASSWORD_REQUIRED for temporary passwords), their single-use sessions, and issuing tokens.
 * Facts: shared/reference/cognito-behaviour.md §2.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { checkClientMayWrite, checkMutable, checkValues } from '../../domain/attributes.js';
import { DEFAULT_EXPLICIT_AUTH_FLOWS, validitySeconds } from '../../domain/client-settings.js';
import { openVerifier, passwordFields, sealVerifier } from '../../domain/credentials.js';
import { checkNobodysPassword, checkPassword, verifyPassword } from '../../domain/passwords.js';
import { checkSecretHash } from '../../domain/secret-hash.js';
import { fakeSalt, fakeVerifier, isValidA, parseSrpTimestamp, serverChallenge, verifyPasswordClaim } from '../../domain/srp.js';
import { hashToken, mintTokens, newRefreshToken } from '../../domain/tokens.js';
import { findUser } from '../../domain/users.js';
import { CognitoError, errors } from '../../protocol/errors.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { hidesUsers } from '../signup/shared.js';
import { lockUser, saveUser } from '../users/shared.js';

export type Params = Record<string, string>;

/** Whether the client's ExplicitAuthFlows let it use a flow (legacy values are read as Cognito did). */
function allows(client: ClientRecord, flow: 'USER_PASSWORD_AUTH' | 'ADMIN_USER_PASSWORD_AUTH' | 'USER_SRP_AUTH' | 'REFRESH_TOKEN_AUTH'): boolean {
  const flows = new Set<string>(client.settings.ExplicitAuthFlows ?? DEFAULT_EXPLICIT_AUTH_FLOWS);
  const legacy = ![...flows].some((f) => f.startsWith('ALLOW_'));
  switch (flow) {
    case 'USER_PASSWORD_AUTH':
      return flows.has('ALLOW_USER_PASSWORD_AUTH') || flows.has('USER_PASSWORD_AUTH');
    case 'ADMIN_USER_PASSWORD_AUTH':
      return flows.has('ALLOW_ADMIN_USER_PASSWORD_AUTH') || flows.has('ADMIN_NO_SRP_AUTH');
    case 'USER_SRP_AUTH':
      // Before the ALLOW_ values, SRP was always on unless CUSTOM_AUTH_FLOW_ONLY.
      return flows.has('ALLOW_USER_SRP_AUTH') || (legacy && !flows.has('CUSTOM_AUTH_FLOW_ONLY'));
    case 'REFRESH_TOKEN_AUTH':
      return flows.has('ALLOW_REFRESH_TOKEN_AUTH') || legacy;
  }
}

const NOT_ENABLED: Record<Parameters<typeof allows>[1], string> = {
  USER_PASSWORD_AUTH: 'USER_PASSWORD_AUTH flow not enabled for this client',
  ADMIN_USER_PASSWORD_AUTH: 'Auth flow not enabled for this client',
  USER_SRP_AUTH: 'USER_SRP_AUTH is not enabled for the client.',
  REFRESH_TOKEN_AUTH: 'Refresh Token flow not enabled for this client',
};

export function requireFlow(client: ClientRecord, flow: Parameters<typeof allows>[1]): void {
  if (!allows(client, flow)) throw errors.invalidParameter(NOT_ENABLED[flow]);
}

/** A required member of AuthParameters / ChallengeResponses. */
export function param(p: Params | undefined, name: string): string {
  const v = p?.[name];
  if (v === undefined || v === '') throw errors.invalidParameter(`Missing required parameter ${name}`);
  return v;
}

export const incorrect = () => errors.notAuthorized('Incorrect username or password.');

/** CUSTOM_AUTH and USER_AUTH need what incognito does not have (Lambda triggers, passwordless factors). */
export function unsupportedFlow(flow: string): never {
  if (flow === 'CUSTOM_AUTH') throw errors.invalidParameter('Custom auth lambda trigger is not configured for the user pool.');
  throw errors.unsupportedOperation(`incognito does not support the ${flow} flow yet.`);
}

// --- lockout (§2.2: after 5 failures, 1 s doubling up to 15 min; reset after 15 idle minutes) ---

interface Failures {
  count: number;
  lastAt: number;
  lockedUntil?: number;
}
const LOCK_AFTER = 5;
const MAX_LOCK_MS = 15 * 60_000;
const RESET_AFTER_MS = 15 * 60_000;

function failuresOf(user: UserRecord): Failures | undefined {
  return user.extra.signInFailures as Failures | undefined;
}

function checkNotLocked(user: UserRecord, now: number): void {
  const f = failuresOf(user);
  if (f?.lockedUntil !== undefined && f.lockedUntil > now) throw errors.notAuthorized('Password attempts exceeded');
}

/** Counts a wrong password (in its own transaction, the row locked) and answers it. */
async function failed(ctx: Ctx, pool: PoolRecord, user: UserRecord): Promise<never> {
  await ctx.store.transaction(async (tx) => {
    const u = await tx.users.get(pool.id, user.usernameKey, { forUpdate: true });
    if (!u) return;
    const prev = failuresOf(u);
    const count = prev && ctx.now - prev.lastAt < RESET_AFTER_MS ? prev.count + 1 : 1;
    const f: Failures = { count, lastAt: ctx.now };
    if (count >= LOCK_AFTER) f.lockedUntil = ctx.now + Math.min(1000 * 2 ** (count - LOCK_AFTER), MAX_LOCK_MS);
    await tx.users.update({ ...u, extra: { ...u.extra, signInFailures: f } });
  });
  throw incorrect();
}

/**
 * What the user's state says before a password is even looked at: disabled, unconfirmed,
 * reset-required (hidden as a wrong password under PreventUserExistenceErrors), locked out.
 */
function gate(client: ClientRecord, user: UserRecord, now: number): void {
  if (!user.enabled) throw errors.notAuthorized('User is disabled.');
  if (user.status === 'UNCONFIRMED') throw errors.userNotConfirmed('User is not confirmed.');
  if (user.status === 'RESET_REQUIRED') {
    if (hidesUsers(client)) throw incorrect();
    throw errors.passwordResetRequired('Password reset required for the user');
  }
  checkNotLocked(user, now);
}

// --- sessions ---

type SessionState =
  | { kind: 'PASSWORD_VERIFIER'; usernameKey: string | null; userIdForSrp: string; A: string; B: string; b: string; salt: string; verifier: string }
  | { kind: 'NEW_PASSWORD_REQUIRED'; usernameKey: string };

/** The sealing context of every auth_sessions state (challenges here, codes and sign-in sessions in oauth/). */
export const SESSION_CONTEXT = 'auth-session';

async function openSession(ctx: Ctx, pool: PoolRecord, client: ClientRecord, token: string, state: SessionState): Promise<void> {
  await ctx.store.sessions.insert({
    id: hashToken(token),
    poolId: pool.id,
    clientId: client.id,
    state: ctx.secrets.seal(JSON.stringify(state), SESSION_CONTEXT),
    expiresAt: ctx.now + (client.settings.AuthSessionValidity ?? 3) * 60_000,
  });
}

/** Takes (consumes) a session: single use, bound to its client, unexpired. */
async function takeSession<K extends SessionState['kind']>(
  ctx: Ctx,
  client: ClientRecord,
  token: string,
  kind: K,
): Promise<{ state: Extract<SessionState, { kind: K }>; restore(): Promise<void> }> {
  const rec = await ctx.store.sessions.take(hashToken(token));
  if (!rec || rec.clientId !== client.id) throw errors.notAuthorized('Invalid session for the user, session can only be used once.');
  if (rec.expiresAt <= ctx.now) throw errors.notAuthorized('Invalid session for the user, session is expired.');
  const state = JSON.parse(ctx.secrets.open(rec.state, SESSION_CONTEXT).toString('utf8')) as SessionState;
  if (state.kind !== kind) throw errors.notAuthorized('Invalid session for the user.');
  return { state: state as Extract<SessionState, { kind: K }>, restore: () => ctx.store.sessions.insert(rec) };
}

// --- results ---

export interface AuthResult {
  ChallengeName?: string;
  ChallengeParameters: Record<string, string>;
  Session?: string;
  AuthenticationResult?: object;
}

/** What a hosted (OAuth) sign-in grants: its scopes, the authorize request's nonce, when the user signed in. */
export interface Grant {
  scopes: string[];
  nonce?: string;
  /** Epoch seconds of the sign-in (the hosted session's), else now. */
  authTime?: number;
}

/**
 * A new sign-in: its token family and refresh token stored, tokens signed, failures cleared.
 * Without a grant, the API flows' tokens (scope aws.cognito.signin.user.admin, an ID token).
 */
export async function issueTokens(ctx: Ctx, pool: PoolRecord, client: ClientRecord, user: UserRecord, grant?: Grant): Promise<AuthResult> {
  const originJti = randomUUID();
  const authTime = grant?.authTime ?? Math.floor(ctx.now / 1000);
  const refresh = newRefreshToken();
  const expiresAt = ctx.now + validitySeconds(client.settings).refresh * 1000;
  await ctx.store.transaction(async (tx) => {
    await tx.tokens.insertFamily(
      { originJti, poolId: pool.id, clientId: client.id, usernameKey: user.usernameKey, authTime, createdAt: ctx.now, expiresAt, revokedAt: null, scopes: grant?.scopes ?? null },
      { tokenHash: refresh.hash, originJti, createdAt: ctx.now, expiresAt, replacedAt: null },
    );
    if (failuresOf(user)) {
      const u = await tx.users.get(pool.id, user.usernameKey, { forUpdate: true });
      if (u) {
        const { signInFailures: _, ...extra } = u.extra;
        await tx.users.update({ ...u, extra });
      }
    }
  });
  const minted = await mintTokens(ctx, pool, client, user, { originJti, authTime, scopes: grant?.scopes ?? null }, { now: ctx.now, ...(grant?.nonce !== undefined ? { nonce: grant.nonce } : {}) });
  return { ChallengeParameters: {}, AuthenticationResult: { ...minted, RefreshToken: refresh.token } };
}

/** After the password is proven: tokens, or NEW_PASSWORD_REQUIRED for a temporary password. */
async function passwordProven(ctx: Ctx, pool: PoolRecord, client: ClientRecord, user: UserRecord): Promise<AuthResult> {
  if (user.status !== 'FORCE_CHANGE_PASSWORD') return issueTokens(ctx, pool, client, user);
  return newPasswordChallenge(ctx, pool, client, user);
}

/** NEW_PASSWORD_REQUIRED for a user who signed in with a temporary password (refused once it has expired). */
export async function newPasswordChallenge(ctx: Ctx, pool: PoolRecord, client: ClientRecord, user: UserRecord): Promise<AuthResult & { Session: string }> {
  const days = pool.settings.Policies?.PasswordPolicy?.TemporaryPasswordValidityDays ?? 7;
  if (user.passwordUpdatedAt !== null && ctx.now > user.passwordUpdatedAt + days * 86_400_000) {
    throw errors.notAuthorized('Temporary password has expired and must be reset by an administrator.');
  }
  const session = randomBytes(48).toString('base64url');
  await openSession(ctx, pool, client, session, { kind: 'NEW_PASSWORD_REQUIRED', usernameKey: user.usernameKey });
  const required = (pool.settings.SchemaAttributes ?? [])
    .filter((a) => a.Required && a.Name !== 'sub' && !user.attributes[a.Name!])
    .map((a) => `userAttributes.${a.Name}`);
  return {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: session,
    ChallengeParameters: {
      USER_ID_FOR_SRP: user.username,
      requiredAttributes: JSON.stringify(required),
      userAttributes: JSON.stringify(user.attributes),
    },
  };
}

// --- the flows ---

/** USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH: the password in the request, checked with argon2id. */
export async function passwordAuth(ctx: Ctx, pool: PoolRecord, client: ClientRecord, p: Params | undefined): Promise<AuthResult> {
  const name = param(p, 'USERNAME');
  const password = param(p, 'PASSWORD');
  const found = await findUser(ctx.store, pool, name);
  checkSecretHash(client, p?.SECRET_HASH, [name, found?.username, found?.sub]);
  return passwordProven(ctx, pool, client, await provePassword(ctx, pool, client, name, password, found));
}

/**
 * The password sign-in's checks, shared by the API and the hosted login page: the user's state
 * (disabled, unconfirmed, reset required, locked out), the password, the failure count. Returns
 * the user whose password it is; the caller decides what follows (tokens, a challenge, a code).
 */
export async function provePassword(ctx: Ctx, pool: PoolRecord, client: ClientRecord, name: string, password: string, found?: UserRecord): Promise<UserRecord> {
  found ??= await findUser(ctx.store, pool, name);
  if (!found) {
    if (!hidesUsers(client)) throw errors.userNotFound('User does not exist.');
    await checkNobodysPassword(password);
    throw incorrect();
  }
  const user = found;
  gate(client, user, ctx.now);
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, password))) return failed(ctx, pool, user);
  if (!user.srpVerifier) {
    // Users whose password was set before SRP existed get their verifier at their next sign-in.
    // Only the verifier is written, on the locked row re-read: the copy read before the (slow)
    // password check must not undo a change made meanwhile (AdminDisableUser, attributes).
    const srpVerifier = sealVerifier(ctx.secrets, pool.id, user.username, password);
    await ctx.store.transaction(async (tx) => {
      const u = await tx.users.get(pool.id, user.usernameKey, { forUpdate: true });
      if (u && !u.srpVerifier && u.passwordHash === user.passwordHash) await tx.users.update({ ...u, srpVerifier });
    });
    return { ...user, srpVerifier };
  }
  return user;
}

/**
 * USER_SRP_AUTH, first step: the PASSWORD_VERIFIER challenge. Under PreventUserExistenceErrors an
 * unknown user gets a challenge too, with a salt and id that are stable for the name, and fails at
 * the verifier step like a wrong password.
 */
export async function srpStart(ctx: Ctx, pool: PoolRecord, client: ClientRecord, p: Params | undefined): Promise<AuthResult> {
  const name = param(p, 'USERNAME');
  const A = param(p, 'SRP_A');
  if (!isValidA(A)) throw errors.invalidParameter('SRP_A is not a valid SRP value.');
  const user = await findUser(ctx.store, pool, name);
  checkSecretHash(client, p?.SECRET_HASH, [name, user?.username, user?.sub]);
  if (!user && !hidesUsers(client)) throw errors.userNotFound('User does not exist.');
  const key = ctx.secrets.mac('srp-simulated', '');
  const real = user && openVerifier(ctx.secrets, user);
  const salt = real?.salt ?? fakeSalt(key, pool.id, name);
  const verifier = real?.verifier ?? fakeVerifier(key, pool.id, name);
  const userIdForSrp = user?.username ?? simulatedId(ctx, pool, name);
  const { b, B } = serverChallenge(verifier);
  const secretBlock = randomBytes(64).toString('base64');
  await openSession(ctx, pool, client, secretBlock, {
    kind: 'PASSWORD_VERIFIER',
    usernameKey: real ? user!.usernameKey : null,
    userIdForSrp,
    A,
    B,
    b,
    salt,
    verifier,
  });
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: { SALT: salt, SECRET_BLOCK: secretBlock, SRP_B: B, USERNAME: userIdForSrp, USER_ID_FOR_SRP: userIdForSrp },
  };
}

/** A UUID-shaped id that is the same every time for a name that belongs to no user. */
function simulatedId(ctx: Ctx, pool: PoolRecord, name: string): string {
  const h = ctx.secrets.mac('srp-simulated-id', `${pool.id}\u0000${name}`).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** USER_SRP_AUTH, second step: the client's proof of the password. */
export async function srpVerify(ctx: Ctx, pool: PoolRecord, client: ClientRecord, r: Params | undefined): Promise<AuthResult> {
  const secretBlock = param(r, 'PASSWORD_CLAIM_SECRET_BLOCK');
  const signature = param(r, 'PASSWORD_CLAIM_SIGNATURE');
  const timestamp = param(r, 'TIMESTAMP');
  const name = param(r, 'USERNAME');
  const { state } = await takeSession(ctx, client, secretBlock, 'PASSWORD_VERIFIER');
  const user = state.usernameKey === null ? undefined : await ctx.store.users.get(pool.id, state.usernameKey);
  checkSecretHash(client, r?.SECRET_HASH, [name, state.userIdForSrp, user?.sub]);
  if (!user) throw incorrect();
  if (name !== state.userIdForSrp && (await findUser(ctx.store, pool, name))?.usernameKey !== user.usernameKey) throw incorrect();
  gate(client, user, ctx.now);
  const ok =
    parseSrpTimestamp(timestamp) !== undefined &&
    verifyPasswordClaim({
      poolId: pool.id,
      userIdForSrp: state.userIdForSrp,
      verifier: state.verifier,
      A: state.A,
      B: state.B,
      b: state.b,
      secretBlock,
      timestamp,
      signature,
    });
  // The verifier must still be the user's: a password changed since the challenge does not pass.
  if (!ok || openVerifier(ctx.secrets, user)?.verifier !== state.verifier) return failed(ctx, pool, user);
  return passwordProven(ctx, pool, client, user);
}

/** NEW_PASSWORD_REQUIRED: the new password and any required attributes (`userAttributes.<name>`). */
export async function newPassword(ctx: Ctx, pool: PoolRecord, client: ClientRecord, session: string | undefined, r: Params | undefined): Promise<AuthResult> {
  const user = await setNewPassword(ctx, pool, client, session, r, (stored) => checkSecretHash(client, r?.SECRET_HASH, [r?.USERNAME, stored.username, stored.sub]));
  return issueTokens(ctx, pool, client, user);
}

/**
 * The NEW_PASSWORD_REQUIRED answer's work, shared with the hosted new-password page: the session
 * taken, the password and attributes checked and stored, the user CONFIRMED and returned.
 * `check` runs once the session's user is known (the API checks the SECRET_HASH there).
 */
export async function setNewPassword(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  session: string | undefined,
  r: Params | undefined,
  check: (stored: UserRecord) => void = () => {},
): Promise<UserRecord> {
  if (!session) throw errors.invalidParameter('Missing required parameter Session');
  const password = param(r, 'NEW_PASSWORD');
  const { state, restore } = await takeSession(ctx, client, session, 'NEW_PASSWORD_REQUIRED');
  const stored = await ctx.store.users.get(pool.id, state.usernameKey);
  if (!stored) throw incorrect();
  check(stored);
  const changes: Record<string, string> = {};
  for (const [k, v] of Object.entries(r ?? {})) if (k.startsWith('userAttributes.')) changes[k.slice('userAttributes.'.length)] = v;
  let fields: Awaited<ReturnType<typeof passwordFields>>;
  try {
    checkClientMayWrite(Object.keys(changes), client.settings, pool.settings);
    checkValues(changes, pool.settings);
    checkMutable(stored.attributes, changes, pool.settings);
    const missing = (pool.settings.SchemaAttributes ?? [])
      .filter((a) => a.Required && a.Name !== 'sub' && !stored.attributes[a.Name!] && !changes[a.Name!])
      .map((a) => a.Name);
    if (missing.length) throw errors.invalidParameter(`Invalid attributes given, ${missing.join(', ')} is missing`);
    checkPassword(password, pool.settings);
    fields = await passwordFields(ctx.secrets, pool, stored.username, password, ctx.now);
  } catch (e) {
    // A request the user can correct leaves the session usable for the corrected one.
    if (e instanceof CognitoError) await restore();
    throw e;
  }
  const user = await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, stored.username);
    if (u.status !== 'FORCE_CHANGE_PASSWORD') throw errors.notAuthorized('Invalid session for the user.');
    const attrs = { ...u.attributes, ...changes };
    for (const [attr, flag] of [['email', 'email_verified'], ['phone_number', 'phone_number_verified']] as const) {
      if (changes[attr] !== undefined && changes[attr] !== u.attributes[attr]) attrs[flag] = 'false';
    }
    const next: UserRecord = { ...u, ...fields, attributes: attrs, status: 'CONFIRMED', updatedAt: ctx.now };
    await saveUser(tx, pool, next, { now: ctx.now });
    return next;
  });
  return user;
}

/**
 * REFRESH_TOKEN_AUTH (and GetTokensFromRefreshToken without rotation): new ID and access tokens
 * for the same sign-in (auth_time and origin_jti carry over), no new refresh token.
 */
export async function refreshAuth(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  token: string,
  checkSecret: (user: UserRecord) => void,
  rotate?: { graceSeconds: number },
): Promise<AuthResult> {
  const found = await ctx.store.tokens.refresh(hashToken(token));
  if (!found || found.family.clientId !== client.id) throw errors.notAuthorized('Invalid Refresh Token');
  const { family, user } = found;
  checkSecret(user);
  // Disabling a user revokes its sign-ins too: while disabled, the answer says why.
  if (!user.enabled) throw errors.notAuthorized('User is disabled.');
  if (family.revokedAt !== null) throw errors.notAuthorized('Refresh Token has been revoked');
  if (found.token.expiresAt <= ctx.now) throw errors.notAuthorized('Refresh Token has expired');
  if (user.status === 'RESET_REQUIRED') throw errors.passwordResetRequired('Password reset required for the user');
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
  const minted = await mintTokens(ctx, pool, client, user, family, { now: ctx.now });
  return { ChallengeParameters: {}, AuthenticationResult: { ...minted, ...(RefreshToken ? { RefreshToken } : {}) } };
}

/** SECRET_HASH on refresh may be computed over the username, the sub or an alias (Cognito is lenient). */
export function refreshSecretCheck(client: ClientRecord, p: Params | undefined) {
  return (user: UserRecord) =>
    checkSecretHash(client, p?.SECRET_HASH, [p?.USERNAME, user.username, user.sub, user.attributes.email, user.attributes.phone_number, user.attributes.preferred_username]);
}

/**
 * InitiateAuth (`client`) and AdminInitiateAuth (`admin`): the flows each may start. The password
 * flow in the request is USER_PASSWORD_AUTH client-side, ADMIN_USER_PASSWORD_AUTH (legacy
 * ADMIN_NO_SRP_AUTH) server-side; the other side's name is "Initiate Auth method not supported.".
 */
export function initiate(ctx: Ctx, pool: PoolRecord, client: ClientRecord, side: 'client' | 'admin', flow: string, p: Params | undefined): Promise<AuthResult> {
  switch (flow) {
    case 'USER_PASSWORD_AUTH':
    case 'ADMIN_USER_PASSWORD_AUTH':
    case 'ADMIN_NO_SRP_AUTH':
      if ((side === 'client') !== (flow === 'USER_PASSWORD_AUTH')) throw errors.invalidParameter('Initiate Auth method not supported.');
      requireFlow(client, side === 'client' ? 'USER_PASSWORD_AUTH' : 'ADMIN_USER_PASSWORD_AUTH');
      return passwordAuth(ctx, pool, client, p);
    case 'USER_SRP_AUTH':
      requireFlow(client, 'USER_SRP_AUTH');
      return srpStart(ctx, pool, client, p);
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      requireFlow(client, 'REFRESH_TOKEN_AUTH');
      if (client.settings.RefreshTokenRotation?.Feature === 'ENABLED') {
        throw errors.invalidParameter('REFRESH_TOKEN_AUTH is not allowed for clients with refresh token rotation enabled: use GetTokensFromRefreshToken.');
      }
      return refreshAuth(ctx, pool, client, param(p, 'REFRESH_TOKEN'), refreshSecretCheck(client, p));
    default:
      return unsupportedFlow(flow);
  }
}

/** RespondToAuthChallenge for the challenges incognito issues. */
export function respond(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  input: { ChallengeName?: string; Session?: string; ChallengeResponses?: Params },
): Promise<AuthResult> {
  switch (input.ChallengeName) {
    case 'PASSWORD_VERIFIER':
      return srpVerify(ctx, pool, client, input.ChallengeResponses);
    case 'NEW_PASSWORD_REQUIRED':
      return newPassword(ctx, pool, client, input.Session, input.ChallengeResponses);
    default:
      throw errors.invalidParameter(`incognito does not issue the ${input.ChallengeName} challenge, so there is no session to answer it.`);
  }
}
