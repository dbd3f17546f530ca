/**
 * What the self-service account use-cases share (sign-up, confirmation, password reset): the user a
 * client names, Cognito's answers for a user it cannot find, PreventUserExistenceErrors' simulated
 * delivery details.
 */
import { deliveryDetails, recoveryChannel, signUpChannel } from '../domain/notify.js';
import { findUser } from '../domain/users.js';
import { checkSecretHash } from '../domain/secret-hash.js';
import { errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, Store, UserRecord } from '../store/types.js';

export { hidesUsers } from '../domain/client-settings.js';

/** Cognito's LEGACY answer for a user a client-side operation cannot find. */
export const notFound = () => errors.userNotFound('Username/client id combination not found.');

/**
 * Cognito's answer for a user whose password cannot be reset: UNCONFIRMED, or FORCE_CHANGE_PASSWORD
 * (its temporary password is the way in; amazon-cognito-identity-js#532, amplify-flutter#3048).
 */
export const cannotReset = () => errors.notAuthorized('User password cannot be reset in the current state.');

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

/**
 * What PreventUserExistenceErrors answers for a user that does not exist (or cannot be sent a
 * code): delivery details shaped as a real user's would be in this pool, so that the answer does
 * not tell them apart: the medium the pool would use for this purpose (sign-up: its auto-verified
 * attributes; password reset: its AccountRecoverySetting), to a masked address made from the name
 * (an email, or a phone number stable per pool and name). Pools that would send nothing answer
 * with an email, as they always did.
 */
export function simulated(ctx: Pick<Ctx, 'secrets'>, pool: PoolRecord, name: string, purpose: 'sign-up' | 'recovery') {
  const email = name.includes('@') ? name : `${name}@example.com`;
  const digits = /^\+[0-9]{8,15}$/.test(name)
    ? name
    : `+1${BigInt(`0x${ctx.secrets.mac('simulated-phone', `${pool.id}\u0000${name}`).subarray(0, 8).toString('hex')}`).toString().slice(-10).padStart(10, '0')}`;
  // The attributes users of this pool would have: a phone where the pool verifies, signs in with or
  // aliases phone numbers; an email where it does so with emails, or has no phone.
  const uses = (a: string) =>
    [pool.settings.AutoVerifiedAttributes, pool.settings.UsernameAttributes, pool.settings.AliasAttributes].some((l) => (l as string[] | undefined)?.includes(a));
  const attributes: Record<string, string> = {};
  if (uses('phone_number')) Object.assign(attributes, { phone_number: digits, phone_number_verified: 'true' });
  if (uses('email') || !uses('phone_number')) Object.assign(attributes, { email, email_verified: 'true' });
  const channel = purpose === 'sign-up' ? signUpChannel(pool, { attributes }) : recoveryChannel(pool, { attributes });
  return deliveryDetails(channel ?? { medium: 'EMAIL', attribute: 'email', destination: email });
}
