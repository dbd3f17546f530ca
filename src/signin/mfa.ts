/**
 * MFA in the sign-in: the policy's `mfa` check (which challenge, if any), the answers to
 * SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP and SELECT_MFA_TYPE, and MFA_SETUP's software-token set-up
 * (AssociateSoftwareToken and VerifySoftwareToken called with the sign-in's Session). What a user
 * has set up and what the pool requires is domain/mfa.ts's (mfaState); codes are sent and checked
 * there too. Facts: shared/reference/signin-extensions.md "MFA"; decisions in docs/decisions.md.
 */
import {
  associateSoftwareToken,
  checkMfaCode,
  checkSoftwareTokenCode,
  mfaCodeMismatch,
  mfaState,
  sendMfaCode,
  verifyPhoneBySmsMfa,
  verifySoftwareToken,
  type MfaFactor,
} from '../domain/mfa.js';
import { checkSecretHash } from '../domain/secret-hash.js';
import { CognitoError, errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { param } from './factors.js';
import { checkNamedUser, countFailure, gate, incorrect } from './gate.js';
import type { Ask, SignInSoFar } from './policy.js';
import { openSession, takeSession, type Pending, type SignInState } from './session.js';
import type { Channel, Factor, Params } from './types.js';

const MFA: readonly Factor[] = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP'];

/**
 * The policy's MFA check: nothing, MFA_SETUP, SELECT_MFA_TYPE, or the one factor's challenge. Asked
 * by the policy (after the first factor or a new password), each carries USER_ID_FOR_SRP, the
 * username, as Cognito's do (docs/decisions.md, "MFA with the real clients").
 */
export async function askMfa(s: SignInSoFar): Promise<Ask | undefined> {
  if (s.proven.some((f) => MFA.includes(f))) return undefined;
  const state = mfaState(s.pool, s.user);
  if (!state.required) return undefined;
  const USER_ID_FOR_SRP = s.user.username;
  if (state.enabled.length === 0) {
    return {
      name: 'MFA_SETUP',
      parameters: { MFAS_CAN_SETUP: JSON.stringify(state.canSetUp), USER_ID_FOR_SRP },
      pending: { challenge: 'MFA_SETUP', canSetUp: state.canSetUp, stage: 'associate' },
    };
  }
  const factor = state.preferred ?? (state.enabled.length === 1 ? state.enabled[0] : undefined);
  if (!factor) {
    return { name: 'SELECT_MFA_TYPE', parameters: { MFAS_CAN_CHOOSE: JSON.stringify(state.enabled), USER_ID_FOR_SRP }, pending: { challenge: 'SELECT_MFA_TYPE', options: state.enabled } };
  }
  const ask = await askFactor(s.ctx, s.pool, s.client, s.user, factor);
  return { ...ask, parameters: { ...ask.parameters, USER_ID_FOR_SRP } };
}

/** The challenge of one factor (also the answer to SELECT_MFA_TYPE, without USER_ID_FOR_SRP); for SMS and email, the code is sent now. */
async function askFactor(ctx: Ctx, pool: PoolRecord, client: ClientRecord, user: UserRecord, factor: MfaFactor): Promise<Ask> {
  if (factor === 'SOFTWARE_TOKEN_MFA') {
    const name = user.mfa?.totp?.friendlyName;
    return { name: factor, parameters: name ? { FRIENDLY_DEVICE_NAME: name } : {}, pending: { challenge: factor } };
  }
  const sent = await sendMfaCode(ctx, pool, user, factor === 'SMS_MFA' ? 'SMS' : 'EMAIL', client.id);
  return {
    name: factor,
    parameters: { CODE_DELIVERY_DELIVERY_MEDIUM: sent.deliveryDetails.DeliveryMedium!, CODE_DELIVERY_DESTINATION: sent.deliveryDetails.Destination! },
    pending: { challenge: factor, codeHash: sent.codeHash, expiresAt: sent.expiresAt },
  };
}

/** The user of a taken session, checked as every later step checks it (SECRET_HASH on the API, the gate). */
async function sessionUser(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, state: SignInState, r: Params | undefined): Promise<UserRecord> {
  const user = state.usernameKey === null ? undefined : await ctx.store.users.get(pool.id, state.usernameKey);
  if (!user) throw incorrect();
  if (channel === 'api') checkSecretHash(client, r?.SECRET_HASH, [r?.USERNAME, user.username, user.sub]);
  await checkNamedUser(ctx, pool, r, user);
  gate(client, user, ctx.now);
  return user;
}

/**
 * SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP: the code checked. A wrong one is CodeMismatchException,
 * counts toward the lockout, and leaves the session usable for another try (until it expires or
 * the lockout stops the user); a software token code already used is ExpiredCodeException, not
 * counted, the session kept too.
 */
export async function codeFactor(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  channel: Channel,
  /** SMS_OTP, and EMAIL_OTP with `first` in its session: USER_AUTH's passwordless first factors (user-auth.ts). */
  factor: MfaFactor | 'SMS_OTP',
  session: string | undefined,
  r: Params | undefined,
): Promise<{ state: SignInState; user: UserRecord }> {
  if (!session) throw errors.invalidParameter('Missing required parameter Session');
  const code = param(r, `${factor}_CODE`);
  const { state, restore } = await takeSession(ctx, client, channel, session, factor);
  if (state.usernameKey === null && 'first' in state.pending && state.pending.first) {
    // USER_AUTH's code for a name that is nobody's (PreventUserExistenceErrors): a wrong code, as a
    // user's would be, the session kept for another try (user-auth.ts, askFirstFactor).
    if (channel === 'api') checkSecretHash(client, r?.SECRET_HASH, [r?.USERNAME]);
    await restore();
    throw mfaCodeMismatch();
  }
  let user: UserRecord;
  try {
    user = await sessionUser(ctx, pool, client, channel, state, r);
  } catch (e) {
    if (e instanceof CognitoError && e.type !== 'NotAuthorizedException') await restore();
    throw e;
  }
  const pending = state.pending as Pending;
  let ok: boolean;
  if (pending.challenge === 'SOFTWARE_TOKEN_MFA') {
    try {
      await checkSoftwareTokenCode(ctx, pool, user, code);
      ok = true;
    } catch (e) {
      // A spent code (ExpiredCodeException) is not a wrong one: not counted, the session kept for the next code.
      if (e instanceof CognitoError && e.type === 'ExpiredCodeException') await restore();
      if (!(e instanceof CognitoError) || e.type !== 'CodeMismatchException') throw e;
      ok = false;
    }
  } else if (pending.challenge === 'SMS_MFA' || pending.challenge === 'EMAIL_OTP' || pending.challenge === 'SMS_OTP') {
    ok = checkMfaCode(ctx, user, pending, code);
  } else {
    throw errors.notAuthorized('Invalid session for the user.');
  }
  if (!ok) {
    // A first factor's wrong code is a failed first step, not a failed MFA after a password.
    await countFailure(ctx, pool, user, 'first' in pending && pending.first ? 'Password' : 'Mfa');
    await restore();
    throw mfaCodeMismatch();
  }
  // A right SMS code verifies the phone it went to, as Cognito does.
  if (pending.challenge === 'SMS_MFA') user = await verifyPhoneBySmsMfa(ctx, pool, user);
  return { state, user };
}

/** SELECT_MFA_TYPE: ANSWER is one of MFAS_CAN_CHOOSE (EMAIL_MFA is read as EMAIL_OTP, as Amplify may send either). */
export async function selectFactor(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  channel: Channel,
  session: string | undefined,
  r: Params | undefined,
): Promise<{ state: SignInState; user: UserRecord; ask: Ask }> {
  if (!session) throw errors.invalidParameter('Missing required parameter Session');
  const given = param(r, 'ANSWER');
  const { state, restore } = await takeSession(ctx, client, channel, session, 'SELECT_MFA_TYPE');
  const choice = (given === 'EMAIL_MFA' ? 'EMAIL_OTP' : given) as MfaFactor;
  if (!state.pending.options.includes(choice)) {
    await restore();
    // Message ours: the choices are those the challenge offered.
    throw errors.invalidParameter(`ANSWER must be one of the MFA types the challenge offered: ${state.pending.options.join(', ')}.`);
  }
  const user = await sessionUser(ctx, pool, client, channel, state, r);
  return { state, user, ask: await askFactor(ctx, pool, client, user, choice) };
}

/** MFA_SETUP answered: only with the session VerifySoftwareToken returned (the token set up and verified). */
export async function setupFactor(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  channel: Channel,
  session: string | undefined,
  r: Params | undefined,
): Promise<{ state: SignInState; user: UserRecord }> {
  if (!session) throw errors.invalidParameter('Missing required parameter Session');
  const { state, restore } = await takeSession(ctx, client, channel, session, 'MFA_SETUP');
  if (state.pending.stage !== 'verified') {
    await restore();
    // Messages ours: what MFA_SETUP needs first. Only a software token can be set up during sign-in;
    // in a pool that does not offer one, the user needs a factor set by an administrator.
    if (!state.pending.canSetUp.includes('SOFTWARE_TOKEN_MFA')) {
      throw errors.invalidParameter(
        `The user has no MFA factor and this user pool offers ${state.pending.canSetUp.join(', ')}, which cannot be set up during sign-in: give the user a phone_number (SMS_MFA) or an email (EMAIL_OTP) and turn that factor on (AdminUpdateUserAttributes, AdminSetUserMFAPreference), then sign in again.`,
      );
    }
    throw errors.invalidParameter(
      'MFA_SETUP is answered with the Session that VerifySoftwareToken returned: call AssociateSoftwareToken and VerifySoftwareToken with this Session first.',
    );
  }
  const user = await sessionUser(ctx, pool, client, channel, state, r);
  return { state, user };
}

/** The pool and client a session belongs to (AssociateSoftwareToken and VerifySoftwareToken name none). */
async function owners(ctx: Ctx, poolId: string, clientId: string): Promise<{ pool: PoolRecord; client: ClientRecord }> {
  const [pool, client] = await Promise.all([ctx.store.pools.get(poolId), ctx.store.clients.get(clientId)]);
  if (!pool || !client) throw errors.notAuthorized('Invalid session for the user.');
  return { pool, client };
}

/**
 * AssociateSoftwareToken with the Session of an MFA_SETUP challenge: a new secret for the user
 * signing in, and a new session for VerifySoftwareToken. `client` is the hosted pages' (undefined
 * for the API operation, which names none).
 */
export async function setupAssociate(ctx: Ctx, channel: Channel, session: string, client?: ClientRecord): Promise<{ secretCode: string; session: string; user: UserRecord }> {
  const taken = await takeSession(ctx, client, channel, session, 'MFA_SETUP');
  const { state } = taken;
  const { pool, client: owner } = await owners(ctx, taken.poolId, taken.clientId);
  if (!state.pending.canSetUp.includes('SOFTWARE_TOKEN_MFA')) {
    await taken.restore();
    // Message ours.
    throw errors.invalidParameter('This user pool does not offer software token MFA, so no software token can be set up.');
  }
  const user = state.usernameKey === null ? undefined : await ctx.store.users.get(pool.id, state.usernameKey);
  if (!user) throw incorrect();
  gate(owner, user, ctx.now);
  const { secretCode } = await associateSoftwareToken(ctx, pool, user);
  const next = await openSession(ctx, pool, owner, { ...state, pending: { ...state.pending, stage: 'verify' } });
  return { secretCode, session: next, user };
}

/**
 * VerifySoftwareToken with the Session AssociateSoftwareToken returned: the code checked against
 * the new secret, which becomes the user's token, turned on; a new session answers MFA_SETUP. A
 * wrong code is EnableSoftwareTokenMFAException and leaves the session usable for another code.
 */
export async function setupVerify(
  ctx: Ctx,
  channel: Channel,
  session: string,
  code: string,
  friendlyName: string | undefined,
  client?: ClientRecord,
): Promise<{ session: string }> {
  const taken = await takeSession(ctx, client, channel, session, 'MFA_SETUP');
  const { state } = taken;
  const { pool, client: owner } = await owners(ctx, taken.poolId, taken.clientId);
  const user = state.usernameKey === null ? undefined : await ctx.store.users.get(pool.id, state.usernameKey);
  if (!user) throw incorrect();
  if (state.pending.stage !== 'verify') {
    await taken.restore();
    // Message ours.
    throw errors.invalidParameter('Call AssociateSoftwareToken with this Session first: there is no software token to verify.');
  }
  try {
    gate(owner, user, ctx.now);
    await verifySoftwareToken(ctx, pool, user, code, { ...(friendlyName ? { friendlyName } : {}), enable: true });
  } catch (e) {
    if (e instanceof CognitoError && e.type === 'EnableSoftwareTokenMFAException') await taken.restore();
    throw e;
  }
  const next = await openSession(ctx, pool, owner, { ...state, pending: { ...state.pending, stage: 'verified' } });
  return { session: next };
}
