/**
 * Sign-in sessions: the state between two steps of a sign-in, sealed with the master key in the
 * auth_sessions table, bound to the app client, single use, expiring after the client's
 * AuthSessionValidity (3 minutes by default). The state records which factors have passed and the
 * one challenge the session may answer, so a session cannot skip a step by naming another.
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '../domain/tokens.js';
import { errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord } from '../store/types.js';
import type { MfaFactor } from '../domain/mfa.js';
import type { ChallengeResult } from '../triggers/custom-auth.js';
import type { Channel, Factor } from './types.js';

/** The sealing context of every auth_sessions state (sign-in steps here, codes and browser sessions in oauth/). */
export const SESSION_CONTEXT = 'auth-session';

/** What checking the answer to the pending challenge needs. */
export type Pending =
  | { challenge: 'PASSWORD_VERIFIER'; userIdForSrp: string; A: string; B: string; b: string; salt: string; verifier: string }
  | { challenge: 'NEW_PASSWORD_REQUIRED' }
  | { challenge: 'DEVICE_SRP_AUTH' }
  | { challenge: 'DEVICE_PASSWORD_VERIFIER'; groupKey: string; A: string; B: string; b: string; verifier: string; secretBlock: string }
  | { challenge: 'SOFTWARE_TOKEN_MFA' }
  /** A code sent by SMS or email: its salted keyed hash (never the code) and when it expires. */
  | { challenge: 'SMS_MFA'; codeHash: string; expiresAt: number }
  | { challenge: 'EMAIL_OTP'; codeHash: string; expiresAt: number; first?: true }
  /** USER_AUTH's passwordless first factors (user-auth.ts). first: the code is the first factor, not MFA. */
  | { challenge: 'SMS_OTP'; codeHash: string; expiresAt: number; first: true }
  | { challenge: 'WEB_AUTHN'; webauthnChallenge: string }
  /** USER_AUTH without PREFERRED_CHALLENGE: the first factors offered (AvailableChallenges). */
  | { challenge: 'SELECT_CHALLENGE'; options: string[] }
  | { challenge: 'SELECT_MFA_TYPE'; options: MfaFactor[] }
  /**
   * MFA_SETUP moves through AssociateSoftwareToken (associate -> verify) and VerifySoftwareToken
   * (verify -> verified), each with a new session; only a verified one answers the challenge.
   */
  | { challenge: 'MFA_SETUP'; canSetUp: MfaFactor[]; stage: 'associate' | 'verify' | 'verified' }
  /**
   * A custom challenge: what CreateAuthChallenge returned for VerifyAuthChallengeResponse (its
   * privateChallengeParameters never leave the sealed session) and the challengeMetadata the
   * session history will record for it.
   */
  | { challenge: 'CUSTOM_CHALLENGE'; privateParameters: Record<string, string>; metadata: string | null };

/**
 * A custom sign-in (CUSTOM_AUTH) in progress: the session history DefineAuthChallenge and
 * CreateAuthChallenge are sent, the USERNAME it started with (the triggers' userName for a user that
 * does not exist), and the SRP_A it started with, for a PASSWORD_VERIFIER Define may ask.
 */
export interface CustomFlow {
  history: ChallengeResult[];
  name: string;
  srpA?: string;
}

export interface SignInState {
  kind: 'SIGNIN';
  channel: Channel;
  /** The user signing in; null for a name that belongs to nobody (PreventUserExistenceErrors). */
  usernameKey: string | null;
  proven: Factor[];
  pending: Pending;
  /** The remembered device the client named (DEVICE_KEY), when the pool tracks devices. */
  deviceKey?: string;
  /** Present in a custom sign-in (CUSTOM_AUTH). */
  custom?: CustomFlow;
}

/** A new random session value (the token the client sends back). */
export const newSessionToken = (): string => randomBytes(48).toString('base64url');

/**
 * Stores a session under `token` (a new random one unless given, e.g. SRP's SECRET_BLOCK); returns
 * it. `replace`: a session already stored under that token is replaced (a derived token, device.ts).
 */
export async function openSession(ctx: Ctx, pool: PoolRecord, client: ClientRecord, state: Omit<SignInState, 'kind'>, token = newSessionToken(), replace = false): Promise<string> {
  const full: SignInState = { kind: 'SIGNIN', ...state };
  await ctx.store.sessions[replace ? 'put' : 'insert']({
    id: hashToken(token),
    poolId: pool.id,
    clientId: client.id,
    state: ctx.secrets.seal(JSON.stringify(full), SESSION_CONTEXT),
    expiresAt: ctx.now + (client.settings.AuthSessionValidity ?? 3) * 60_000,
  });
  return token;
}

/**
 * Takes (consumes) a session: single use, bound to its client and channel, unexpired, and waiting
 * for this challenge. `restore` puts it back, for an answer the user may correct and send again.
 */
export async function takeSession<C extends Pending['challenge']>(
  ctx: Ctx,
  /** The client the request names; undefined where the operation names none (AssociateSoftwareToken, VerifySoftwareToken). */
  client: ClientRecord | undefined,
  channel: Channel,
  /** The session's value; with several, the first that names a session is taken (the others are left alone). */
  token: string | string[],
  challenge: C,
): Promise<{ state: SignInState & { pending: Extract<Pending, { challenge: C }> }; restore(): Promise<void>; poolId: string; clientId: string }> {
  let rec: Awaited<ReturnType<typeof ctx.store.sessions.take>>;
  for (const t of Array.isArray(token) ? token : [token]) {
    rec = await ctx.store.sessions.take(hashToken(t));
    if (rec) break;
  }
  if (!rec || (client && rec.clientId !== client.id)) throw errors.notAuthorized('Invalid session for the user, session can only be used once.');
  if (rec.expiresAt <= ctx.now) throw errors.notAuthorized('Invalid session for the user, session is expired.');
  const state = JSON.parse(ctx.secrets.open(rec.state, SESSION_CONTEXT).toString('utf8')) as SignInState | { kind?: undefined };
  if (state.kind !== 'SIGNIN' || state.channel !== channel || state.pending.challenge !== challenge) throw errors.notAuthorized('Invalid session for the user.');
  return {
    state: state as SignInState & { pending: Extract<Pending, { challenge: C }> },
    restore: () => ctx.store.sessions.insert(rec),
    poolId: rec.poolId,
    clientId: rec.clientId,
  };
}
