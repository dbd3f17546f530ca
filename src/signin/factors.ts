/**
 * The steps that prove something: the password (argon2id), the SRP proof of it (PASSWORD_VERIFIER),
 * and a new password in place of a temporary one (NEW_PASSWORD_REQUIRED). Each checks and returns
 * the user; what comes next is the policy's decision (policy.ts), never a step's.
 */
import { randomBytes } from 'node:crypto';
import { checkClientMayWrite, checkMutable, checkValues } from '../domain/attributes.js';
import { hidesUsers } from '../domain/client-settings.js';
import { openVerifier, passwordFields, sealVerifier } from '../domain/credentials.js';
import { checkNobodysPassword, checkPassword, verifyPassword } from '../domain/passwords.js';
import { checkSecretHash } from '../domain/secret-hash.js';
import { fakeSalt, fakeVerifier, isValidA, parseSrpTimestamp, serverChallenge, verifyPasswordClaim } from '../domain/srp.js';
import { findUser } from '../domain/users.js';
import { CognitoError, errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import { lockUser, saveUser } from '../domain/user-writes.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { namedDevice } from './device.js';
import { checkNamedUser, failed, gate, incorrect } from './gate.js';
import { because } from './metrics.js';
import { hooks } from './hooks.js';
import { migrates } from '../triggers/user-migration.js';
import { openSession, takeSession, type Pending, type SignInState } from './session.js';
import type { Challenge, Channel, Params } from './types.js';

/** A required member of AuthParameters / ChallengeResponses. */
export function param(p: Params | undefined, name: string): string {
  const v = p?.[name];
  // null: a JSON null in the map (the model lets map values be null), missing as much as absent.
  if (v === undefined || v === null || v === '') throw errors.invalidParameter(`Missing required parameter ${name}`);
  return v;
}

/**
 * The password sign-in's checks: the user's state (disabled, unconfirmed, reset required, locked
 * out), the password, the failure count. Returns the user whose password it is.
 */
export async function provePassword(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  channel: Channel,
  name: string,
  password: string,
  found: UserRecord | undefined,
  /** preAuthenticated: PreAuthentication already ran for this sign-in (USER_AUTH's SELECT_CHALLENGE). */
  opts: { preAuthenticated?: boolean } = {},
): Promise<UserRecord> {
  if (!found) {
    if (!hidesUsers(client)) throw errors.userNotFound('User does not exist.');
    await checkNobodysPassword(password);
    throw incorrect();
  }
  const user = found;
  if (!opts.preAuthenticated) await hooks.preAuthentication({ ctx, pool, client, user, channel });
  gate(client, user, ctx.now);
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, password))) return failed(ctx, pool, user);
  passwordAllowed(user);
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
 * A user whose own sign-in AdminDisableProviderForUser (ProviderName Cognito) turned off: the right
 * password is refused (checked after it, so only its holder learns why). Message ours (unverified).
 */
function passwordAllowed(user: UserRecord): void {
  if (user.extra.passwordSignInDisabledAt !== undefined) {
    throw because(errors.notAuthorized('Password sign-in is disabled for this user: sign in with a linked identity provider.'), 'disabled');
  }
}

/** USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH and the hosted login form: the password in the request. */
export async function passwordFactor(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, p: Params | undefined): Promise<UserRecord> {
  const name = param(p, 'USERNAME');
  const password = param(p, 'PASSWORD');
  const found = await findUser(ctx.store, pool, name);
  if (channel === 'api') checkSecretHash(client, p?.SECRET_HASH, [name, found?.username, found?.sub]);
  if (!found && migrates(pool)) return migratedUser(ctx, pool, client, channel, name, password);
  return provePassword(ctx, pool, client, channel, name, password, found);
}

/**
 * A password sign-in of a user the pool does not have, in a pool with a UserMigration function:
 * the function checks the password against the old directory and the user is created with it
 * (user-migration.ts). The new user then signs in as any other (PreAuthentication, the gate:
 * RESET_REQUIRED is PasswordResetRequiredException, as the guide says apps must handle), without
 * checking the password again. A function that knows no such user: the answer for an unknown user.
 */
async function migratedUser(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, name: string, password: string): Promise<UserRecord> {
  let user: UserRecord | undefined;
  try {
    user = await hooks.userMigration({ ctx, pool, client, name, password });
  } catch (e) {
    // Another sign-in migrated the same user meanwhile: this one goes on against what it wrote.
    if (e instanceof CognitoError && e.type === 'UsernameExistsException') {
      return provePassword(ctx, pool, client, channel, name, password, await findUser(ctx.store, pool, name));
    }
    throw e;
  }
  if (!user) return provePassword(ctx, pool, client, channel, name, password, undefined);
  await hooks.preAuthentication({ ctx, pool, client, user, channel });
  gate(client, user, ctx.now);
  return user;
}

/**
 * USER_SRP_AUTH, first step: the PASSWORD_VERIFIER challenge. Under PreventUserExistenceErrors an
 * unknown user gets a challenge too, with a salt and id that are stable for the name, and fails at
 * the verifier step like a wrong password. A pool's UserMigration function is not run here: SRP
 * sends no password to check against the old directory (the guide: migrating apps sign in with
 * USER_PASSWORD_AUTH; docs/decisions.md, "UserMigration").
 */
export async function srpStart(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, p: Params | undefined): Promise<Challenge> {
  const name = param(p, 'USERNAME');
  const A = param(p, 'SRP_A');
  if (!isValidA(A)) throw errors.invalidParameter('SRP_A is not a valid SRP value.');
  const user = await findUser(ctx.store, pool, name);
  checkSecretHash(client, p?.SECRET_HASH, [name, user?.username, user?.sub]);
  if (!user && !hidesUsers(client)) throw errors.userNotFound('User does not exist.');
  if (user) await hooks.preAuthentication({ ctx, pool, client, user, channel });
  const { pending, parameters, secretBlock, known } = srpChallenge(ctx, pool, name, user, A);
  const deviceKey = namedDevice(pool, channel, p);
  await openSession(ctx, pool, client, { channel, usernameKey: known ? user!.usernameKey : null, proven: [], pending, ...(deviceKey ? { deviceKey } : {}) }, secretBlock);
  return { kind: 'challenge', name: 'PASSWORD_VERIFIER', parameters, ...(user ? { user } : {}) };
}

/**
 * The PASSWORD_VERIFIER challenge for the client's SRP_A (USER_SRP_AUTH, and a custom sign-in whose
 * DefineAuthChallenge asks for it): the server's half of SRP, whose SECRET_BLOCK is the session
 * value. A name that is nobody's (or a user without a verifier) gets a simulated salt and verifier,
 * stable for the name: its proof fails like a wrong password. `known`: the verifier is the user's.
 */
export function srpChallenge(
  ctx: Ctx,
  pool: PoolRecord,
  name: string,
  user: UserRecord | undefined,
  A: string,
): { pending: Extract<Pending, { challenge: 'PASSWORD_VERIFIER' }>; parameters: Record<string, string>; secretBlock: string; known: boolean } {
  const key = ctx.secrets.mac('srp-simulated', '');
  const real = user && openVerifier(ctx.secrets, user);
  const salt = real?.salt ?? fakeSalt(key, pool.id, name);
  const verifier = real?.verifier ?? fakeVerifier(key, pool.id, name);
  const userIdForSrp = user?.username ?? simulatedId(ctx, pool, name);
  const { b, B } = serverChallenge(verifier);
  const secretBlock = randomBytes(64).toString('base64');
  return {
    pending: { challenge: 'PASSWORD_VERIFIER', userIdForSrp, A, B, b, salt, verifier },
    parameters: { SALT: salt, SECRET_BLOCK: secretBlock, SRP_B: B, USERNAME: userIdForSrp, USER_ID_FOR_SRP: userIdForSrp },
    secretBlock,
    known: !!real,
  };
}

/** A UUID-shaped id that is the same every time for a name that belongs to no user. */
function simulatedId(ctx: Ctx, pool: PoolRecord, name: string): string {
  const h = ctx.secrets.mac('srp-simulated-id', `${pool.id}\u0000${name}`).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** USER_SRP_AUTH, second step: the client's proof of the password. Returns the session state and the user. */
export async function srpVerify(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, r: Params | undefined): Promise<{ state: SignInState; user: UserRecord; restore(): Promise<void> }> {
  const secretBlock = param(r, 'PASSWORD_CLAIM_SECRET_BLOCK');
  const signature = param(r, 'PASSWORD_CLAIM_SIGNATURE');
  const timestamp = param(r, 'TIMESTAMP');
  const name = param(r, 'USERNAME');
  const { state, restore } = await takeSession(ctx, client, channel, secretBlock, 'PASSWORD_VERIFIER');
  const p = state.pending;
  const user = state.usernameKey === null ? undefined : await ctx.store.users.get(pool.id, state.usernameKey);
  checkSecretHash(client, r?.SECRET_HASH, [name, p.userIdForSrp, user?.sub]);
  if (!user) throw incorrect();
  if (name !== p.userIdForSrp && (await findUser(ctx.store, pool, name))?.usernameKey !== user.usernameKey) throw incorrect();
  gate(client, user, ctx.now);
  const ok =
    parseSrpTimestamp(timestamp) !== undefined &&
    verifyPasswordClaim({ poolId: pool.id, userIdForSrp: p.userIdForSrp, verifier: p.verifier, A: p.A, B: p.B, b: p.b, secretBlock, timestamp, signature });
  // The verifier must still be the user's: a password changed since the challenge does not pass.
  if (!ok || openVerifier(ctx.secrets, user)?.verifier !== p.verifier) return failed(ctx, pool, user);
  passwordAllowed(user);
  return { state, user, restore };
}

/** The public parameters of NEW_PASSWORD_REQUIRED (refused once the temporary password has expired). */
export function newPasswordParameters(ctx: Ctx, pool: PoolRecord, user: UserRecord): Record<string, string> {
  const days = pool.settings.Policies?.PasswordPolicy?.TemporaryPasswordValidityDays ?? 7;
  if (user.passwordUpdatedAt !== null && ctx.now > user.passwordUpdatedAt + days * 86_400_000) {
    throw errors.notAuthorized('Temporary password has expired and must be reset by an administrator.');
  }
  return {
    USER_ID_FOR_SRP: user.username,
    requiredAttributes: JSON.stringify(missingRequired(pool, user).map((name) => `userAttributes.${name}`)),
    userAttributes: JSON.stringify(user.attributes),
  };
}

/** The required attributes a user with a temporary password still has to give. */
export function missingRequired(pool: PoolRecord, user: Pick<UserRecord, 'attributes'>): string[] {
  return (pool.settings.SchemaAttributes ?? []).filter((a) => a.Required && a.Name !== 'sub' && !user.attributes[a.Name!]).map((a) => a.Name!);
}

/**
 * NEW_PASSWORD_REQUIRED: the session taken, the new password and any required attributes
 * (`userAttributes.<name>`) checked and stored, the user CONFIRMED and returned with the state.
 */
export async function newPasswordFactor(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  channel: Channel,
  session: string | undefined,
  r: Params | undefined,
): Promise<{ state: SignInState; user: UserRecord }> {
  if (!session) throw errors.invalidParameter('Missing required parameter Session');
  const password = param(r, 'NEW_PASSWORD');
  const { state, restore } = await takeSession(ctx, client, channel, session, 'NEW_PASSWORD_REQUIRED');
  const stored = state.usernameKey === null ? undefined : await ctx.store.users.get(pool.id, state.usernameKey);
  if (!stored) throw incorrect();
  if (channel === 'api') checkSecretHash(client, r?.SECRET_HASH, [r?.USERNAME, stored.username, stored.sub]);
  await checkNamedUser(ctx, pool, r, stored);
  const changes: Record<string, string> = {};
  for (const [k, v] of Object.entries(r ?? {})) if (k.startsWith('userAttributes.')) changes[k.slice('userAttributes.'.length)] = v;
  let fields: Awaited<ReturnType<typeof passwordFields>>;
  try {
    checkClientMayWrite(Object.keys(changes), client.settings, pool.settings);
    checkValues(changes, pool.settings);
    checkMutable(stored.attributes, changes, pool.settings);
    const missing = missingRequired(pool, stored).filter((name) => !changes[name]);
    if (missing.length) throw errors.invalidParameter(`Invalid attributes given, ${missing.join(', ')} is missing`);
    // RespondToAuthChallenge's wording (docs/decisions.md, password policy messages).
    checkPassword(password, pool.settings, 'doesNot');
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
  return { state, user };
}
