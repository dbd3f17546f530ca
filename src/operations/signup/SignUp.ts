import type { SignUpRequest } from '@aws-sdk/client-cognito-identity-provider';
import { checkClientMayWrite, checkRequired, checkValues, toMap } from '../../domain/attributes.js';
import { issueCode } from '../../domain/codes.js';
import { sendCode, signUpChannel } from '../../domain/notify.js';
import { checkPassword } from '../../domain/passwords.js';
import { passwordFields } from '../../domain/credentials.js';
import { checkSecretHash } from '../../domain/secret-hash.js';
import { newUsername, usernameKey } from '../../domain/users.js';
import { errors } from '../../protocol/errors.js';
import type { UserRecord } from '../../store/types.js';
import { loadClientAndPool } from '../clients/shared.js';
import type { Ctx } from '../context.js';
import { insertUser } from '../../domain/user-writes.js';

/** Self-service sign-up: an UNCONFIRMED user, and a code to an auto-verified attribute when the pool has one. */
export async function SignUp(input: SignUpRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  checkSecretHash(client, input.SecretHash, [input.Username]);
  if (pool.settings.AdminCreateUserConfig?.AllowAdminCreateUserOnly) {
    throw errors.notAuthorized('SignUp is not permitted for this user pool');
  }
  if (input.Password === undefined) throw errors.invalidParameter('A password is required to sign up in this user pool.');
  const given = toMap(input.UserAttributes);
  checkClientMayWrite(Object.keys(given), client.settings, pool.settings);
  const { username, sub, attrs } = newUsername(pool, input.Username!, given);
  checkValues(attrs, pool.settings);
  checkRequired(attrs, pool.settings);
  checkPassword(input.Password, pool.settings);
  const user: UserRecord = {
    poolId: pool.id,
    username,
    usernameKey: usernameKey(pool, username),
    sub,
    status: 'UNCONFIRMED',
    enabled: true,
    attributes: attrs,
    ...(await passwordFields(ctx.secrets, pool, username, input.Password, ctx.now)),
    mfa: {},
    extra: {},
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await ctx.store.transaction((tx) => insertUser(tx, pool, user, { existsMessage: 'User already exists', now: ctx.now }));
  const channel = signUpChannel(pool, user);
  if (!channel) return { UserConfirmed: false, UserSub: sub };
  const code = await issueCode(ctx.store, pool.id, user.usernameKey, 'SIGN_UP', ctx.now);
  const details = await sendCode(ctx.delivery, pool, user, channel, 'SIGN_UP', code, { publicUrl: ctx.publicUrl, clientId: client.id });
  return { UserConfirmed: false, CodeDeliveryDetails: details, UserSub: sub };
}
