/** Lookups, limits and the wire form of a user pool group, shared by the group operations. */
import { errors } from '../../protocol/errors.js';
import type { GroupRecord, Store } from '../../store/types.js';
import { epochSeconds } from '../context.js';

/**
 * Cognito's quotas (developer guide, "Quotas in Amazon Cognito": groups per user pool 10,000;
 * groups a user can belong to 100). Both are hard limits there.
 */
export const MAX_GROUPS_PER_POOL = 10_000;
export const MAX_GROUPS_PER_USER = 100;

/** The page size when Limit is omitted (or 0, which the model allows), as ListUsers does: the maximum, 60. */
export const pageSize = (limit: number | undefined) => limit || 60;

/** The group, or ResourceNotFoundException "Group not found." Names are case-sensitive. */
export async function loadGroup(store: Store, poolId: string, name: string, opts?: { forUpdate?: boolean; forShare?: boolean }): Promise<GroupRecord> {
  const g = await store.groups.get(poolId, name, opts);
  if (!g) throw errors.resourceNotFound('Group not found.');
  return g;
}

/** GroupType: members that are null are left out, dates are epoch seconds. */
export function renderGroup(g: GroupRecord) {
  return {
    GroupName: g.name,
    UserPoolId: g.poolId,
    ...(g.description !== null ? { Description: g.description } : {}),
    ...(g.roleArn !== null ? { RoleArn: g.roleArn } : {}),
    ...(g.precedence !== null ? { Precedence: g.precedence } : {}),
    LastModifiedDate: epochSeconds(g.updatedAt),
    CreationDate: epochSeconds(g.createdAt),
  };
}

/**
 * A pagination kind that names a group or a user: the name is base64url-encoded so that a name
 * holding the token separator (`:` is allowed in both) cannot make one list's token pass for another's.
 */
export const scopedKind = (what: string, poolId: string, name: string) => `${what}/${poolId}/${Buffer.from(name, 'utf8').toString('base64url')}`;
