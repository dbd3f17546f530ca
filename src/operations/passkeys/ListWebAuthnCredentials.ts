import type { ListWebAuthnCredentialsRequest } from '@aws-sdk/client-cognito-identity-provider';
import { describeCredential, MAX_PASSKEYS_PER_USER } from '../../domain/passkeys.js';
import type { Ctx } from '../context.js';
import { decodeToken, page } from '../pagination.js';
import { authorize } from '../self/shared.js';

/**
 * The signed-in user's passkeys, by credential ID, MaxResults (0 to 20; 0 or absent: 20) a page.
 */
export async function ListWebAuthnCredentials(input: ListWebAuthnCredentialsRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  const after = decodeToken('webauthn', input.NextToken);
  const limit = input.MaxResults ? input.MaxResults : MAX_PASSKEYS_PER_USER;
  const { items, next } = await page(
    'webauthn',
    limit,
    (n) => ctx.store.webauthn.list(pool.id, user.usernameKey, after, n),
    (c) => c.credentialId,
  );
  return { Credentials: items.map(describeCredential), ...(next ? { NextToken: next } : {}) };
}
