/**
 * The named points of a sign-in where Lambda triggers plug in (issue 14), listed in one place with
 * when each runs. Each is a no-op today; the engine calls every one of them on every path, so a
 * trigger added here runs for the API and the hosted pages alike.
 *
 *   preAuthentication   after the user is found, before the first factor is checked
 *                       (PreAuthentication_Authentication)
 *   postAuthentication  once every step has passed, before tokens or the hosted session
 *                       (PostAuthentication_Authentication)
 *   preTokenGeneration  before the tokens of a sign-in or a refresh are minted
 *                       (TokenGeneration_Authentication, _HostedAuth, _NewPasswordChallenge,
 *                       _RefreshTokens)
 * Event shapes: shared/reference/signin-extensions.md.
 */
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import type { Channel, Factor, Params } from './types.js';

export interface HookContext {
  ctx: Ctx;
  pool: PoolRecord;
  client: ClientRecord;
  user: UserRecord;
}

export type TokenGenerationSource = 'TokenGeneration_Authentication' | 'TokenGeneration_HostedAuth' | 'TokenGeneration_NewPasswordChallenge' | 'TokenGeneration_RefreshTokens';

export interface SignInHooks {
  preAuthentication(h: HookContext & { channel: Channel; validationData?: Params }): Promise<void>;
  postAuthentication(h: HookContext & { channel: Channel; factors: Factor[] }): Promise<void>;
  preTokenGeneration(h: HookContext & { source: TokenGenerationSource }): Promise<void>;
}

export const hooks: SignInHooks = {
  async preAuthentication() {},
  async postAuthentication() {},
  async preTokenGeneration() {},
};

/** The PreTokenGeneration source of a completed sign-in. */
export function tokenSource(channel: Channel, factors: Factor[]): TokenGenerationSource {
  if (channel === 'hosted') return 'TokenGeneration_HostedAuth';
  return factors.includes('NEW_PASSWORD') ? 'TokenGeneration_NewPasswordChallenge' : 'TokenGeneration_Authentication';
}
