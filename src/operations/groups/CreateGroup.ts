import type { CreateGroupRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import { ConflictError } from '../../store/errors.js';
import type { GroupRecord } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { MAX_GROUPS_PER_POOL, renderGroup } from './shared.js';

/**
 * A new group. The name is unique per pool through the primary key (pool_id, name), so of two
 * concurrent creates of one name exactly one wins; the other is GroupExistsException. The pool row
 * is locked (PostgreSQL) while the groups are counted, so concurrent creates cannot pass the quota.
 */
export async function CreateGroup(input: CreateGroupRequest, ctx: Ctx) {
  const group: GroupRecord = {
    poolId: input.UserPoolId!,
    name: input.GroupName!,
    description: input.Description ?? null,
    roleArn: input.RoleArn ?? null,
    precedence: input.Precedence ?? null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await ctx.store.transaction(async (tx) => {
    const pool = await loadPool(tx, input.UserPoolId!, { forUpdate: true });
    if ((await tx.groups.count(pool.id)) >= MAX_GROUPS_PER_POOL) {
      // Message ours (unverified): Cognito's wording for this quota is not documented.
      throw errors.limitExceeded(`The user pool has reached its limit of ${MAX_GROUPS_PER_POOL} groups.`);
    }
    try {
      await tx.groups.insert(group);
    } catch (e) {
      if (e instanceof ConflictError) throw errors.groupExists(`A group with the name ${group.name} already exists.`);
      throw e;
    }
  });
  return { Group: renderGroup(group) };
}
