/**
 * The custom factor: a sign-in whose steps Lambda functions decide (CUSTOM_AUTH on InitiateAuth and
 * AdminInitiateAuth). DefineAuthChallenge reads the session history and says what is next: tokens,
 * failure, a CUSTOM_CHALLENGE (CreateAuthChallenge makes it; VerifyAuthChallengeResponse checks its
 * ANSWER) or the password by SRP (PASSWORD_VERIFIER, when the sign-in started with SRP_A:
 * "CUSTOM_WITH_SRP"). Define's decision is the policy's `custom_challenge` check (policy.ts); this
 * file has the start, the answer, and the ask. Facts and choices: docs/decisions.md "Custom
 * authentication"; the triggers' events: src/triggers/custom-auth.ts.
 *
 * The session history records, oldest first: SRP_A (the sign-in started with SRP_A), PASSWORD_VERIFIER
 * (the password proved), the MFA code a pool asked after the password (SMS_MFA, SOFTWARE_TOKEN_MFA,
 * EMAIL_OTP) and each CUSTOM_CHALLENGE with Verify's result and Create's challengeMetadata.
 */
import { hidesUsers } from '../domain/client-settings.js';
import { checkSecretHash } from '../domain/secret-hash.js';
import { isValidA } from '../domain/srp.js';
import { findUser } from '../domain/users.js';
import { errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { hasDefineAuthChallenge, type ChallengeResult } from '../triggers/custom-auth.js';
import { param, srpChallenge } from './factors.js';
import { requireFlow } from './flows.js';
import { checkNamedUser, gate, incorrect } from './gate.js';
import { hooks } from './hooks.js';
import type { Ask } from './policy.js';
import { takeSession, type CustomFlow, type SignInState } from './session.js';
import type { Channel, Factor, Params } from './types.js';

/**
 * The most CUSTOM_CHALLENGE rounds one sign-in may have. Cognito ends a custom sign-in that goes on
 * asking; no source found gives its number, so this one is ours, above any flow the guide shows
 * (docs/decisions.md "Custom authentication"). Define asking for one more fails the sign-in as
 * failAuthentication does.
 */
export const MAX_CUSTOM_CHALLENGES = 8;

/** The history entries a custom sign-in's steps add (the challenge answered, passed). */
const RECORDED: Partial<Record<Factor, string>> = { SRP: 'PASSWORD_VERIFIER', SMS_MFA: 'SMS_MFA', SOFTWARE_TOKEN_MFA: 'SOFTWARE_TOKEN_MFA', EMAIL_OTP: 'EMAIL_OTP' };

/** The flow with `factor` passed recorded in its history (PASSWORD_VERIFIER and MFA codes; other steps are not Define's to see). */
export function withStep(flow: CustomFlow | undefined, factor: Factor): CustomFlow | undefined {
  const name = RECORDED[factor];
  if (!flow || !name) return flow;
  return { ...flow, history: [...flow.history, { challengeName: name, challengeResult: true, challengeMetadata: null }] };
}

/**
 * CUSTOM_AUTH, start: the client allows it, the pool has a DefineAuthChallenge, the user is found
 * (under PreventUserExistenceErrors a name that is nobody's goes on, with userNotFound), SECRET_HASH,
 * PreAuthentication, the user's state. Returns the user (undefined for nobody) and the flow.
 */
export async function customStart(ctx: Ctx, pool: PoolRecord, client: ClientRecord, channel: Channel, p: Params | undefined): Promise<{ user: UserRecord | undefined; flow: CustomFlow }> {
  // The pool's trigger first, then the client's flow (no source gives Cognito's order; this one
  // keeps the answer a pool without triggers always gave).
  if (!hasDefineAuthChallenge(pool)) throw errors.invalidParameter('Custom auth lambda trigger is not configured for the user pool.');
  requireFlow(client, 'CUSTOM_AUTH');
  const name = param(p, 'USERNAME');
  // SRP first ("CUSTOM_WITH_SRP"): AuthParameters CHALLENGE_NAME SRP_A with SRP_A, as the guide
  // and the SDKs send them; SRP_A alone is read the same way.
  const srpA = p?.CHALLENGE_NAME === 'SRP_A' ? param(p, 'SRP_A') : p?.SRP_A || undefined;
  if (srpA !== undefined && !isValidA(srpA)) throw errors.invalidParameter('SRP_A is not a valid SRP value.');
  const user = await findUser(ctx.store, pool, name);
  checkSecretHash(client, p?.SECRET_HASH, [name, user?.username, user?.sub]);
  if (!user && !hidesUsers(client)) throw errors.userNotFound('User does not exist.');
  if (user) {
    await hooks.preAuthentication({ ctx, pool, client, user, channel });
    // Disabled, unconfirmed, reset required; the lockout counts passwords, not custom answers
    // (a PASSWORD_VERIFIER step applies it).
    gate(client, user, undefined);
  }
  const history: ChallengeResult[] = srpA !== undefined ? [{ challengeName: 'SRP_A', challengeResult: true, challengeMetadata: null }] : [];
  return { user, flow: { history, name, ...(srpA !== undefined ? { srpA } : {}) } };
}

/**
 * Define's decision on the history so far: 'issueTokens', or the challenge to ask (CUSTOM_CHALLENGE
 * made by Create, with USERNAME added to its public parameters; PASSWORD_VERIFIER for the SRP_A the
 * sign-in started with). failAuthentication, and Define going on past MAX_CUSTOM_CHALLENGES, end the
 * sign-in as a wrong password does.
 */
export async function customAsk(ctx: Ctx, pool: PoolRecord, client: ClientRecord, user: UserRecord | undefined, flow: CustomFlow): Promise<Ask | 'issueTokens'> {
  const subject = { ctx, pool, client, user, name: flow.name };
  const decision = await hooks.defineAuthChallenge(subject, flow.history);
  if (decision.kind === 'fail') throw incorrect();
  if (decision.kind === 'issueTokens') return 'issueTokens';
  switch (decision.name) {
    case 'CUSTOM_CHALLENGE': {
      if (flow.history.filter((h) => h.challengeName === 'CUSTOM_CHALLENGE').length >= MAX_CUSTOM_CHALLENGES) throw incorrect();
      const c = await hooks.createAuthChallenge(subject, 'CUSTOM_CHALLENGE', flow.history);
      return {
        name: 'CUSTOM_CHALLENGE',
        // Cognito adds USERNAME (the user's username, also when signing in by an alias).
        parameters: { ...c.publicParameters, USERNAME: user?.username ?? flow.name },
        pending: { challenge: 'CUSTOM_CHALLENGE', privateParameters: c.privateParameters, metadata: c.metadata },
      };
    }
    case 'PASSWORD_VERIFIER': {
      if (flow.srpA === undefined || flow.history.some((h) => h.challengeName === 'PASSWORD_VERIFIER')) {
        // Message ours.
        throw errors.invalidParameter(
          flow.srpA === undefined
            ? 'DefineAuthChallenge asked for PASSWORD_VERIFIER, but the sign-in did not start with SRP: send CHALLENGE_NAME SRP_A and SRP_A in AuthParameters.'
            : 'DefineAuthChallenge asked for PASSWORD_VERIFIER again: the password was already verified in this sign-in.',
        );
      }
      const { pending, parameters, secretBlock } = srpChallenge(ctx, pool, flow.name, user, flow.srpA);
      // The SECRET_BLOCK is also the Session the answer is sent with (Amplify sends the Session).
      return { name: 'PASSWORD_VERIFIER', parameters, pending, session: secretBlock };
    }
    default:
      // SMS_MFA, SOFTWARE_TOKEN_MFA and the rest are not Define's to ask: MFA follows the password
      // on its own (docs/decisions.md).
      throw errors.invalidLambdaResponse('Unrecognizable lambda output');
  }
}

/**
 * CUSTOM_CHALLENGE answered: the session taken (single use: a wrong answer is not retried on it;
 * Define decides whether a new challenge follows), SECRET_HASH, the user's state, then Verify with
 * the private parameters the session kept. Returns the state with the answer's result in its
 * history, and the user (undefined for nobody).
 */
export async function customAnswer(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  channel: Channel,
  session: string | undefined,
  r: Params | undefined,
): Promise<{ state: SignInState & { custom: CustomFlow }; user: UserRecord | undefined }> {
  if (!session) throw errors.invalidParameter('Missing required parameter Session');
  const answer = r?.ANSWER;
  if (typeof answer !== 'string') throw errors.invalidParameter('Missing required parameter ANSWER');
  const { state } = await takeSession(ctx, client, channel, session, 'CUSTOM_CHALLENGE');
  const flow = state.custom;
  if (!flow) throw errors.notAuthorized('Invalid session for the user.');
  const user = state.usernameKey === null ? undefined : await ctx.store.users.get(pool.id, state.usernameKey);
  if (state.usernameKey !== null && !user) throw incorrect();
  checkSecretHash(client, r?.SECRET_HASH, [r?.USERNAME, user?.username ?? flow.name, user?.sub]);
  if (user) {
    await checkNamedUser(ctx, pool, r, user);
    gate(client, user, undefined);
  }
  const ok = await hooks.verifyAuthChallengeResponse({ ctx, pool, client, user, name: flow.name }, state.pending.privateParameters, answer);
  const custom: CustomFlow = { ...flow, history: [...flow.history, { challengeName: 'CUSTOM_CHALLENGE', challengeResult: ok, challengeMetadata: state.pending.metadata }] };
  return { state: { ...state, custom }, user };
}
