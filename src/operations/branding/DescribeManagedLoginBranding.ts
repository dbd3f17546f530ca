import type { DescribeManagedLoginBrandingRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadBranding, renderBranding } from './managed-login.js';

/**
 * The style as stored. ReturnMergedResources is accepted, but Cognito's default settings are not
 * merged in: incognito does not have that document (docs/decisions.md).
 */
export async function DescribeManagedLoginBranding(input: DescribeManagedLoginBrandingRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  return { ManagedLoginBranding: renderBranding(await loadBranding(ctx.store, pool.id, input.ManagedLoginBrandingId!)) };
}
