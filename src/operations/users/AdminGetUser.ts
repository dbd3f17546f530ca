import type { AdminGetUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { toList } from '../../domain/attributes.js';
import { loadUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';

export async function AdminGetUser(input: AdminGetUserRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const u = await loadUser(ctx.store, pool, input.Username!);
  const mfa = u.extra.mfaOptions as unknown[] | undefined;
  return {
    Username: u.username,
    UserAttributes: toList(u.sub, u.attributes),
    UserCreateDate: u.createdAt / 1000,
    UserLastModifiedDate: u.updatedAt / 1000,
    Enabled: u.enabled,
    UserStatus: u.status,
    ...(mfa?.length ? { MFAOptions: mfa } : {}),
  };
}
