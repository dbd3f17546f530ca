/**
 * What a pool's configuration adds to its hosted pages, after a page is rendered: the terms
 * documents' links on the sign-up page (CreateTerms), the UI customization's CSS and logo
 * (SetUICustomization: the client's, else the pool's `ALL`), and the managed login branding's
 * colours where they map onto these pages (CreateManagedLoginBranding). The pages carry Cognito's
 * customizable class names (pages.ts), so a pool's CSS written for Cognito applies here.
 */
import { logoType } from '../domain/ui-css.js';
import type { ManagedLoginBrandingRecord, Store, TermsRecord, UiCustomizationRecord } from '../store/types.js';
import type { HostedRequest, HostedResponse } from './http.js';
import { esc } from './pages.js';

/** The hosted UI's `lang` parameter to the language ids of terms links (managed login localization). */
const LANGUAGES: Record<string, string> = {
  en: 'cognito:english',
  es: 'cognito:spanish',
  fr: 'cognito:french',
  de: 'cognito:german',
  id: 'cognito:bahasa-indonesia',
  it: 'cognito:italian',
  ja: 'cognito:japanese',
  ko: 'cognito:korean',
  nl: 'cognito:dutch',
  'pt-br': 'cognito:portuguese-brazil',
  'zh-cn': 'cognito:chinese-simplified',
  'zh-tw': 'cognito:chinese-traditional',
};

/** The link of a terms document for the page's language, else its cognito:default one. */
export function termsLink(t: TermsRecord, lang: string | null): string | undefined {
  const id = lang ? LANGUAGES[lang.toLowerCase()] : undefined;
  const url = (id && t.links[id]) || t.links['cognito:default'];
  // Only web addresses become links (a javascript: or data: URL would run or show on a click).
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

/** The sign-up page's sentence with both documents, or '' until the client has both (as Cognito). */
export function termsNotice(terms: TermsRecord[], lang: string | null): string {
  const tou = terms.find((t) => t.termsName === 'terms-of-use');
  const pp = terms.find((t) => t.termsName === 'privacy-policy');
  const touUrl = tou && termsLink(tou, lang);
  const ppUrl = pp && termsLink(pp, lang);
  if (!touUrl || !ppUrl) return '';
  return `<p class="legalText-customizable terms" id="terms">By signing up, you agree to the <a href="${esc(touUrl)}" id="terms-of-use" target="_blank" rel="noopener">Terms of use</a> and the <a href="${esc(ppUrl)}" id="privacy-policy" target="_blank" rel="noopener">Privacy policy</a>.</p>`;
}

/**
 * Cognito's customizable classes and the elements of these pages they style: a pool's CSS, written
 * for Cognito's pages, reaches ours through this map (each rule keeps its class selector too).
 */
const ELEMENTS: Record<string, string> = {
  '.background-customizable': 'main',
  '.label-customizable': 'label',
  '.inputField-customizable': 'input:not([type=hidden])',
  '.inputField-customizable:focus': 'input:not([type=hidden]):focus',
  '.submitButton-customizable': 'button[type=submit]',
  '.submitButton-customizable:hover': 'button[type=submit]:hover',
  '.errorMessage-customizable': '.alert',
  '.textDescription-customizable': '.note,.hint',
  '.redirect-customizable': 'nav a',
};

/** The pool's CSS (validated by SetUICustomization) with each selector also naming our element. */
export function pageCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/([^{}]+)\{/g, (_, selectors: string) => {
      const list = selectors.split(',').map((x) => x.trim());
      return `${list.flatMap((x) => (ELEMENTS[x] ? [x, ELEMENTS[x]] : [x])).join(',')}{`;
    });
}

/** The banner with the logo, at the top of the page's main element. */
export function logoBanner(image: string): string {
  const type = logoType(Buffer.from(image.slice(0, 16), 'base64')) ?? 'image/png';
  return `<div class="banner-customizable"><img class="logo-customizable" id="logo" src="data:${type};base64,${image}" alt="Logo"></div>`;
}

/** A managed login colour: hex RRGGBB or RRGGBBAA (the branding editor's form), as CSS; else undefined. */
function colour(v: unknown): string | undefined {
  return typeof v === 'string' && /^[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?$/.test(v) ? `#${v}` : undefined;
}

function at(o: unknown, ...path: string[]): unknown {
  let x = o;
  for (const k of path) x = x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined;
  return x;
}

/**
 * The managed login settings that map onto these pages, light mode: the page background, the
 * form's background and border, the heading and body text, the primary button (and its hover),
 * links. Only well-formed colours reach the CSS.
 */
export function brandingCss(settings: unknown): string {
  const c = (...path: string[]) => colour(at(settings, 'components', ...path));
  const rules: [string, [string, string | undefined][]][] = [
    ['body', [['background', c('pageBackground', 'lightMode', 'color')], ['color', c('pageText', 'lightMode', 'bodyColor')]]],
    ['main', [['background', c('form', 'lightMode', 'backgroundColor')], ['border', c('form', 'lightMode', 'borderColor')]]],
    ['h1', [['color', c('pageText', 'lightMode', 'headingColor')]]],
    ['button[type=submit]', [['background', c('primaryButton', 'lightMode', 'defaults', 'backgroundColor')], ['color', c('primaryButton', 'lightMode', 'defaults', 'textColor')]]],
    ['button[type=submit]:hover', [['background', c('primaryButton', 'lightMode', 'hover', 'backgroundColor')], ['color', c('primaryButton', 'lightMode', 'hover', 'textColor')]]],
    ['a', [['color', c('link', 'lightMode', 'defaults', 'textColor')]]],
    ['a:hover', [['color', c('link', 'lightMode', 'hover', 'textColor')]]],
  ];
  return rules
    .map(([sel, decls]) => {
      const set = decls.filter(([, v]) => v !== undefined).map(([p, v]) => (p === 'border' ? `border:1px solid ${v}` : `${p}:${v}`));
      return set.length ? `${sel}{${set.join(';')}}` : '';
    })
    .join('');
}

const ASSET_TYPES: Record<string, string> = { PNG: 'image/png', JPEG: 'image/jpeg', SVG: 'image/svg+xml', WEBP: 'image/webp', ICO: 'image/x-icon' };

/** The style's logo for the form (FORM_LOGO, else PAGE_HEADER_LOGO; light or dynamic), as a data: URL. */
export function brandingLogo(b: ManagedLoginBrandingRecord): string | undefined {
  for (const category of ['FORM_LOGO', 'PAGE_HEADER_LOGO']) {
    const a = b.assets.find((x) => x.Category === category && x.ColorMode !== 'DARK' && x.Bytes);
    if (a) return `data:${ASSET_TYPES[a.Extension] ?? 'image/png'};base64,${a.Bytes}`;
  }
  return undefined;
}

/** The UI customization of the client, else the pool's (ALL). */
async function uiOf(store: Store, poolId: string, clientId: string): Promise<UiCustomizationRecord | undefined> {
  return (await store.config.getUi(poolId, clientId)) ?? (await store.config.getUi(poolId, 'ALL'));
}

/** The page with its pool's look, or the page unchanged when it names no client or is not HTML. */
export async function applyLook(store: Store, req: HostedRequest, res: HostedResponse): Promise<HostedResponse> {
  const type = res.headers['Content-Type'];
  const clientId = req.query.get('client_id');
  if (typeof type !== 'string' || !type.startsWith('text/html') || !clientId || !res.body.includes('</main>')) return res;
  const found = await store.reads.clientWithPool(clientId);
  if (!found) return res;
  const { pool, client } = found;
  // A page served on a user pool domain shows only that pool's look.
  if (req.domainPoolId !== undefined && req.domainPoolId !== pool.id) return res;
  let body = res.body;
  if (req.path === '/signup') {
    const notice = termsNotice(await store.config.termsOfClient(pool.id, client.id), req.query.get('lang'));
    if (notice) body = body.replace('</form>', () => `${notice}\n</form>`);
  }
  const styles: string[] = [];
  // The look of the pool's domain's version: managed login (2) its branding, else the classic UI customization.
  const managed = (await store.domains.listForPool(pool.id)).some((d) => d.managedLoginVersion === 2);
  if (managed) {
    const b = await store.config.brandingOfClient(pool.id, client.id);
    if (!b || b.useCognitoProvidedValues) return body === res.body ? res : { ...res, body };
    const css = brandingCss(b.settings);
    if (css) body = body.replace('</head>', () => `<style id="managed-login-branding">${css}</style>\n</head>`);
    const logo = brandingLogo(b);
    if (logo) {
      body = body.replace('</head>', () => '<style>.logo-customizable{display:block;max-width:100%;max-height:178px;margin:0 auto 1rem}</style>\n</head>');
      body = body.replace('<main>', () => `<main>\n<div class="banner-customizable"><img class="logo-customizable" id="logo" src="${esc(logo)}" alt="Logo"></div>`);
    }
    return body === res.body ? res : { ...res, body };
  }
  const ui = await uiOf(store, pool.id, client.id);
  if (ui?.image) styles.push('<style>.logo-customizable{display:block;max-width:100%;max-height:178px;margin:0 auto 1rem}</style>');
  if (ui?.css) styles.push(`<style id="ui-customization">${pageCss(ui.css)}</style>`);
  if (styles.length) body = body.replace('</head>', () => `${styles.join('\n')}\n</head>`);
  if (ui?.image) body = body.replace('<main>', () => `<main>\n${logoBanner(ui.image!)}`);
  return body === res.body ? res : { ...res, body };
}
