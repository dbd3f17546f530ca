import type { GetUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { toList } from '../../domain/attributes.js';
import { userMfaFields } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';
import { authorize } from './shared.js';

/**
 * The signed-in user's attributes: those the token's app client may read (its ReadAttributes, when
 * it has them; `sub` always), as Cognito does: "GetUser requests include an access token with an
 * app client claim; Amazon Cognito only returns values for attributes that your app client can read".
 * With the user's MFA settings: MFAOptions, UserMFASettingList, PreferredMfaSetting (each absent when empty).
 */
export async function GetUser(input: GetUserRequest, ctx: Ctx) {
  const { user, client } = await authorize(ctx, input.AccessToken!);
  const read = client.settings.ReadAttributes;
  return {
    Username: user.username,
    UserAttributes: toList(user.sub, user.attributes, read ? new Set([...read, 'sub']) : undefined),
    ...userMfaFields(user.mfa),
  };
}
