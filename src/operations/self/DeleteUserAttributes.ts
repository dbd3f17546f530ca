import type { DeleteUserAttributesRequest } from '@aws-sdk/client-cognito-identity-provider';
import { checkClientMayWrite } from '../../domain/attributes.js';
import type { Ctx } from '../context.js';
import { deleteAttributes } from '../../domain/user-writes.js';
import { authorize } from './shared.js';

/** The signed-in user deletes some of its attributes (those its client may write). */
export async function DeleteUserAttributes(input: DeleteUserAttributesRequest, ctx: Ctx) {
  const { pool, user, client } = await authorize(ctx, input.AccessToken!);
  checkClientMayWrite(input.UserAttributeNames ?? [], client.settings, pool.settings);
  await deleteAttributes(ctx, pool, user.username, input.UserAttributeNames ?? []);
  return {};
}
