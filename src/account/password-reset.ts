/**
 * Self-service password reset, for the API (ForgotPassword, ConfirmForgotPassword) and the hosted
 * pages (/forgotPassword, /confirmForgotPassword).
 */
import { recordAuthEvent } from '../domain/auth-events.js';
import type { ConfirmForgotPasswordRequest, ForgotPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import { codeExpired, codeMismatch, consumeCode, issueCode } from '../domain/codes.js';
import { passwordFields } from '../domain/credentials.js';
import { recoveryChannel, sendCode } from '../domain/notify.js';
import { checkPassword } from '../domain/passwords.js';
import { lockUser, saveUser } from '../domain/user-writes.js';
import { findUser } from '../domain/users.js';
import { CognitoError, errors } from '../protocol/errors.js';
import { migrateUser, migrates } from '../triggers/user-migration.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { postConfirmation } from './sign-up.js';
import { cannotReset, hidesUsers, notFound, simulated, userForClient } from './shared.js';

/** A password-reset code to the user's verified email or phone (valid one hour). */
export async function forgotPassword(ctx: Ctx, client: ClientRecord, pool: PoolRecord, input: ForgotPasswordRequest) {
  // A pool whose account recovery is admin_only has no self-service reset, whoever is named
  // (getmoto/moto#4469, from its author's runs against Cognito): before the user is looked up, so
  // the answer is the same for every name.
  if (pool.settings.AccountRecoverySetting?.RecoveryMechanisms?.some((m) => m.Name === 'admin_only')) {
    throw errors.notAuthorized('Contact administrator to reset password.');
  }
  let user = await userForClient(ctx.store, client, pool, input.Username!, input.SecretHash);
  if (!user && migrates(pool)) {
    const migrated = await migrateForReset(ctx, client, pool, input);
    if (migrated === 'simulated') return { CodeDeliveryDetails: simulated(ctx, pool, input.Username!, 'recovery') };
    user = migrated;
  }
  // A user with a temporary password signs in with it (NEW_PASSWORD_REQUIRED); Cognito refuses the
  // reset, verified address or not (amplify-js#2955, aws-aspnet-cognito-identity-provider#37).
  if (user?.enabled && user.status === 'FORCE_CHANGE_PASSWORD') throw cannotReset();
  const channel = user && recoveryChannel(pool, user);
  if (!user || !user.enabled || !channel) {
    if (hidesUsers(client)) return { CodeDeliveryDetails: simulated(ctx, pool, input.Username!, 'recovery') };
    if (!user) throw notFound();
    if (!user.enabled) throw errors.notAuthorized('User is disabled.');
    throw noRecovery();
  }
  const code = await issueCode(ctx.store, pool.id, user.usernameKey, 'FORGOT_PASSWORD', ctx.now);
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  const details = await sendCode(ctx, pool, user, channel, 'FORGOT_PASSWORD', code, { clientId: client.id });
  // The reset is under way until ConfirmForgotPassword (a Pass event of its own).
  await recordAuthEvent(ctx, pool, user, 'ForgotPassword', 'InProgress');
  return { CodeDeliveryDetails: details };
}

/** The reset of a user created by UserMigration had nowhere to send its code. */
class NoRecoveryChannel extends Error {}
const noRecovery = () => errors.invalidParameter('Cannot reset password for the user as there is no registered/verified email or phone_number');

/**
 * UserMigration_ForgotPassword: a user the pool does not have asks for a reset code, and the pool's
 * function looks it up in the old directory (no password). The user it describes is created
 * RESET_REQUIRED, only when it has a verified email or phone the code can go to (else nothing is
 * written: the developer guide, "they must have either a verified email or a verified phone
 * number"). Undefined when the function knows no such user; 'simulated' when nothing may be said
 * (PreventUserExistenceErrors).
 */
async function migrateForReset(ctx: Ctx, client: ClientRecord, pool: PoolRecord, input: ForgotPasswordRequest): Promise<UserRecord | undefined | 'simulated'> {
  try {
    return await migrateUser(ctx, pool, {
      source: 'UserMigration_ForgotPassword',
      clientId: client.id,
      name: input.Username!,
      clientMetadata: input.ClientMetadata,
      beforeWrite: (u) => {
        if (!recoveryChannel(pool, u)) throw new NoRecoveryChannel();
      },
    });
  } catch (e) {
    if (e instanceof NoRecoveryChannel) {
      if (hidesUsers(client)) return 'simulated';
      throw noRecovery();
    }
    // Another request migrated the same user meanwhile: the reset goes on with it.
    if (e instanceof CognitoError && e.type === 'UsernameExistsException') return findUser(ctx.store, pool, input.Username!);
    throw e;
  }
}

/** The reset code and a new password: the user is CONFIRMED with it (RESET_REQUIRED users too). */
export async function confirmForgotPassword(ctx: Ctx, client: ClientRecord, pool: PoolRecord, input: ConfirmForgotPasswordRequest) {
  const user = await userForClient(ctx.store, client, pool, input.Username!, input.SecretHash);
  if (!user || !user.enabled) {
    // PreventUserExistenceErrors: an unknown or disabled user looks like a wrong code.
    if (hidesUsers(client)) throw codeMismatch();
    throw user ? errors.notAuthorized('User is disabled.') : notFound();
  }
  checkPassword(input.Password!, pool.settings, 'doesNot');
  if (!(await ctx.store.codes.get(pool.id, user.usernameKey, 'FORGOT_PASSWORD'))) throw codeExpired();
  const password = await passwordFields(ctx.secrets, pool, user.username, input.Password!, ctx.now);
  await consumeCode(ctx.store, pool.id, user.usernameKey, 'FORGOT_PASSWORD', input.ConfirmationCode!, ctx.now);
  const saved = await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, user.username);
    const status = u.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'CONFIRMED';
    const next = { ...u, status, ...password, updatedAt: ctx.now } as typeof u;
    await saveUser(tx, pool, next, { now: ctx.now });
    return next;
  });
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  await recordAuthEvent(ctx, pool, saved, 'ForgotPassword', 'Pass');
  await postConfirmation(ctx, pool, client.id, saved, 'PostConfirmation_ConfirmForgotPassword');
  return {};
}
