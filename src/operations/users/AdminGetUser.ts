import type { AdminGetUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { toList } from '../../domain/attributes.js';
import { loadUserProfile } from '../../domain/users.js';
import { userMfaFields } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';

export async function AdminGetUser(input: AdminGetUserRequest, ctx: Ctx) {
  const u = await loadUserProfile(ctx.store, input.UserPoolId!, input.Username!);
  return {
    Username: u.username,
    UserAttributes: toList(u.sub, u.attributes),
    UserCreateDate: u.createdAt / 1000,
    UserLastModifiedDate: u.updatedAt / 1000,
    Enabled: u.enabled,
    UserStatus: u.status,
    ...userMfaFields(u.mfa),
  };
}
