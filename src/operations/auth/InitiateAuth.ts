import type { InitiateAuthRequest } from '@aws-sdk/client-cognito-identity-provider';
import { start } from '../../signin/index.js';
import { loadClientAndPool } from '../../domain/clients.js';
import type { Ctx } from '../context.js';
import { hashToken } from '../../domain/tokens.js';
import type { RefreshWithGroups } from '../../store/repos/reads.js';
import type { ClientRecord, PoolRecord } from '../../store/types.js';
import { toWire } from './wire.js';

/** The client-side sign-in: USER_PASSWORD_AUTH, USER_SRP_AUTH, CUSTOM_AUTH, REFRESH_TOKEN_AUTH / REFRESH_TOKEN. */
export async function InitiateAuth(input: InitiateAuthRequest, ctx: Ctx) {
  if (input.ClientMetadata) ctx.signInValidationData = input.ClientMetadata;
  const refreshToken = input.AuthFlow === 'REFRESH_TOKEN_AUTH' || input.AuthFlow === 'REFRESH_TOKEN' ? input.AuthParameters?.REFRESH_TOKEN : undefined;
  let refreshRead: { tokenHash: string; found: RefreshWithGroups | null } | undefined;
  let found: { client: ClientRecord; pool: PoolRecord };
  if (typeof refreshToken === 'string' && refreshToken !== '') {
    // The client and the refresh token in one statement (one round trip on PostgreSQL).
    const tokenHash = hashToken(refreshToken);
    const read = await ctx.store.reads.clientAndRefresh(input.ClientId!, tokenHash);
    // (No such client: loadClientAndPool's answer.)
    found = read.clientWithPool ?? (await loadClientAndPool(ctx.store, input.ClientId!));
    refreshRead = { tokenHash, found: read.refresh ?? null };
  } else found = await loadClientAndPool(ctx.store, input.ClientId!);
  const { client, pool } = found;
  return toWire(
    await start(ctx, pool, client, {
      channel: 'api',
      side: 'client',
      flow: input.AuthFlow!,
      parameters: input.AuthParameters,
      ...(input.Session !== undefined ? { session: input.Session } : {}),
      ...(refreshRead ? { refreshRead } : {}),
    }),
  );
}
