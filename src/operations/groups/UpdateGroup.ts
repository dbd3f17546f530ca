import type { UpdateGroupRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadGroup, renderGroup } from './shared.js';

/**
 * Changes only the fields the request gives; an omitted Description, RoleArn or Precedence keeps
 * its value. The model documents UpdateGroup as "updates any of the properties for precedence, IAM
 * role, or description" and Description as "A new description of the existing group" (botocore
 * cognito-idp 2016-04-18 service-2.json), unlike UpdateUserPool / UpdateUserPoolClient, whose docs
 * say omitted fields are reset. A Description of "" is stored and returned as given.
 */
export async function UpdateGroup(input: UpdateGroupRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const updated = await ctx.store.transaction(async (tx) => {
    const g = await loadGroup(tx, pool.id, input.GroupName!, { forUpdate: true });
    const next = {
      ...g,
      description: input.Description !== undefined ? input.Description : g.description,
      roleArn: input.RoleArn !== undefined ? input.RoleArn : g.roleArn,
      precedence: input.Precedence !== undefined ? input.Precedence : g.precedence,
      updatedAt: ctx.now,
    };
    await tx.groups.update(next);
    return next;
  });
  return { Group: renderGroup(updated) };
}
