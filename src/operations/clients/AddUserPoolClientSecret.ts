import type { AddUserPoolClientSecretRequest } from '@aws-sdk/client-cognito-identity-provider';
import { MAX_CLIENT_SECRETS, isClientSecret, secretIdOf } from '../../domain/client-secrets.js';
import { newClientSecret } from '../../domain/ids.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { renderSecret } from './secrets.js';

/**
 * A second secret for a confidential client (client secret rotation): generated, or the one given
 * (whose value the answer then leaves out). Both secrets work until one is deleted.
 */
export async function AddUserPoolClientSecret(input: AddUserPoolClientSecretRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  return ctx.store.transaction(async (tx) => {
    const client = await tx.clients.get(input.ClientId!, { forUpdate: true });
    if (!client || client.poolId !== pool.id) throw errors.resourceNotFound(`User pool client ${input.ClientId} does not exist.`);
    if (client.secrets.length === 0) {
      throw errors.invalidParameter(`User pool client ${client.id} has no client secret: only a confidential client (one created with a secret) can add another.`);
    }
    if (client.secrets.length >= MAX_CLIENT_SECRETS) {
      throw errors.limitExceeded(
        `User pool client ${client.id} already has ${MAX_CLIENT_SECRETS} client secrets, the most it can hold: delete one with DeleteUserPoolClientSecret before adding another.`,
      );
    }
    if (input.ClientSecret !== undefined && isClientSecret(client, input.ClientSecret)) {
      throw errors.invalidParameter(`User pool client ${client.id} already has this client secret: give another value, or none to have one generated.`);
    }
    // Ids are `<client id>--<creation time>`: a second secret in the same millisecond takes the next one.
    const last = client.secrets[client.secrets.length - 1]!;
    const createdAt = Math.max(ctx.now, last.createdAt + 1);
    const secret = { id: secretIdOf(client.id, createdAt), value: input.ClientSecret ?? newClientSecret(), createdAt };
    await tx.clients.setSecrets({ ...client, secrets: [...client.secrets, secret], updatedAt: ctx.now });
    return { ClientSecretDescriptor: renderSecret(secret, input.ClientSecret === undefined) };
  });
}
