/**
 * The named points of a sign-in where Lambda triggers plug in (issue 14), listed in one place with
 * when each runs. Each is a no-op today; the engine calls every one of them on every path, so a
 * trigger added here runs for the API and the hosted pages alike.
 *
 *   userMigration       a password sign-in names a user the pool does not have
 *                       (UserMigration_Authentication: the user is created from the function's
 *                       answer, then signs in as any other)
 *   preAuthentication   after the user is found, before the first factor is checked
 *                       (PreAuthentication_Authentication)
 *   postAuthentication  once every step has passed, before tokens or the hosted session
 *                       (PostAuthentication_Authentication)
 *   preTokenGeneration  before the tokens of a sign-in or a refresh are minted
 *                       (TokenGeneration_Authentication, _HostedAuth, _NewPasswordChallenge,
 *                       _RefreshTokens)
 *   defineAuthChallenge a custom sign-in's next step, at its start and after each step answered
 *                       (DefineAuthChallenge_Authentication; custom.ts)
 *   createAuthChallenge the CUSTOM_CHALLENGE Define asked (CreateAuthChallenge_Authentication)
 *   verifyAuthChallengeResponse  its ANSWER (VerifyAuthChallengeResponse_Authentication)
 * Event shapes: shared/reference/signin-extensions.md.
 */
import { ADMIN_SCOPE, claimsOfGroups, groupClaims } from '../domain/tokens.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, GroupRecord, PoolRecord, UserRecord } from '../store/types.js';
import { runTrigger, userAttributes } from '../triggers/catalog.js';
import { migrateUser } from '../triggers/user-migration.js';
import { createAuthChallenge, defineAuthChallenge, verifyAuthChallengeResponse } from '../triggers/custom-auth.js';
import { preTokenGeneration, type TokenGenerationSource, type TokenOverrides } from '../triggers/token-generation.js';
import type { Channel, Factor, Params } from './types.js';

export type { TokenGenerationSource } from '../triggers/token-generation.js';

export interface HookContext {
  ctx: Ctx;
  pool: PoolRecord;
  client: ClientRecord;
  user: UserRecord;
}

/** What the tokens of a sign-in are minted with: the user's group claims, and PreTokenGeneration's changes. */
export interface TokenInputs {
  groups: Record<string, unknown>;
  overrides?: TokenOverrides;
}

export interface SignInHooks {
  userMigration(h: { ctx: Ctx; pool: PoolRecord; client: ClientRecord; name: string; password: string }): Promise<UserRecord | undefined>;
  preAuthentication(h: HookContext & { channel: Channel; validationData?: Params }): Promise<void>;
  postAuthentication(h: HookContext & { channel: Channel; factors: Factor[] }): Promise<void>;
  /** `groups`: the user's groups when already read with the user (refresh.ts), else read here. */
  preTokenGeneration(h: HookContext & { source: TokenGenerationSource; scopes: string[] | null; groups?: readonly GroupRecord[] }): Promise<TokenInputs>;
  defineAuthChallenge: typeof defineAuthChallenge;
  createAuthChallenge: typeof createAuthChallenge;
  verifyAuthChallengeResponse: typeof verifyAuthChallengeResponse;
}

export const hooks: SignInHooks = {
  async userMigration({ ctx, pool, client, name, password }) {
    // InitiateAuth's ClientMetadata is the event's validationData (the model's InitiateAuth text);
    // it goes in clientMetadata too, where functions written for the other triggers look for it.
    const data = ctx.signInValidationData;
    return migrateUser(ctx, pool, { source: 'UserMigration_Authentication', clientId: client.id, name, password, validationData: data, clientMetadata: data ?? ctx.clientMetadata });
  },
  async preAuthentication({ ctx, pool, client, user, validationData }) {
    // InitiateAuth's ClientMetadata reaches PreAuthentication as validationData (the model's
    // InitiateAuth ClientMetadata text).
    const data = validationData ?? ctx.signInValidationData;
    await runTrigger(ctx, pool, 'PreAuthentication', 'PreAuthentication_Authentication', {
      userName: user.username,
      clientId: client.id,
      request: () => ({ userAttributes: userAttributes(user, true), ...(data ? { validationData: data } : {}), userNotFound: false }),
    });
  },
  async postAuthentication({ ctx, pool, client, user, factors }) {
    await runTrigger(ctx, pool, 'PostAuthentication', 'PostAuthentication_Authentication', {
      userName: user.username,
      clientId: client.id,
      request: () => ({ userAttributes: userAttributes(user, true), newDeviceUsed: false, ...(ctx.clientMetadata ? { clientMetadata: ctx.clientMetadata } : {}) }),
    });
    void factors;
  },
  async preTokenGeneration({ ctx, pool, client, user, source, scopes, groups: read }) {
    const groups = read ? claimsOfGroups(read) : await groupClaims(ctx.store, user);
    const overrides = await preTokenGeneration(ctx, pool, client, user, source, groups, scopes ?? [ADMIN_SCOPE]);
    return { groups, ...(overrides ? { overrides } : {}) };
  },
  defineAuthChallenge,
  createAuthChallenge,
  verifyAuthChallengeResponse,
};

/** The PreTokenGeneration source of a completed sign-in. */
export function tokenSource(channel: Channel, factors: Factor[]): TokenGenerationSource {
  if (channel === 'hosted') return 'TokenGeneration_HostedAuth';
  if (factors.includes('NEW_PASSWORD')) return 'TokenGeneration_NewPasswordChallenge';
  return factors.includes('DEVICE') ? 'TokenGeneration_AuthenticateDevice' : 'TokenGeneration_Authentication';
}
