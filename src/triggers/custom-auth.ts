/**
 * The three custom authentication triggers (CUSTOM_AUTH): their events and what their answers mean.
 * The sign-in engine (src/signin/custom.ts) decides when each runs; this file builds the events and
 * reads the replies. Facts: the developer guide's "Define auth challenge", "Create auth challenge"
 * and "Verify auth challenge response" pages; DefinitelyTyped types/aws-lambda/trigger/
 * cognito-user-pool-trigger/{define,create,verify}-auth-challenge.d.ts; docs/decisions.md
 * "Custom authentication".
 *
 *   DefineAuthChallenge  DefineAuthChallenge_Authentication
 *     request  { userAttributes, session: [{ challengeName, challengeResult, challengeMetadata }],
 *                clientMetadata, userNotFound }
 *     response { challengeName, issueTokens, failAuthentication }
 *   CreateAuthChallenge  CreateAuthChallenge_Authentication
 *     request  { userAttributes, challengeName, session, clientMetadata, userNotFound }
 *     response { publicChallengeParameters, privateChallengeParameters, challengeMetadata }
 *   VerifyAuthChallengeResponse  VerifyAuthChallengeResponse_Authentication
 *     request  { userAttributes, privateChallengeParameters, challengeAnswer, clientMetadata, userNotFound }
 *     response { answerCorrect }
 */
import { hidesUsers } from '../domain/client-settings.js';
import { errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { configured, runTrigger, userAttributes } from './catalog.js';
import { replyBoolean } from './reply.js';

/** One entry of the session history the triggers see, oldest first. */
export interface ChallengeResult {
  challengeName: string;
  challengeResult: boolean;
  /** CreateAuthChallenge's challengeMetadata for a CUSTOM_CHALLENGE; null otherwise (as Cognito sends it). */
  challengeMetadata: string | null;
}

/** Who is signing in, as the three triggers are told: the user, or (PreventUserExistenceErrors) a name that is nobody's. */
export interface CustomAuthSubject {
  ctx: Ctx;
  pool: PoolRecord;
  client: ClientRecord;
  user: UserRecord | undefined;
  /** The USERNAME the sign-in gave: the event's userName for a user that does not exist. */
  name: string;
}

/** What DefineAuthChallenge decided. */
export type DefineDecision = { kind: 'issueTokens' } | { kind: 'fail' } | { kind: 'challenge'; name: string };

export interface CreatedChallenge {
  publicParameters: Record<string, string>;
  privateParameters: Record<string, string>;
  metadata: string | null;
}

/** Whether the pool can run a custom sign-in at all (a DefineAuthChallenge function is configured). */
export const hasDefineAuthChallenge = (pool: PoolRecord): boolean => configured(pool, 'DefineAuthChallenge') !== undefined;

const unrecognizable = () => errors.invalidLambdaResponse('Unrecognizable lambda output');

/** The request members the three events share: the user's attributes, clientMetadata, userNotFound. */
function common(s: CustomAuthSubject): Record<string, unknown> {
  return {
    userAttributes: s.user ? userAttributes(s.user, true) : {},
    // Only RespondToAuthChallenge's ClientMetadata reaches these triggers; InitiateAuth's does not
    // (the service model's InitiateAuth ClientMetadata text).
    ...(s.ctx.clientMetadata ? { clientMetadata: s.ctx.clientMetadata } : {}),
    // "populated when PreventUserExistenceErrors is set to ENABLED" (the trigger pages).
    ...(hidesUsers(s.client) ? { userNotFound: s.user === undefined } : {}),
  };
}

const envelope = (s: CustomAuthSubject) => ({ userName: s.user?.username ?? s.name, clientId: s.client.id });

/** A JSON scalar as the string Cognito's string maps read it; objects and arrays are not strings. */
function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return undefined;
  throw unrecognizable();
}

function stringMap(v: unknown): Record<string, string> {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw unrecognizable();
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = asString(x);
    if (s !== undefined) out[k] = s;
  }
  return out;
}


/** DefineAuthChallenge with the session so far: tokens, failure, or the next challenge's name. */
export async function defineAuthChallenge(s: CustomAuthSubject, session: ChallengeResult[]): Promise<DefineDecision> {
  const r = await runTrigger(s.ctx, s.pool, 'DefineAuthChallenge', 'DefineAuthChallenge_Authentication', {
    ...envelope(s),
    request: () => ({ ...common(s), session }),
  });
  if (!r) throw errors.invalidParameter('Custom auth lambda trigger is not configured for the user pool.');
  // failAuthentication wins over issueTokens: a function that says both has not let the user in.
  if (replyBoolean(r.failAuthentication)) return { kind: 'fail' };
  if (replyBoolean(r.issueTokens)) return { kind: 'issueTokens' };
  const name = asString(r.challengeName);
  if (!name) throw unrecognizable();
  return { kind: 'challenge', name };
}

/** CreateAuthChallenge for the challenge Define named: its public and private parameters and metadata. */
export async function createAuthChallenge(s: CustomAuthSubject, challengeName: string, session: ChallengeResult[]): Promise<CreatedChallenge> {
  const r = await runTrigger(s.ctx, s.pool, 'CreateAuthChallenge', 'CreateAuthChallenge_Authentication', {
    ...envelope(s),
    request: () => ({ ...common(s), challengeName, session }),
  });
  // Define asked for a custom challenge and no function creates one.
  if (!r) throw errors.invalidParameter('Custom auth lambda trigger is not configured for the user pool.');
  return {
    publicParameters: stringMap(r.publicChallengeParameters),
    privateParameters: stringMap(r.privateChallengeParameters),
    metadata: asString(r.challengeMetadata) ?? null,
  };
}

/** VerifyAuthChallengeResponse: whether the answer is right. */
export async function verifyAuthChallengeResponse(s: CustomAuthSubject, privateParameters: Record<string, string>, answer: string): Promise<boolean> {
  const r = await runTrigger(s.ctx, s.pool, 'VerifyAuthChallengeResponse', 'VerifyAuthChallengeResponse_Authentication', {
    ...envelope(s),
    request: () => ({ ...common(s), privateChallengeParameters: privateParameters, challengeAnswer: answer }),
  });
  if (!r) throw errors.invalidParameter('Custom auth lambda trigger is not configured for the user pool.');
  return replyBoolean(r.answerCorrect);
}
