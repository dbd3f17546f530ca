import type { GetGroupRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadGroup, renderGroup } from './shared.js';

export async function GetGroup(input: GetGroupRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  return { Group: renderGroup(await loadGroup(ctx.store, pool.id, input.GroupName!)) };
}
