import type { GetUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { toList } from '../../domain/attributes.js';
import type { Ctx } from '../context.js';
import { authorize } from './shared.js';

/** The signed-in user's attributes. */
export async function GetUser(input: GetUserRequest, ctx: Ctx) {
  const { user } = await authorize(ctx, input.AccessToken!);
  const mfa = user.extra.mfaOptions as unknown[] | undefined;
  return {
    Username: user.username,
    UserAttributes: toList(user.sub, user.attributes),
    ...(mfa?.length ? { MFAOptions: mfa } : {}),
  };
}
