import type { AdminDeleteUserAttributesRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { deleteAttributes } from '../../domain/user-writes.js';

/** Required and immutable attributes cannot be deleted; deleting email or phone drops its verified flag. */
export async function AdminDeleteUserAttributes(input: AdminDeleteUserAttributesRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  await deleteAttributes(ctx, pool, input.Username!, input.UserAttributeNames ?? []);
  return {};
}
