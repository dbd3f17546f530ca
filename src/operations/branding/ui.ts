/** The wire form of a UI customization (UICustomizationType), shared by Set and Get. */
import { logoType } from '../../domain/ui-css.js';
import type { UiCustomizationRecord } from '../../store/types.js';
import { epochSeconds } from '../context.js';

/** The pool-wide customization's client id. */
export const ALL = 'ALL';

/** CSSVersion: the time of the last change, yyyyMMddHHmmss (UTC), as Cognito writes it. */
const cssVersion = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);

/**
 * UICustomizationType. ImageUrl is the logo as a data: URL (incognito has no CDN; a browser shows it
 * as it would Cognito's URL: docs/decisions.md).
 */
export function renderUi(u: UiCustomizationRecord) {
  const bytes = u.image ? Buffer.from(u.image, 'base64') : undefined;
  return {
    UserPoolId: u.poolId,
    ClientId: u.clientId,
    ...(bytes ? { ImageUrl: `data:${logoType(bytes) ?? 'image/png'};base64,${u.image}` } : {}),
    ...(u.css !== null ? { CSS: u.css, CSSVersion: cssVersion(u.updatedAt) } : {}),
    CreationDate: epochSeconds(u.createdAt),
    LastModifiedDate: epochSeconds(u.updatedAt),
  };
}
