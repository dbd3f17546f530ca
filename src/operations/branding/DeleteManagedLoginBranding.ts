import type { DeleteManagedLoginBrandingRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { brandingNotFound } from './managed-login.js';

export async function DeleteManagedLoginBranding(input: DeleteManagedLoginBrandingRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  if (!(await ctx.store.config.deleteBranding(pool.id, input.ManagedLoginBrandingId!.toLowerCase()))) {
    throw brandingNotFound(pool.id, input.ManagedLoginBrandingId!);
  }
  return {};
}
