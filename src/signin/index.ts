/**
 * The sign-in engine: the one place that decides what a sign-in does next, for the JSON API
 * (InitiateAuth, AdminInitiateAuth, (Admin)RespondToAuthChallenge) and the hosted login pages alike.
 *
 *   start(...)   begins a flow: the first factor (password in the request, or SRP's first step), or
 *                a custom sign-in (CUSTOM_AUTH, custom.ts: DefineAuthChallenge decides its steps)
 *   answer(...)  verifies one challenge's answer against its session
 * Both return an Outcome: a challenge (name, public parameters, session) or "signed in". After each
 * proven factor the policy (policy.ts) picks the next step; when none is left, complete.ts ends the
 * sign-in. Transports translate Outcomes; they decide no step. Facts: shared/reference/
 * cognito-behaviour.md §2; design: shared/design/signin-engine.md.
 */
import { CognitoError, errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { complete } from './complete.js';
import { customAnswer, customAsk, customStart, withStep } from './custom.js';
import { deviceSrpStart, deviceSrpVerify, namedDevice, openDeviceSrpSession } from './device.js';
import { newPasswordFactor, param, passwordFactor, srpStart, srpVerify } from './factors.js';
import { requireFlow, unsupportedFlow } from './flows.js';
import { recordStep } from './metrics.js';
import { codeFactor, selectFactor, setupFactor } from './mfa.js';
import { incorrect } from './gate.js';
import { nextStep, type Ask } from './policy.js';
import { refreshAuth, refreshSecretCheck } from './refresh.js';
import { openSession, type CustomFlow } from './session.js';
import type { Channel, Factor, Outcome, Params } from './types.js';
import { selectChallenge, userAuthStart, webAuthnAnswer, type FirstStep } from './user-auth.js';
import type { RefreshWithGroups } from '../store/repos/reads.js';

export type { Challenge, Channel, Factor, Outcome, Params, SignedIn } from './types.js';
export { CodeTaken, issueTokens, type AuthenticationResult, type Grant } from './complete.js';
export { refreshAuth } from './refresh.js';
export { deviceStandsInForMfa } from './policy.js';
export { requireFlow } from './flows.js';
export { signInBar } from './gate.js';
export { missingRequired } from './factors.js';
export { SESSION_CONTEXT } from './session.js';
export { setupAssociate, setupVerify } from './mfa.js';
export { allowsUserAuth } from './flows.js';
export { availableFactors, openSignUpSession, poolFirstFactors } from './user-auth.js';

export interface StartRequest {
  channel: Channel;
  /**
   * The API's AuthFlow. The hosted login form starts USER_PASSWORD_AUTH (whatever the client's
   * ExplicitAuthFlows: the pages sign in by password on their own terms, without SECRET_HASH).
   */
  flow: string;
  /** InitiateAuth is the client side, AdminInitiateAuth the admin side (API channel). */
  side: 'client' | 'admin';
  parameters: Params | undefined;
  /** USER_AUTH: the Session SignUp or ConfirmSignUp returned (sign-in straight after sign-up). */
  session?: string;
  /** REFRESH_TOKEN_AUTH: the refresh token's read, made with the client's (InitiateAuth). */
  refreshRead?: { tokenHash: string; found: RefreshWithGroups | null };
}

export function start(ctx: Ctx, pool: PoolRecord, client: ClientRecord, req: StartRequest): Promise<Outcome> {
  return recordStep(ctx, req.channel, req.flow, () => startFlow(ctx, pool, client, req));
}

async function startFlow(ctx: Ctx, pool: PoolRecord, client: ClientRecord, req: StartRequest): Promise<Outcome> {
  const { channel, side, flow, parameters } = req;
  if (channel === 'hosted') {
    // The pages offer choice-based sign-in (an email code) where the pool allows it, whatever the client's ExplicitAuthFlows.
    if (flow === 'USER_AUTH') return firstStep(ctx, pool, client, channel, [], await userAuthStart(ctx, pool, client, channel, parameters, undefined));
    if (flow !== 'USER_PASSWORD_AUTH') throw new Error(`sign-in engine: the hosted pages do not start ${flow}`);
    return proceed(ctx, pool, client, channel, await passwordFactor(ctx, pool, client, channel, parameters), ['PASSWORD']);
  }
  switch (flow) {
    case 'USER_PASSWORD_AUTH':
    case 'ADMIN_USER_PASSWORD_AUTH':
    case 'ADMIN_NO_SRP_AUTH':
      // The password flow is USER_PASSWORD_AUTH client-side, ADMIN_USER_PASSWORD_AUTH (legacy
      // ADMIN_NO_SRP_AUTH) server-side; the other side's name is "Initiate Auth method not supported.".
      if ((side === 'client') !== (flow === 'USER_PASSWORD_AUTH')) throw errors.invalidParameter('Initiate Auth method not supported.');
      requireFlow(client, side === 'client' ? 'USER_PASSWORD_AUTH' : 'ADMIN_USER_PASSWORD_AUTH');
      return proceed(ctx, pool, client, channel, await passwordFactor(ctx, pool, client, channel, parameters), ['PASSWORD'], namedDevice(pool, channel, parameters));
    case 'USER_SRP_AUTH':
      requireFlow(client, 'USER_SRP_AUTH');
      return srpStart(ctx, pool, client, channel, parameters);
    case 'CUSTOM_AUTH': {
      // The same flow name on both sides; the functions decide the steps (custom.ts).
      const { user, flow: custom } = await customStart(ctx, pool, client, channel, parameters);
      return proceed(ctx, pool, client, channel, user, [], namedDevice(pool, channel, parameters), custom);
    }
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN': {
      requireFlow(client, 'REFRESH_TOKEN_AUTH');
      if (client.settings.RefreshTokenRotation?.Feature === 'ENABLED') {
        throw errors.invalidParameter('REFRESH_TOKEN_AUTH is not allowed for clients with refresh token rotation enabled: use GetTokensFromRefreshToken.');
      }
      const r = await refreshAuth(ctx, pool, client, param(parameters, 'REFRESH_TOKEN'), refreshSecretCheck(client, parameters), undefined, parameters?.DEVICE_KEY, req.refreshRead);
      return { kind: 'signedIn', user: r.user, factors: [], tokens: r.tokens };
    }
    case 'USER_AUTH':
      // Choice-based sign-in: the first factor the user picks (user-auth.ts), then the policy as for every flow.
      requireFlow(client, 'USER_AUTH');
      return firstStep(ctx, pool, client, channel, [], await userAuthStart(ctx, pool, client, channel, parameters, req.session), namedDevice(pool, channel, parameters));
    default:
      return unsupportedFlow(flow);
  }
}

/** What a USER_AUTH step led to: a first factor proven (the policy goes on), a challenge to ask, or the SRP step's challenge. */
function firstStep(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, proven: Factor[], step: FirstStep, deviceKey?: string): Promise<Outcome> {
  switch (step.kind) {
    case 'proven':
      return proceed(ctx, pool, client, channel, step.user, [...proven, step.factor], deviceKey);
    case 'ask':
      return challenge(ctx, pool, client, channel, step.user, proven, step.ask, deviceKey);
    case 'outcome':
      return Promise.resolve(step.outcome);
  }
}

export interface AnswerRequest {
  channel: Channel;
  challengeName: string | undefined;
  session: string | undefined;
  responses: Params | undefined;
}

/** Verifies the answer to the challenge its session waits for, then asks the policy what is next. */
export function answer(ctx: Ctx, pool: PoolRecord, client: ClientRecord, req: AnswerRequest): Promise<Outcome> {
  return recordStep(ctx, req.channel, req.challengeName, () => answerChallenge(ctx, pool, client, req));
}

async function answerChallenge(ctx: Ctx, pool: PoolRecord, client: ClientRecord, req: AnswerRequest): Promise<Outcome> {
  const { channel } = req;
  switch (req.challengeName) {
    case 'PASSWORD_VERIFIER': {
      const { state, user, restore } = await srpVerify(ctx, pool, client, channel, req.responses);
      // The SDKs send DEVICE_KEY with InitiateAuth and again here: the answer's wins, even when it
      // is null (amazon-cognito-identity-js's retry without a forgotten device).
      const deviceKey = req.responses && 'DEVICE_KEY' in req.responses ? namedDevice(pool, channel, req.responses) : state.deviceKey;
      try {
        return await proceed(ctx, pool, client, channel, user, [...state.proven, 'SRP'], deviceKey, withStep(state.custom, 'SRP'));
      } catch (e) {
        // A device that does not exist (forgotten): the proof stands, and amazon-cognito-identity-js
        // sends it again at once without DEVICE_KEY (CognitoUser.authenticateUserDefaultAuth), so the
        // session stays usable for that. Only the answer's own DEVICE_KEY is dropped on the retry.
        if (e instanceof CognitoError && e.name === 'ResourceNotFoundException' && deviceKey !== undefined) {
          await restore();
        }
        throw e;
      }
    }
    case 'NEW_PASSWORD_REQUIRED': {
      const { state, user } = await newPasswordFactor(ctx, pool, client, channel, req.session, req.responses);
      return proceed(ctx, pool, client, channel, user, [...state.proven, 'NEW_PASSWORD'], state.deviceKey, state.custom);
    }
    case 'DEVICE_SRP_AUTH':
      return deviceSrpStart(ctx, pool, client, channel, req.session, req.responses);
    case 'DEVICE_PASSWORD_VERIFIER': {
      const { state, user } = await deviceSrpVerify(ctx, pool, client, channel, req.session, req.responses);
      return proceed(ctx, pool, client, channel, user, [...state.proven, 'DEVICE'], state.deviceKey, state.custom);
    }
    case 'SELECT_CHALLENGE':
    case 'PASSWORD':
    case 'PASSWORD_SRP': {
      // USER_AUTH's choice of first factor; PASSWORD and PASSWORD_SRP also as direct answers to its session.
      const named = req.challengeName === 'SELECT_CHALLENGE' ? undefined : req.challengeName;
      const { state, step } = await selectChallenge(ctx, pool, client, channel, req.session, req.responses, named);
      return firstStep(ctx, pool, client, channel, state.proven, step, state.deviceKey);
    }
    case 'SMS_OTP': {
      const { state, user } = await codeFactor(ctx, pool, client, channel, 'SMS_OTP', req.session, req.responses);
      return proceed(ctx, pool, client, channel, user, [...state.proven, 'FIRST_SMS_OTP'], state.deviceKey);
    }
    case 'WEB_AUTHN': {
      const { state, user, mfa } = await webAuthnAnswer(ctx, pool, client, channel, req.session, req.responses);
      // A passkey that verified the user where passkeys count as MFA: the mfa check is satisfied (PASSKEY_MFA).
      return proceed(ctx, pool, client, channel, user, [...state.proven, 'WEB_AUTHN', ...(mfa ? (['PASSKEY_MFA'] as const) : [])], state.deviceKey);
    }
    case 'EMAIL_OTP': {
      const { state, user } = await codeFactor(ctx, pool, client, channel, 'EMAIL_OTP', req.session, req.responses);
      // The first factor of USER_AUTH, or MFA after a password.
      if (state.pending.challenge === 'EMAIL_OTP' && state.pending.first) return proceed(ctx, pool, client, channel, user, [...state.proven, 'FIRST_EMAIL_OTP'], state.deviceKey);
      return proceed(ctx, pool, client, channel, user, [...state.proven, 'EMAIL_OTP'], state.deviceKey, withStep(state.custom, 'EMAIL_OTP'));
    }
    case 'SOFTWARE_TOKEN_MFA':
    case 'SMS_MFA': {
      const { state, user } = await codeFactor(ctx, pool, client, channel, req.challengeName, req.session, req.responses);
      // The next step (DEVICE_SRP_AUTH, the only one an MFA answer can lead to) keeps the session's
      // value: amazon-cognito-identity-js answers it with the session it sent the code with
      // (CognitoUser.sendMFACode calls getDeviceResponse without taking the new Session), and
      // Amplify with the new one, which is the same value. Still single use: the code's session
      // was taken, and the value now stands for the device's step only.
      return proceed(ctx, pool, client, channel, user, [...state.proven, req.challengeName], state.deviceKey, withStep(state.custom, req.challengeName));
    }
    case 'SELECT_MFA_TYPE': {
      const { state, user, ask } = await selectFactor(ctx, pool, client, channel, req.session, req.responses);
      return challenge(ctx, pool, client, channel, user, state.proven, ask, state.deviceKey, state.custom);
    }
    case 'MFA_SETUP': {
      const { state, user } = await setupFactor(ctx, pool, client, channel, req.session, req.responses);
      return proceed(ctx, pool, client, channel, user, [...state.proven, 'SOFTWARE_TOKEN_MFA'], state.deviceKey, withStep(state.custom, 'SOFTWARE_TOKEN_MFA'));
    }
    case 'CUSTOM_CHALLENGE': {
      const { state, user } = await customAnswer(ctx, pool, client, channel, req.session, req.responses);
      return proceed(ctx, pool, client, channel, user, state.proven, state.deviceKey, state.custom);
    }
    default:
      throw errors.invalidParameter(`incognito does not issue the ${req.challengeName} challenge, so there is no session to answer it.`);
  }
}

/**
 * After a factor: the policy's next challenge (in a new session that remembers what passed), or
 * completion. A custom sign-in of a name that is nobody's (PreventUserExistenceErrors) has only
 * DefineAuthChallenge to ask, and never completes: tokens for nobody are a wrong password.
 */
async function proceed(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  channel: Channel,
  user: UserRecord | undefined,
  proven: Factor[],
  deviceKey?: string,
  custom?: CustomFlow,
): Promise<Outcome> {
  if (!user) {
    if (!custom) throw incorrect();
    const ask = await customAsk(ctx, pool, client, undefined, custom);
    if (ask === 'issueTokens') throw incorrect();
    return challenge(ctx, pool, client, channel, undefined, proven, ask, deviceKey, custom);
  }
  const ask = await nextStep({ ctx, pool, client, channel, user, proven, ...(deviceKey !== undefined ? { deviceKey } : {}), ...(custom ? { custom } : {}) });
  if (!ask) return complete(ctx, pool, client, channel, user, proven, deviceKey);
  return challenge(ctx, pool, client, channel, user, proven, ask, deviceKey, custom);
}

/** A challenge asked: its session opened with what has passed so far (and the device the sign-in names). */
async function challenge(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  channel: Channel,
  user: UserRecord | undefined,
  proven: Factor[],
  ask: Ask,
  deviceKey?: string,
  custom?: CustomFlow,
): Promise<Outcome> {
  const state = { channel, usernameKey: user?.usernameKey ?? null, proven, pending: ask.pending, ...(custom ? { custom } : {}) };
  // DEVICE_SRP_AUTH's session is found from USERNAME and DEVICE_KEY, whatever Session the client sends (device.ts).
  const session =
    ask.name === 'DEVICE_SRP_AUTH' && deviceKey !== undefined && user
      ? await openDeviceSrpSession(ctx, pool, client, { ...state, usernameKey: user.usernameKey, deviceKey })
      : await openSession(ctx, pool, client, { ...state, ...(deviceKey !== undefined ? { deviceKey } : {}) }, ask.session);
  const available = ask.pending.challenge === 'SELECT_CHALLENGE' ? { available: ask.pending.options } : {};
  return { kind: 'challenge', name: ask.name, parameters: ask.parameters, session, ...(user ? { user } : {}), ...available };
}
