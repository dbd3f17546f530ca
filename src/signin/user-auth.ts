/**
 * Choice-based sign-in (USER_AUTH): the first factor the user picks, from those the pool allows
 * (Policies.SignInPolicy.AllowedFirstAuthFactors) and the user has: the password (sent, PASSWORD,
 * or proven by SRP, PASSWORD_SRP), a code by email (EMAIL_OTP) or SMS (SMS_OTP) to a verified
 * address, a passkey (WEB_AUTHN, through passkey.ts), or the code the user just confirmed their
 * sign-up with (the Session ConfirmSignUp returned). This module only decides and asks the first
 * factor; what follows (NEW_PASSWORD_REQUIRED, MFA after a password, the device, completion) is the
 * engine's policy, as for every other flow.
 *
 * Facts and choices: docs/decisions.md, "Choice-based sign-in (USER_AUTH)".
 */
import { randomBytes } from 'node:crypto';
import { isTrue } from '../domain/attributes.js';
import { hidesUsers } from '../domain/client-settings.js';
import { passkeyIsMfa, sendMfaCode } from '../domain/mfa.js';
import { checkNobodysPassword } from '../domain/passwords.js';
import { checkSecretHash } from '../domain/secret-hash.js';
import { hashToken } from '../domain/tokens.js';
import { findUser } from '../domain/users.js';
import { maskDestination } from '../delivery/mask.js';
import { CognitoError, errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { param, passwordFactor, provePassword, srpChallenge, srpStart } from './factors.js';
import { checkNamedUser, countFailure, gate, incorrect, signInBar } from './gate.js';
import { hooks } from './hooks.js';
import { hasPasskey, passkeyChallenge, passkeyVerify } from './passkey.js';
import { passkeysEnabled, requestOptions, requireRelyingPartyId, userVerificationOf } from '../domain/passkeys.js';
import { isValidA } from '../domain/srp.js';
import type { Ask } from './policy.js';
import { newSessionToken, openSession, SESSION_CONTEXT, takeSession, type SignInState } from './session.js';
import type { Challenge, Channel, Factor, Params } from './types.js';

/** The first factors USER_AUTH can offer, in the order AvailableChallenges lists them. */
export const FIRST_FACTORS = ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'] as const;
export type FirstFactor = (typeof FIRST_FACTORS)[number];

/** What starting or choosing a first factor leads to: a factor proven, a challenge to ask, or the SRP step (its own session). */
export type FirstStep =
  | { kind: 'proven'; user: UserRecord; factor: Factor }
  | { kind: 'ask'; user: UserRecord | undefined; ask: Ask }
  | { kind: 'outcome'; outcome: Challenge };

/** The pool's AllowedFirstAuthFactors (PASSWORD alone when it sets none). */
export function poolFirstFactors(pool: PoolRecord): string[] {
  return pool.settings.Policies?.SignInPolicy?.AllowedFirstAuthFactors ?? ['PASSWORD'];
}

/**
 * The first factors this user can choose: the pool's AllowedFirstAuthFactors that the user has (a
 * password; a verified email or phone; a passkey). In a pool where MFA is required (ON), the
 * password, and a passkey only where passkeys count as MFA (WebAuthnConfiguration FactorConfiguration
 * MULTI_FACTOR_WITH_USER_VERIFICATION: "passkey authentication with user verification satisfies MFA
 * requirements"), asked and checked with user verification (passkeyUv): a code by email or SMS
 * would skip the MFA every sign-in must pass. `user`
 * undefined: what any user of the pool could have (the offer under PreventUserExistenceErrors, to
 * known and unknown names alike, see userAuthStart).
 */
export async function availableFactors(
  ctx: Ctx,
  pool: PoolRecord,
  user: UserRecord | undefined,
  /** configured: what the user has set up, whatever MFA requires (GetUserAuthFactors' ConfiguredUserAuthFactors). */
  opts: { configured?: boolean } = {},
): Promise<FirstFactor[]> {
  const allowed = new Set(poolFirstFactors(pool));
  const mfaOn = !opts.configured && (pool.settings.MfaConfiguration ?? 'OFF') === 'ON';
  const out: FirstFactor[] = [];
  if (!user || user.passwordHash) out.push('PASSWORD', 'PASSWORD_SRP');
  const passkey = async () => allowed.has('WEB_AUTHN') && (user ? await hasPasskey(ctx, pool, user) : passkeysEnabled(pool));
  if (mfaOn) {
    if (passkeyIsMfa(pool) && (await passkey())) out.push('WEB_AUTHN');
    return out;
  }
  if (allowed.has('EMAIL_OTP') && (!user || (user.attributes.email && isTrue(user.attributes.email_verified)))) out.push('EMAIL_OTP');
  if (allowed.has('SMS_OTP') && (!user || (user.attributes.phone_number && isTrue(user.attributes.phone_number_verified)))) out.push('SMS_OTP');
  if (await passkey()) out.push('WEB_AUTHN');
  return out;
}

/**
 * Whether a passkey sign-in must verify the user (the assertion's UV flag), whatever the pool's
 * UserVerification preference, and then counts as MFA (`mfa`): in a pool where MFA is required
 * (ON) and passkeys count as MFA, and for a user who turned passkey MFA on (WebAuthnMfaSettings:
 * "When activated, the user's passkey authentication requires user verification"). `user`
 * undefined: what holds for any name (the options under PreventUserExistenceErrors).
 */
export function passkeyUv(pool: PoolRecord, user: UserRecord | undefined): { required: boolean; mfa: boolean } {
  const poolOn = (pool.settings.MfaConfiguration ?? 'OFF') === 'ON' && passkeyIsMfa(pool);
  const required = poolOn || user?.mfa.webAuthnMfa === true;
  return { required, mfa: required && passkeyIsMfa(pool) };
}

const isFirstFactor = (v: string): v is FirstFactor => (FIRST_FACTORS as readonly string[]).includes(v);

/**
 * InitiateAuth / AdminInitiateAuth USER_AUTH. With the Session of SignUp or ConfirmSignUp: signed in
 * by the sign-up code. With PREFERRED_CHALLENGE one of the offered factors: that factor at once
 * (PASSWORD with the PASSWORD parameter, PASSWORD_SRP with SRP_A, a code sent, a passkey's
 * options). Otherwise (none, or one not offered): SELECT_CHALLENGE with AvailableChallenges.
 *
 * What is offered: under PreventUserExistenceErrors (ENABLED) every factor the pool allows, to
 * every name, known or not, and the user's state (disabled, unconfirmed, reset required, locked
 * out) is answered at the factor's answer, as USER_SRP_AUTH answers it at PASSWORD_VERIFIER: the
 * start of a sign-in tells nothing about the name. A factor the user cannot use is asked all the
 * same (no code sent) and fails like a wrong answer (askFirstFactor). LEGACY: the factors the user
 * has, the state checked at once (an unknown name is UserNotFoundException already).
 */
export async function userAuthStart(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, p: Params | undefined, session: string | undefined): Promise<FirstStep> {
  const name = param(p, 'USERNAME');
  const preferred = p?.PREFERRED_CHALLENGE ?? undefined;
  if (preferred !== undefined && !isFirstFactor(preferred)) {
    // Message ours; a long value is not echoed whole.
    const shown = preferred.length > 40 ? `${preferred.slice(0, 40)}…` : preferred;
    throw errors.invalidParameter(`PREFERRED_CHALLENGE must be one of ${FIRST_FACTORS.join(', ')}; '${shown}' is not.`);
  }
  const hides = hidesUsers(client);
  const user = await findUser(ctx.store, pool, name);
  if (channel === 'api') checkSecretHash(client, p?.SECRET_HASH, [name, user?.username, user?.sub]);
  // PASSWORD in the request: the password flow's own checks (the user's state, PreAuthentication,
  // the lockout), and for a name the pool does not have, its UserMigration function. Under
  // PreventUserExistenceErrors a user without a password gets there too: a wrong password.
  if (preferred === 'PASSWORD' && session === undefined && (!user || user.passwordHash || hides)) {
    return { kind: 'proven', user: await passwordFactor(ctx, pool, client, channel, p), factor: 'PASSWORD' };
  }
  if (!user && !hides) throw errors.userNotFound('User does not exist.');
  if (session !== undefined) {
    if (!user) throw incorrect();
    return { kind: 'proven', user: await signUpSignIn(ctx, pool, client, channel, session, user), factor: 'SIGN_UP_CODE' };
  }
  const options = await availableFactors(ctx, pool, hides ? undefined : user);
  // SRP checks the user itself (the user's state, PreAuthentication, the lockout at the proof).
  if (preferred === 'PASSWORD_SRP' && options.includes(preferred)) return { kind: 'outcome', outcome: await srpStart(ctx, pool, client, channel, p) };
  if (user) {
    await hooks.preAuthentication({ ctx, pool, client, user, channel });
    if (!hides) gate(client, user, ctx.now);
  }
  if (options.length === 0) {
    // Message ours: nothing to sign in with (a passwordless user whose address is not verified, say). LEGACY only.
    throw errors.notAuthorized('The user has no sign-in method that this user pool allows.');
  }
  if ((preferred === 'EMAIL_OTP' || preferred === 'SMS_OTP' || preferred === 'WEB_AUTHN') && options.includes(preferred)) {
    return { kind: 'ask', user, ask: await askFirstFactor(ctx, pool, client, user, name, preferred) };
  }
  return { kind: 'ask', user, ask: { name: 'SELECT_CHALLENGE', parameters: {}, pending: { challenge: 'SELECT_CHALLENGE', options } } };
}

/**
 * The challenge of a passwordless first factor: the code sent now, or the passkey's request
 * options. A name that is nobody's, or (PreventUserExistenceErrors) a user who cannot use the
 * factor now (no verified address, no passkey, disabled, unconfirmed, reset required, locked out),
 * gets a challenge that looks the same and that nothing answers: nothing is sent, a code fails
 * like a wrong code (CodeMismatchException, the session kept for another try), a passkey like one
 * not registered. The user's state itself is told at the answer (the gate there).
 */
async function askFirstFactor(ctx: Ctx, pool: PoolRecord, client: ClientRecord, user: UserRecord | undefined, name: string, factor: 'EMAIL_OTP' | 'SMS_OTP' | 'WEB_AUTHN'): Promise<Ask> {
  const usable = user !== undefined && signInBar(user, ctx.now) === undefined && (await availableFactors(ctx, pool, user)).includes(factor);
  if (factor === 'WEB_AUTHN') {
    if (usable) {
      // Under PreventUserExistenceErrors the options ask what they ask of any name.
      const { parameters, challenge } = await passkeyChallenge(ctx, pool, client, user, { mfa: passkeyUv(pool, hidesUsers(client) ? undefined : user).required });
      return { name: 'WEB_AUTHN', parameters: { ...parameters }, pending: { challenge: 'WEB_AUTHN', webauthnChallenge: challenge } };
    }
    const { options, challenge } = await simulatedPasskeyOptions(ctx, pool, name);
    return { name: 'WEB_AUTHN', parameters: { CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(options) }, pending: { challenge: 'WEB_AUTHN', webauthnChallenge: challenge } };
  }
  const medium = factor === 'EMAIL_OTP' ? 'EMAIL' : 'SMS';
  let codeHash: string;
  let expiresAt: number;
  let destination: string;
  if (usable) {
    const sent = await sendMfaCode(ctx, pool, user, medium, client.id);
    ({ codeHash, expiresAt } = sent);
    destination = sent.deliveryDetails.Destination!;
  } else {
    // A code that nothing matches, to a plausible address that is the same every time for the name.
    codeHash = `${randomBytes(12).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    expiresAt = ctx.now + 3 * 60_000;
    destination = maskDestination(medium, medium === 'EMAIL' ? (name.includes('@') ? name : `${name}@example.com`) : simulatedPhone(ctx, pool, name));
  }
  return {
    name: factor,
    parameters: { CODE_DELIVERY_DELIVERY_MEDIUM: medium, CODE_DELIVERY_DESTINATION: destination },
    pending: factor === 'EMAIL_OTP' ? { challenge: 'EMAIL_OTP', codeHash, expiresAt, first: true } : { challenge: 'SMS_OTP', codeHash, expiresAt, first: true },
  };
}

/** A phone number that is the same every time for a name nobody can get a code for (its last digits vary by name). */
function simulatedPhone(ctx: Ctx, pool: PoolRecord, name: string): string {
  const digits = [...ctx.secrets.mac('user-auth-simulated-phone', `${pool.id}\u0000${name}`)].map((b) => String(b % 10)).join('');
  return `+1${digits.slice(0, 10)}`;
}

/**
 * The WEB_AUTHN request options for a name that has no usable passkey: the shape of
 * authenticationOptions (src/domain/passkeys.ts) with one credential id that is the same every
 * time for the name and belongs to nobody.
 */
async function simulatedPasskeyOptions(ctx: Ctx, pool: PoolRecord, name: string): Promise<{ options: Record<string, unknown>; challenge: string }> {
  const rpId = await requireRelyingPartyId(ctx.store, pool, errors.invalidUserPoolConfiguration);
  const id = ctx.secrets.mac('user-auth-simulated-passkey', `${pool.id}\u0000${name}`).subarray(0, 32).toString('base64url');
  return requestOptions(rpId, [{ id }], passkeyUv(pool, undefined).required ? 'required' : userVerificationOf(pool));
}

/**
 * RespondToAuthChallenge SELECT_CHALLENGE: ANSWER is one of the factors offered, with what it
 * needs (PASSWORD, or SRP_A for PASSWORD_SRP). Also the direct answers PASSWORD and PASSWORD_SRP
 * (ChallengeName PASSWORD / PASSWORD_SRP with the SELECT_CHALLENGE session): the same choice.
 */
export async function selectChallenge(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, session: string | undefined, r: Params | undefined, named?: 'PASSWORD' | 'PASSWORD_SRP'): Promise<{ state: SignInState; step: FirstStep }> {
  if (!session) throw errors.invalidParameter('Missing required parameter Session');
  const answer = named ?? param(r, 'ANSWER');
  const { state, restore } = await takeSession(ctx, client, channel, session, 'SELECT_CHALLENGE');
  const user = state.usernameKey === null ? undefined : await ctx.store.users.get(pool.id, state.usernameKey);
  if (state.usernameKey !== null && !user) throw incorrect();
  try {
    if (!isFirstFactor(answer) || !state.pending.options.includes(answer)) {
      // Message ours: the choices are those the challenge offered.
      throw errors.invalidParameter(`ANSWER must be one of the challenges offered (AvailableChallenges): ${state.pending.options.join(', ')}.`);
    }
    if (answer === 'PASSWORD_SRP' && !isValidA(param(r, 'SRP_A'))) throw errors.invalidParameter('SRP_A is not a valid SRP value.');
    if (channel === 'api') checkSecretHash(client, r?.SECRET_HASH, [r?.USERNAME, user?.username, user?.sub]);
  } catch (e) {
    if (e instanceof CognitoError) await restore();
    throw e;
  }
  if (user) await checkNamedUser(ctx, pool, r, user);
  const name = r?.USERNAME ?? user?.username ?? '';
  switch (answer) {
    case 'PASSWORD': {
      const password = param(r, 'PASSWORD');
      if (!user) {
        await checkNobodysPassword(password);
        throw incorrect();
      }
      // PreAuthentication ran when the sign-in started.
      return { state, step: { kind: 'proven', user: await provePassword(ctx, pool, client, channel, name, password, user, { preAuthenticated: true }), factor: 'PASSWORD' } };
    }
    case 'PASSWORD_SRP': {
      const A = param(r, 'SRP_A');
      const { pending, parameters, secretBlock, known } = srpChallenge(ctx, pool, user?.username ?? name, user, A);
      const deviceKey = state.deviceKey !== undefined ? { deviceKey: state.deviceKey } : {};
      await openSession(ctx, pool, client, { channel, usernameKey: known ? user!.usernameKey : null, proven: [], pending, ...deviceKey }, secretBlock);
      return { state, step: { kind: 'outcome', outcome: { kind: 'challenge', name: 'PASSWORD_VERIFIER', parameters, ...(user ? { user } : {}) } } };
    }
    case 'EMAIL_OTP':
    case 'SMS_OTP':
    case 'WEB_AUTHN':
      // Under PreventUserExistenceErrors the user's state is told at the answer (askFirstFactor).
      if (user && !hidesUsers(client)) gate(client, user, ctx.now);
      return { state, step: { kind: 'ask', user, ask: await askFirstFactor(ctx, pool, client, user, name, answer) } };
  }
}

/**
 * WEB_AUTHN answered: the CREDENTIAL (an assertion) verified by the passkey module; a wrong one
 * counts toward the lockout. `mfa`: the passkey verified the user where that satisfies MFA (passkeyUv).
 */
export async function webAuthnAnswer(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, session: string | undefined, r: Params | undefined): Promise<{ state: SignInState; user: UserRecord; mfa: boolean }> {
  if (!session) throw errors.invalidParameter('Missing required parameter Session');
  const { state } = await takeSession(ctx, client, channel, session, 'WEB_AUTHN');
  const user = state.usernameKey === null ? undefined : await ctx.store.users.get(pool.id, state.usernameKey);
  if (!user && state.usernameKey === null) {
    // A name that is nobody's (PreventUserExistenceErrors): answered as a passkey the user does not have.
    const credential = r?.CREDENTIAL;
    if (credential === undefined || credential === '') throw errors.invalidParameter('CREDENTIAL is required to answer the WEB_AUTHN challenge.');
    try {
      JSON.parse(credential);
    } catch {
      throw errors.invalidParameter('CREDENTIAL must be the AuthenticationResponseJSON of the passkey, as a JSON string.');
    }
    throw errors.notAuthorized('The passkey was not accepted: it is not registered for this user.');
  }
  if (!user) throw incorrect();
  if (channel === 'api') checkSecretHash(client, r?.SECRET_HASH, [r?.USERNAME, user.username, user.sub]);
  await checkNamedUser(ctx, pool, r, user);
  gate(client, user, ctx.now);
  const uv = passkeyUv(pool, user);
  try {
    await passkeyVerify(ctx, pool, client, user, state.pending.webauthnChallenge, r?.CREDENTIAL, { requireUserVerification: uv.required });
  } catch (e) {
    if (e instanceof CognitoError && e.type === 'NotAuthorizedException') await countFailure(ctx, pool, user);
    throw e;
  }
  return { state, user, mfa: uv.mfa };
}

// ---------------------------------------------------------------------------------------------
// Sign-in straight after sign-up
// ---------------------------------------------------------------------------------------------

/** The sealed state of a sign-up's session (auth_sessions, beside the sign-in steps'). */
interface SignUpState {
  kind: 'SIGN_UP';
  usernameKey: string;
  sub: string;
}

/**
 * The Session SignUp and ConfirmSignUp return when the app client allows USER_AUTH: InitiateAuth
 * USER_AUTH with it signs the confirmed user in without another factor (the confirmation code was
 * the first), once, within the client's AuthSessionValidity, with the same client.
 */
export async function openSignUpSession(ctx: Ctx, pool: PoolRecord, client: ClientRecord, user: Pick<UserRecord, 'usernameKey' | 'sub'>): Promise<string> {
  const token = newSessionToken();
  const state: SignUpState = { kind: 'SIGN_UP', usernameKey: user.usernameKey, sub: user.sub };
  await ctx.store.sessions.insert({
    id: hashToken(token),
    poolId: pool.id,
    clientId: client.id,
    state: ctx.secrets.seal(JSON.stringify(state), SESSION_CONTEXT),
    expiresAt: ctx.now + (client.settings.AuthSessionValidity ?? 3) * 60_000,
  });
  return token;
}

/** InitiateAuth USER_AUTH with a sign-up's Session: the user it was issued for, confirmed, may sign in. */
async function signUpSignIn(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, session: string, named: UserRecord): Promise<UserRecord> {
  const rec = await ctx.store.sessions.take(hashToken(session));
  if (!rec || rec.clientId !== client.id) throw errors.notAuthorized('Invalid session for the user, session can only be used once.');
  if (rec.expiresAt <= ctx.now) throw errors.notAuthorized('Invalid session for the user, session is expired.');
  const state = JSON.parse(ctx.secrets.open(rec.state, SESSION_CONTEXT).toString('utf8')) as SignUpState | { kind?: undefined };
  if (state.kind !== 'SIGN_UP' || named.usernameKey !== state.usernameKey || named.sub !== state.sub) throw errors.notAuthorized('Invalid session for the user.');
  if (named.status === 'UNCONFIRMED') {
    // SignUp's Session, before ConfirmSignUp: still good for when the user is confirmed.
    await ctx.store.sessions.insert(rec);
    gate(client, named, ctx.now);
  }
  await hooks.preAuthentication({ ctx, pool, client, user: named, channel });
  gate(client, named, ctx.now);
  return named;
}
