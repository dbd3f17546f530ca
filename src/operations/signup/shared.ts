/** What the client-side account operations share: the user a client names, PreventUserExistenceErrors. */
import { findUser } from '../../domain/users.js';
import { checkSecretHash } from '../../domain/secret-hash.js';
import { errors } from '../../protocol/errors.js';
import type { ClientRecord, PoolRecord, Store, UserRecord } from '../../store/types.js';

/** True when the client hides whether a user exists (PreventUserExistenceErrors ENABLED). */
export { hidesUsers } from '../../domain/client-settings.js';

/** Cognito's LEGACY answer for a user a client-side operation cannot find. */
export const notFound = () => errors.userNotFound('Username/client id combination not found.');

/**
 * The user named by a client-side request, after checking its SECRET_HASH (over the name given,
 * the username, or the sub). Undefined when there is no such user; the caller decides what that
 * reveals.
 */
export async function userForClient(
  store: Store,
  client: ClientRecord,
  pool: PoolRecord,
  name: string,
  secretHash: string | undefined,
): Promise<UserRecord | undefined> {
  const user = await findUser(store, pool, name);
  checkSecretHash(client, secretHash, [name, user?.username, user?.sub]);
  return user;
}
