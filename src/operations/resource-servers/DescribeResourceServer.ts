import type { DescribeResourceServerRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadResourceServer, renderResourceServer } from './shared.js';

export async function DescribeResourceServer(input: DescribeResourceServerRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  return { ResourceServer: renderResourceServer(await loadResourceServer(ctx.store, pool.id, input.Identifier!)) };
}
