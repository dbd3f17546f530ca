/** Limits, lookups and the wire form of an OAuth resource server, shared by its operations. */
import type { ResourceServerScopeType } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { ResourceServerRecord, ResourceServerScope, Store } from '../../store/types.js';

/**
 * Cognito's quotas (developer guide, "Quotas in Amazon Cognito": resource servers per user pool 25,
 * adjustable there; scopes per resource server 100, a hard limit, which the model's list size
 * enforces before a handler runs).
 */
export const MAX_RESOURCE_SERVERS_PER_POOL = 25;

/** The page size when MaxResults is omitted: the model's maximum, 50. */
export const pageSize = (max: number | undefined) => max ?? 50;

/** The pagination kind of a pool's resource servers (the key is the identifier). */
export const listKind = (poolId: string) => `resource-servers/${poolId}`;

/** ResourceNotFoundException for a server the pool does not have. Message ours (unverified). */
export const resourceServerNotFound = (poolId: string, identifier: string) =>
  errors.resourceNotFound(`Resource server ${identifier} does not exist in user pool ${poolId}.`);

/** The server, or ResourceNotFoundException. Identifiers are case-sensitive. */
export async function loadResourceServer(
  store: Store,
  poolId: string,
  identifier: string,
  opts?: { forUpdate?: boolean },
): Promise<ResourceServerRecord> {
  const rs = await store.resourceServers.get(poolId, identifier, opts);
  if (!rs) throw resourceServerNotFound(poolId, identifier);
  return rs;
}

/**
 * The scopes of a Create or Update request. Shapes and patterns were checked by the model (a
 * ScopeName has no `/`, so `<identifier>/<ScopeName>` splits at the last `/`); a name given twice is
 * refused, since clients name a scope by it alone.
 */
export function checkScopes(scopes: ResourceServerScopeType[] | undefined): ResourceServerScope[] {
  const seen = new Set<string>();
  const out: ResourceServerScope[] = [];
  for (const s of scopes ?? []) {
    const name = s.ScopeName!;
    if (seen.has(name)) {
      // Message ours (unverified).
      throw errors.invalidParameter(`The scope name ${name} is given more than once: scope names must be unique in a resource server.`);
    }
    seen.add(name);
    out.push({ ScopeName: name, ScopeDescription: s.ScopeDescription! });
  }
  return out;
}

/** ResourceServerType. `Scopes` is left out when the server has none. */
export function renderResourceServer(rs: ResourceServerRecord) {
  return {
    UserPoolId: rs.poolId,
    Identifier: rs.identifier,
    Name: rs.name,
    ...(rs.scopes.length ? { Scopes: rs.scopes.map((s) => ({ ScopeName: s.ScopeName, ScopeDescription: s.ScopeDescription })) } : {}),
  };
}
