import { randomUUID } from 'node:crypto';
import type { CreateManagedLoginBrandingRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadClient } from '../../domain/clients.js';
import { errors } from '../../protocol/errors.js';
import { ConflictError } from '../../store/errors.js';
import type { ManagedLoginBrandingRecord } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { checkAssets, checkStyle, renderBranding } from './managed-login.js';

/**
 * A managed login branding style for an app client: one per client (a unique index; of two
 * concurrent creates one wins). Stored and described as given; the hosted pages apply the colours
 * and logo that map onto them (src/oauth/look.ts) when the pool's domain uses managed login.
 */
export async function CreateManagedLoginBranding(input: CreateManagedLoginBrandingRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const client = await loadClient(ctx.store, pool.id, input.ClientId!);
  checkStyle(input.UseCognitoProvidedValues, input.Settings, input.Assets);
  const b: ManagedLoginBrandingRecord = {
    brandingId: randomUUID(),
    poolId: pool.id,
    clientId: client.id,
    useCognitoProvidedValues: input.UseCognitoProvidedValues === true,
    settings: input.Settings,
    assets: checkAssets(input.Assets),
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  try {
    await ctx.store.config.insertBranding(b);
  } catch (e) {
    // Message ours (unverified).
    if (e instanceof ConflictError) throw errors.managedLoginBrandingExists(`App client ${client.id} already has a managed login branding style: update it (UpdateManagedLoginBranding) or delete it first.`);
    throw e;
  }
  return { ManagedLoginBranding: renderBranding(b) };
}
