import type { DescribeIdentityProviderRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadProvider, renderProvider } from './shared.js';

/** The provider with its details as Cognito shows them (discovered and well-known endpoints filled in). */
export async function DescribeIdentityProvider(input: DescribeIdentityProviderRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const p = await loadProvider(ctx.store, pool.id, input.ProviderName!);
  return { IdentityProvider: await renderProvider(ctx, pool, p) };
}
