/** Looking up app clients: by id within a pool (admin operations), or with their pool (client-side requests). */
import { errors } from '../protocol/errors.js';
import type { ClientRecord, PoolRecord, Store } from '../store/types.js';

/** The client, which must belong to the pool. */
export async function loadClient(store: Store, poolId: string, clientId: string): Promise<ClientRecord> {
  const client = await store.clients.get(clientId);
  if (!client || client.poolId !== poolId) throw errors.resourceNotFound(`User pool client ${clientId} does not exist.`);
  return client;
}

/** The client a client-side operation (SignUp, ForgotPassword, ...) names, and its pool. */
export async function loadClientAndPool(store: Store, clientId: string): Promise<{ client: ClientRecord; pool: PoolRecord }> {
  const found = await store.reads.clientWithPool(clientId);
  if (!found) throw errors.resourceNotFound(`User pool client ${clientId} does not exist.`);
  return found;
}
