import type { DeleteUserPoolClientSecretRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';

/** Deletes one of a client's secrets; never its last one (a confidential client stays confidential). */
export async function DeleteUserPoolClientSecret(input: DeleteUserPoolClientSecretRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  await ctx.store.transaction(async (tx) => {
    const client = await tx.clients.get(input.ClientId!, { forUpdate: true });
    if (!client || client.poolId !== pool.id) throw errors.resourceNotFound(`User pool client ${input.ClientId} does not exist.`);
    const rest = client.secrets.filter((s) => s.id !== input.ClientSecretId);
    if (rest.length === client.secrets.length) {
      throw errors.resourceNotFound(`Client secret ${input.ClientSecretId} does not exist for user pool client ${client.id}: ListUserPoolClientSecrets lists its secrets.`);
    }
    if (rest.length === 0) {
      throw errors.invalidParameter(`Client secret ${input.ClientSecretId} is the last secret of user pool client ${client.id} and cannot be deleted: add another with AddUserPoolClientSecret first.`);
    }
    await tx.clients.setSecrets({ ...client, secrets: rest, updatedAt: ctx.now });
  });
  return {};
}
