import type { ChangePasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import { recordAuthEvent } from '../../domain/auth-events.js';
import { passwordFields } from '../../domain/credentials.js';
import { checkPassword, verifyPassword } from '../../domain/passwords.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';
import { authorize } from './shared.js';

/** The signed-in user changes its password, proving the current one. */
export async function ChangePassword(input: ChangePasswordRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  if (input.PreviousPassword === undefined) throw errors.invalidParameter('PreviousPassword is required to change the password.');
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.PreviousPassword))) {
    await recordAuthEvent(ctx, pool, user, 'PasswordChange', 'Fail', [{ ChallengeName: 'Password', ChallengeResponse: 'Failure' }]);
    throw errors.notAuthorized('Incorrect username or password.');
  }
  checkPassword(input.ProposedPassword!, pool.settings);
  const fields = await passwordFields(ctx.secrets, pool, user.username, input.ProposedPassword!, ctx.now);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, user.username);
    await saveUser(tx, pool, { ...u, ...fields, updatedAt: ctx.now }, { now: ctx.now });
  });
  await recordAuthEvent(ctx, pool, user, 'PasswordChange', 'Pass', [{ ChallengeName: 'Password', ChallengeResponse: 'Success' }]);
  return {};
}
