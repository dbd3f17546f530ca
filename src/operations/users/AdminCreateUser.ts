import type { AdminCreateUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { checkRequired, checkValues, toMap } from '../../domain/attributes.js';
import { sendInvitation, type Medium } from '../../domain/notify.js';
import { checkPassword, temporaryPassword } from '../../domain/passwords.js';
import { passwordFields } from '../../domain/credentials.js';
import { findUser, newUsername, renderUser, usernameKey } from '../../domain/users.js';
import { errors } from '../../protocol/errors.js';
import type { PoolRecord, UserRecord } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { insertUser, lockUser } from '../../domain/user-writes.js';
import { preSignUp } from '../../account/sign-up.js';

/** Which channels the invitation goes over: the ones asked for, or the phone else the email (Cognito's default is SMS). */
function mediums(input: AdminCreateUserRequest, user: UserRecord): Medium[] {
  const has = (m: Medium) => (m === 'EMAIL' ? !!user.attributes.email : !!user.attributes.phone_number);
  if (input.DesiredDeliveryMediums?.length) {
    const wanted = [...new Set(input.DesiredDeliveryMediums)] as Medium[];
    if (!wanted.some(has)) throw errors.invalidParameter('User has no attribute matching desired delivery mediums');
    return wanted.filter(has);
  }
  return has('SMS') ? ['SMS'] : has('EMAIL') ? ['EMAIL'] : [];
}

async function resend(input: AdminCreateUserRequest, pool: PoolRecord, ctx: Ctx) {
  const user = await findUser(ctx.store, pool, input.Username!);
  if (!user) throw errors.userNotFound('User does not exist.');
  const notResendable = () => errors.unsupportedUserState(`Resend not possible. ${user.username} status is not FORCE_CHANGE_PASSWORD.`);
  if (user.status !== 'FORCE_CHANGE_PASSWORD') throw notResendable();
  const temp = input.TemporaryPassword ?? temporaryPassword(pool.settings);
  checkPassword(temp, pool.settings, 'passwordPolicy');
  const password = await passwordFields(ctx.secrets, pool, user.username, temp, ctx.now);
  // The write-back goes on the locked row, re-read: a change made meanwhile (attributes, enabled,
  // status) is kept rather than overwritten by the copy read above.
  const updated = await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, user.username);
    if (u.status !== 'FORCE_CHANGE_PASSWORD') throw notResendable();
    const next = { ...u, ...password, updatedAt: ctx.now };
    await tx.users.update(next);
    return next;
  });
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  await sendInvitation(ctx, pool, updated, mediums(input, updated), temp);
  return { User: renderUser(updated) };
}

export async function AdminCreateUser(input: AdminCreateUserRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  if (input.MessageAction === 'RESEND') return resend(input, pool, ctx);
  const { username, sub, attrs } = newUsername(pool, input.Username!, toMap(input.UserAttributes));
  checkValues(attrs, pool.settings);
  checkRequired(attrs, pool.settings);
  const temp = input.TemporaryPassword ?? temporaryPassword(pool.settings);
  checkPassword(temp, pool.settings, 'passwordPolicy');
  const user: UserRecord = {
    poolId: pool.id,
    username,
    usernameKey: usernameKey(pool, username),
    sub,
    status: 'FORCE_CHANGE_PASSWORD',
    enabled: true,
    attributes: attrs,
    ...(await passwordFields(ctx.secrets, pool, username, temp, ctx.now)),
    mfa: {},
    extra: {},
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  const channels = input.MessageAction === 'SUPPRESS' ? [] : mediums(input, user);
  // PreSignUp_AdminCreateUser: it may refuse; its autoConfirmUser / autoVerify answers are ignored.
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  await preSignUp(ctx, pool, 'PreSignUp_AdminCreateUser', undefined, username, attrs, input.ValidationData);
  await ctx.store.transaction((tx) =>
    insertUser(tx, pool, user, { existsMessage: 'User account already exists', forceAlias: input.ForceAliasCreation ?? false, now: ctx.now }),
  );
  await sendInvitation(ctx, pool, user, channels, temp);
  return { User: renderUser(user) };
}
