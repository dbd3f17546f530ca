/** Managed login branding: the checks of Create and Update, lookups, and the wire form. */
import type { AssetType } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { ManagedLoginBrandingRecord, Store } from '../../store/types.js';
import { epochSeconds } from '../context.js';

type Asset = ManagedLoginBrandingRecord['assets'][number];

/** ResourceNotFoundException for a style the pool does not have. Message ours (unverified). */
export const brandingNotFound = (poolId: string, id: string) => errors.resourceNotFound(`Managed login branding ${id} does not exist in user pool ${poolId}.`);

export async function loadBranding(store: Store, poolId: string, id: string): Promise<ManagedLoginBrandingRecord> {
  const b = await store.config.getBranding(poolId, id.toLowerCase());
  if (!b) throw brandingNotFound(poolId, id);
  return b;
}

/**
 * Settings: a JSON object (the managed login branding editor's document). With
 * UseCognitoProvidedValues true, Cognito's defaults apply and neither Settings nor Assets may be
 * given. Messages ours (unverified).
 */
export function checkStyle(useDefaults: boolean | undefined, settings: unknown, assets: AssetType[] | undefined): void {
  if (useDefaults === true && (settings !== undefined || assets !== undefined)) {
    throw errors.invalidParameter('UseCognitoProvidedValues is true: Settings and Assets must not be given (the default style applies).');
  }
  if (settings !== undefined && (settings === null || typeof settings !== 'object' || Array.isArray(settings))) {
    throw errors.invalidParameter('Settings must be a JSON object.');
  }
}

/**
 * The assets as stored: one per category and colour mode, with its bytes (base64, as the wire has
 * them) or a ResourceId. Message ours (unverified).
 */
export function checkAssets(assets: AssetType[] | undefined): Asset[] {
  const seen = new Set<string>();
  return (assets ?? []).map((a, i) => {
    const key = `${a.Category}/${a.ColorMode}`;
    if (seen.has(key)) throw errors.invalidParameter(`Assets[${i}]: the category ${a.Category} is given twice for the color mode ${a.ColorMode}.`);
    seen.add(key);
    // Blobs reach the handlers as the wire's base64 text (protocol/validate.ts).
    const bytes = a.Bytes as unknown as string | undefined;
    if (!bytes && a.ResourceId === undefined) throw errors.invalidParameter(`Assets[${i}]: give the image's Bytes (or a ResourceId).`);
    return { Category: a.Category!, ColorMode: a.ColorMode!, Extension: a.Extension!, ...(bytes ? { Bytes: bytes } : {}), ...(a.ResourceId !== undefined ? { ResourceId: a.ResourceId } : {}) };
  });
}

/** ManagedLoginBrandingType (the assets' Bytes as base64, the JSON protocol's blob form). */
export function renderBranding(b: ManagedLoginBrandingRecord) {
  return {
    ManagedLoginBrandingId: b.brandingId,
    UserPoolId: b.poolId,
    UseCognitoProvidedValues: b.useCognitoProvidedValues,
    ...(b.settings !== undefined ? { Settings: b.settings } : {}),
    Assets: b.assets.map((a) => ({ ...a })),
    CreationDate: epochSeconds(b.createdAt),
    LastModifiedDate: epochSeconds(b.updatedAt),
  };
}
