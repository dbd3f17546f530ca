import type { GetUserPoolMfaConfigRequest } from '@aws-sdk/client-cognito-identity-provider';
import { renderPoolMfaConfig } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';
import { loadPool } from './shared.js';

/** MfaConfiguration and the factors the pool offers (SMS and email only when on). */
export async function GetUserPoolMfaConfig(input: GetUserPoolMfaConfigRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  return renderPoolMfaConfig(pool.settings);
}
