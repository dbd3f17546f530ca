/** Lookups and the wire form of an app client, shared by the client operations. */
import type { PoolContext } from '../../domain/client-settings.js';
import { errors } from '../../protocol/errors.js';
import type { ClientRecord, PoolRecord, Store } from '../../store/types.js';
import { epochSeconds } from '../context.js';


/**
 * What a client's settings are checked against: the pool's schema, the custom scopes of its
 * resource servers as they are now (`<identifier>/<ScopeName>`) and its identity providers.
 */
export async function poolContext(store: Store, pool: PoolRecord): Promise<PoolContext> {
  const providers = await store.identityProviders.names(pool.id);
  const saml = providers.size ? (await store.identityProviders.all(pool.id)).filter((p) => p.type === 'SAML') : [];
  return {
    poolId: pool.id,
    settings: pool.settings,
    customScopes: await store.resourceServers.scopesOf(pool.id),
    providers,
    samlProviders: new Set(saml.map((p) => p.name)),
    idpInitiated: new Set(saml.filter((p) => p.details.IDPInit === 'true').map((p) => p.name)),
  };
}

/** UserPoolClientType as Create/Describe/Update return it. */
export function renderClient(c: ClientRecord): object {
  return {
    UserPoolId: c.poolId,
    ClientName: c.name,
    ClientId: c.id,
    ...(c.secret !== null ? { ClientSecret: c.secret } : {}),
    LastModifiedDate: epochSeconds(c.updatedAt),
    CreationDate: epochSeconds(c.createdAt),
    ...c.settings,
  };
}

