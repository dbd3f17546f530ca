import type { SetUserPoolMfaConfigRequest } from '@aws-sdk/client-cognito-identity-provider';
import { applyPoolMfaConfig, renderPoolMfaConfig } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';
import { loadPool } from './shared.js';

/**
 * The pool's MFA configuration, replaced whole (domain/mfa.ts applyPoolMfaConfig has the rules);
 * answers the configuration as GetUserPoolMfaConfig would.
 */
export async function SetUserPoolMfaConfig(input: SetUserPoolMfaConfigRequest, ctx: Ctx) {
  const { UserPoolId, ...config } = input;
  const settings = await ctx.store.transaction(async (tx) => {
    const pool = await loadPool(tx, UserPoolId!, { forUpdate: true });
    const next = applyPoolMfaConfig(pool.settings, config);
    await tx.pools.update({ ...pool, settings: next, updatedAt: ctx.now });
    return next;
  });
  return renderPoolMfaConfig(settings);
}
