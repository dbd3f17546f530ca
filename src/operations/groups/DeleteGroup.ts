import type { DeleteGroupRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';

/** Deletes the group with its memberships (ON DELETE CASCADE); the users stay. */
export async function DeleteGroup(input: DeleteGroupRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  if (!(await ctx.store.groups.delete(pool.id, input.GroupName!))) throw errors.resourceNotFound('Group not found.');
  return {};
}
