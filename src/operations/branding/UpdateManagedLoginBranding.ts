import type { UpdateManagedLoginBrandingRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { checkAssets, checkStyle, loadBranding, renderBranding } from './managed-login.js';

/**
 * UseCognitoProvidedValues true returns the style to Cognito's defaults (its settings and assets
 * go); otherwise the Settings and Assets given replace the stored ones and what is left out is kept
 * (docs/decisions.md). The model requires no member; the pool and the style are required here.
 */
export async function UpdateManagedLoginBranding(input: UpdateManagedLoginBrandingRequest, ctx: Ctx) {
  if (input.UserPoolId === undefined) throw errors.invalidParameter('UserPoolId is required.');
  if (input.ManagedLoginBrandingId === undefined) throw errors.invalidParameter('ManagedLoginBrandingId is required.');
  checkStyle(input.UseCognitoProvidedValues, input.Settings, input.Assets);
  const assets = input.Assets !== undefined ? checkAssets(input.Assets) : undefined;
  const pool = await loadPool(ctx.store, input.UserPoolId);
  const updated = await ctx.store.transaction(async (tx) => {
    const b = await loadBranding(tx, pool.id, input.ManagedLoginBrandingId!);
    const next =
      input.UseCognitoProvidedValues === true
        ? { ...b, useCognitoProvidedValues: true, settings: undefined, assets: [], updatedAt: ctx.now }
        : {
            ...b,
            useCognitoProvidedValues: input.UseCognitoProvidedValues === false || input.Settings !== undefined || input.Assets !== undefined ? false : b.useCognitoProvidedValues,
            settings: input.Settings !== undefined ? input.Settings : b.settings,
            assets: assets ?? b.assets,
            updatedAt: ctx.now,
          };
    await tx.config.updateBranding(next);
    return next;
  });
  return { ManagedLoginBranding: renderBranding(updated) };
}
