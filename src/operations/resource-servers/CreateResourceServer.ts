import type { CreateResourceServerRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import { ConflictError } from '../../store/errors.js';
import type { ResourceServerRecord } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { checkScopes, MAX_RESOURCE_SERVERS_PER_POOL, renderResourceServer } from './shared.js';

/**
 * A new resource server with its custom scopes (`<Identifier>/<ScopeName>`), which app clients may
 * then name in AllowedOAuthScopes. The identifier is unique per pool through the primary key
 * (pool_id, identifier): of two concurrent creates, exactly one wins. The pool row is locked
 * (PostgreSQL) while the servers are counted, so concurrent creates cannot pass the quota.
 */
export async function CreateResourceServer(input: CreateResourceServerRequest, ctx: Ctx) {
  const scopes = checkScopes(input.Scopes);
  const rs: ResourceServerRecord = {
    poolId: input.UserPoolId!,
    identifier: input.Identifier!,
    name: input.Name!,
    scopes,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await ctx.store.transaction(async (tx) => {
    const pool = await loadPool(tx, input.UserPoolId!, { forUpdate: true });
    if ((await tx.resourceServers.count(pool.id)) >= MAX_RESOURCE_SERVERS_PER_POOL) {
      // Message ours (unverified): Cognito's wording for this quota is not documented.
      throw errors.limitExceeded(`The user pool has reached its limit of ${MAX_RESOURCE_SERVERS_PER_POOL} resource servers.`);
    }
    try {
      await tx.resourceServers.insert(rs);
    } catch (e) {
      if (e instanceof ConflictError) {
        // Message ours (unverified).
        throw errors.invalidParameter(`A resource server with the identifier ${rs.identifier} already exists in user pool ${pool.id}.`);
      }
      throw e;
    }
  });
  return { ResourceServer: renderResourceServer(rs) };
}
