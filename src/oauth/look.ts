/**
 * What a pool's configuration adds to its hosted pages, after a page is rendered: the terms
 * documents' links on the sign-up page (CreateTerms), the UI customization's CSS and logo
 * (SetUICustomization: the client's, else the pool's `ALL`), and the managed login branding's
 * colours where they map onto these pages (CreateManagedLoginBranding). The pages carry Cognito's
 * customizable class names (pages.ts), so a pool's CSS written for Cognito applies here.
 */
import type { Store, TermsRecord } from '../store/types.js';
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
  return (id && t.links[id]) || t.links['cognito:default'];
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

/** The page with its pool's look, or the page unchanged when it names no client or is not HTML. */
export async function applyLook(store: Store, req: HostedRequest, res: HostedResponse): Promise<HostedResponse> {
  const type = res.headers['Content-Type'];
  const clientId = req.query.get('client_id');
  if (typeof type !== 'string' || !type.startsWith('text/html') || !clientId || !res.body.includes('</main>')) return res;
  const found = await store.reads.clientWithPool(clientId);
  if (!found) return res;
  const { pool, client } = found;
  let body = res.body;
  if (req.path === '/signup') {
    const notice = termsNotice(await store.config.termsOfClient(pool.id, client.id), req.query.get('lang'));
    if (notice) body = body.replace(/<\/form>/, `${notice}\n</form>`);
  }
  return body === res.body ? res : { ...res, body };
}
