import type { ChangePasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import { recordAuthEvent } from '../../domain/auth-events.js';
import { passwordFields } from '../../domain/credentials.js';
import { checkPassword, verifyPassword } from '../../domain/passwords.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';
import { authorize } from './shared.js';

/**
 * The signed-in user changes its password, proving the current one. A user without a password (a
 * passwordless sign-up) sets one without PreviousPassword (the API reference: "Required if the user
 * has a password. If the user has no password and only signs in with passwordless authentication
 * options, you can omit this parameter.").
 */
export async function ChangePassword(input: ChangePasswordRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  const first = input.PreviousPassword === undefined && !user.passwordHash;
  if (input.PreviousPassword === undefined && !first) throw errors.invalidParameter('PreviousPassword is required to change the password.');
  if (!first && (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.PreviousPassword!)))) {
    await recordAuthEvent(ctx, pool, user, 'PasswordChange', 'Fail', [{ ChallengeName: 'Password', ChallengeResponse: 'Failure' }]);
    throw errors.notAuthorized('Incorrect username or password.');
  }
  checkPassword(input.ProposedPassword!, pool.settings);
  const fields = await passwordFields(ctx.secrets, pool, user.username, input.ProposedPassword!, ctx.now);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, user.username);
    // A password set meanwhile (another request without PreviousPassword) must be proven now.
    if (first && u.passwordHash) throw errors.invalidParameter('PreviousPassword is required to change the password.');
    await saveUser(tx, pool, { ...u, ...fields, updatedAt: ctx.now }, { now: ctx.now });
  });
  await recordAuthEvent(ctx, pool, user, 'PasswordChange', 'Pass', [{ ChallengeName: 'Password', ChallengeResponse: 'Success' }]);
  return {};
}
