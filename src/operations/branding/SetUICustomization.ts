import type { SetUICustomizationRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadClient } from '../../domain/clients.js';
import { checkUiCss, logoType } from '../../domain/ui-css.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { ALL, renderUi } from './ui.js';

/** The logo's limit: the developer guide's 100 KB (the model's blob limit, 128 KiB, is its base64 form). */
const MAX_LOGO = 100 * 1024;

/**
 * The classic hosted UI's CSS and logo, of the pool (ClientId ALL or none) or of one client, which
 * then no longer falls back to the pool's. A full replace: both left out removes the customization.
 * The pool needs a domain, as in Cognito. The hosted pages apply it (src/oauth/look.ts).
 */
export async function SetUICustomization(input: SetUICustomizationRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const clientId = input.ClientId ?? ALL;
  if (clientId !== ALL) await loadClient(ctx.store, pool.id, clientId);
  if ((await ctx.store.domains.listForPool(pool.id)).length === 0) {
    // Message ours (unverified); the developer guide: "To customize your UI, you must set up a domain for your user pool."
    throw errors.invalidParameter(`User pool ${pool.id} has no domain: create one (CreateUserPoolDomain) before customizing its hosted UI.`);
  }
  const css = input.CSS === undefined || input.CSS === '' ? null : checkUiCss(input.CSS);
  let image: string | null = null;
  // Blobs reach the handlers as the wire's base64 text (protocol/validate.ts checked it).
  const imageText = input.ImageFile as unknown as string | undefined;
  if (imageText !== undefined && imageText.length > 0) {
    const bytes = Buffer.from(imageText, 'base64');
    if (bytes.length > MAX_LOGO) throw errors.invalidParameter(`ImageFile: the logo is ${bytes.length} bytes; it must be at most 100 KB.`);
    if (!logoType(bytes)) throw errors.invalidParameter('ImageFile: the logo must be a PNG or JPEG image.');
    image = bytes.toString('base64');
  }
  if (css === null && image === null) {
    await ctx.store.config.deleteUi(pool.id, clientId);
    return { UICustomization: { UserPoolId: pool.id, ClientId: clientId } };
  }
  const existing = await ctx.store.config.getUi(pool.id, clientId);
  const record = { poolId: pool.id, clientId, css, image, createdAt: existing?.createdAt ?? ctx.now, updatedAt: ctx.now };
  await ctx.store.config.putUi(record);
  return { UICustomization: renderUi(record) };
}
