/**
 * The hosted passkey registration page, as Cognito's managed login offers it to a signed-in user:
 *   GET  /passkeys/add?client_id=…&redirect_uri=…   the page ("Add a passkey", or "Not now")
 *   POST /passkeys/add                             the authenticator's answer; back to redirect_uri
 *   GET  /passkeys/webauthn.js                     @simplewebauthn/browser's browser build
 *   GET  /passkeys/passkey.js                      the script of this page and of the sign-in page's
 *                                                  passkey step (passkeySignInPage, for login.ts)
 * The user must have a live sign-in session of the hosted pages for the client's pool (session.ts);
 * redirect_uri must be one of the client's callback URLs. The ceremony is the one of the API
 * (domain/passkeys.ts startRegistration / completeRegistration): the same options, challenge
 * binding, origin, RP ID and user verification checks. Both scripts are first-party files served
 * from here (no external assets); the page's CSP allows scripts of this origin only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Ctx } from '../operations/context.js';
import { completeRegistration, startRegistration } from '../domain/passkeys.js';
import { isCognitoError } from '../protocol/errors.js';
import type { ClientRecord, PoolRecord } from '../store/types.js';
import { offDomain, page, redirect, single, type HostedRequest, type HostedResponse } from './http.js';
import { esc, errorPage, layout, type Message } from './pages.js';
import { csrfToken, csrfValid, sessionUser } from './session.js';

export const PASSKEY_PATHS = ['/passkeys/add', '/passkeys/webauthn.js', '/passkeys/passkey.js'] as const;

/** The browser build of @simplewebauthn/browser (UMD: the global SimpleWebAuthnBrowser), read once. */
let browserBundle: string | undefined;
function webauthnScript(): string {
  if (browserBundle === undefined) {
    const main = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
    browserBundle = fs.readFileSync(path.join(path.dirname(path.dirname(main)), 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
  }
  return browserBundle;
}

/**
 * The pages' script. The form's data-ceremony says which: `create` (add a passkey: on the button,
 * navigator.credentials.create through the library) or `get` (the sign-in step: at once, since the
 * user just chose "Sign in with a passkey", and again on the button; navigator.credentials.get).
 * The browser's answer is posted with the form; failures are shown on the page.
 */
const PAGE_SCRIPT = `(function () {
  var form = document.getElementById('passkey-form');
  var status = document.getElementById('passkey-status');
  var options = JSON.parse(document.getElementById('passkey-options').textContent);
  var create = form.dataset.ceremony === 'create';
  function show(text) { status.textContent = text; status.hidden = false; }
  function go() {
    var lib = window.SimpleWebAuthnBrowser;
    if (!lib || !lib.browserSupportsWebAuthn()) { show('This browser cannot use passkeys.'); return; }
    // A passkey belongs to the relying party ID: a page on another host (an IP address, say) cannot use it.
    var rpId = create ? options.rp && options.rp.id : options.rpId;
    var host = location.hostname;
    if (rpId && host !== rpId && host.slice(-rpId.length - 1) !== '.' + rpId) {
      show('Passkeys of this user pool belong to ' + rpId + ', and this page is on ' + host + ': open it on ' + rpId +
        (rpId === 'localhost' ? ' (http://localhost:' + location.port + location.pathname + location.search + ')' : '') + ' to use a passkey.');
      return;
    }
    (create ? lib.startRegistration : lib.startAuthentication)({ optionsJSON: options }).then(function (credential) {
      form.elements.credential.value = JSON.stringify(credential);
      form.submit();
    }, function (e) {
      var why = (e && e.name === 'NotAllowedError') || (e && e.cause && e.cause.name === 'NotAllowedError')
        ? (create ? 'the prompt was closed, timed out, or this security key cannot store a passkey. Try again, or use another authenticator.' : 'the prompt was closed or timed out. Try again.')
        : ((e && e.message) || String(e));
      show((create ? 'No passkey was created: ' : 'The passkey was not used: ') + why);
    });
  }
  form.addEventListener('submit', function (ev) { ev.preventDefault(); go(); });
  if (!create) go();
})();
`;

/** The pages' headers, with scripts of this origin allowed (the ones above). */
const HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const script = (body: string): HostedResponse => ({
  status: 200,
  headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600', 'X-Content-Type-Options': 'nosniff' },
  body,
});

export async function passkeyPage(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  if (req.path === '/passkeys/webauthn.js') return script(webauthnScript());
  if (req.path === '/passkeys/passkey.js') return script(PAGE_SCRIPT);
  const params = req.method === 'POST' ? req.form : req.query;
  const target = await checkTarget(ctx, req, params);
  if ('response' in target) return target.response;
  const { pool, client, redirectUri } = target;
  const signedIn = await sessionUser(ctx, req, pool);
  if (!signedIn) {
    const login = new URLSearchParams({ client_id: client.id, response_type: 'code', redirect_uri: redirectUri });
    return page(401, errorPage('Sign in first', 'Adding a passkey needs a signed-in user: sign in, then come back to this page.').replace('</main>', `<p><a href="${esc(`/oauth2/authorize?${login}`)}">Sign in</a></p>\n</main>`));
  }
  if (req.method === 'POST') {
    if (!csrfValid(req)) return page(403, errorPage('Something went wrong', 'The form expired. Go back and try again.'));
    let credential: unknown;
    try {
      credential = JSON.parse(req.form.get('credential') ?? '');
    } catch {
      credential = undefined;
    }
    try {
      await completeRegistration(ctx, pool, client, signedIn.user, credential);
    } catch (e) {
      if (!isCognitoError(e) || e.status !== 400) throw e;
      return addPage(ctx, req, pool, client, signedIn.user, redirectUri, { kind: 'error', text: e.message }, 400);
    }
    return redirect(redirectUri);
  }
  return addPage(ctx, req, pool, client, signedIn.user, redirectUri);
}

async function addPage(
  ctx: Ctx,
  req: HostedRequest,
  pool: PoolRecord,
  client: ClientRecord,
  user: Parameters<typeof startRegistration>[3],
  redirectUri: string,
  message?: Message,
  status = 200,
): Promise<HostedResponse> {
  let options: Record<string, unknown>;
  try {
    options = await startRegistration(ctx, pool, client.id, user);
  } catch (e) {
    if (!isCognitoError(e) || e.status !== 400) throw e;
    return page(400, errorPage('Passkeys are not available', e.message));
  }
  return ceremonyPage(req, status, {
    title: 'Add a passkey',
    intro: `${note(message)}<p>Sign in next time with your fingerprint, face or device screen lock instead of a password: save a passkey for <strong>${esc(user.username)}</strong> on this device.</p>`,
    options: JSON.stringify(options),
    action: '/passkeys/add',
    hidden: { client_id: client.id, redirect_uri: redirectUri },
    button: ['add-passkey', 'Add a passkey'],
    link: ['skip', redirectUri, 'Not now'],
    ceremony: 'create',
  });
}

/**
 * A page of this module: the options for the script, the form it posts the browser's answer with
 * (CSRF token, hidden fields, `credential` filled by the script), a link away, and the scripts;
 * scripts of this origin allowed.
 */
function ceremonyPage(
  req: HostedRequest,
  status: number,
  p: { title: string; intro: string; options: string; action: string; hidden: Record<string, string>; button: [id: string, label: string]; link: [id: string, href: string, text: string]; ceremony: 'create' | 'get' },
): HostedResponse {
  const csrf = csrfToken(req);
  const hidden = Object.entries({ _csrf: csrf.token, ...p.hidden, credential: '' })
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('\n');
  const body = `${p.intro}
<p class="alert" role="alert" id="passkey-status" hidden></p>
<script type="application/json" id="passkey-options">${p.options.replace(/</g, '\\u003c')}</script>
<form method="post" action="${esc(p.action)}" id="passkey-form" data-ceremony="${p.ceremony}">
${hidden}
<button type="submit" id="${p.button[0]}">${esc(p.button[1])}</button>
</form>
<nav><a href="${esc(p.link[1])}" id="${p.link[0]}">${esc(p.link[2])}</a></nav>
<script src="/passkeys/webauthn.js"></script>
<script src="/passkeys/passkey.js"></script>`;
  return { status, headers: { ...HEADERS, ...(csrf.setCookie.length ? { 'Set-Cookie': csrf.setCookie } : {}) }, body: layout(p.title, body) };
}

const note = (m: Message | undefined) => (m ? `<p class="alert" role="alert" id="message">${esc(m.text)}</p>` : '');

/** client_id and redirect_uri: a client of the domain's pool, and one of its callback URLs. */
async function checkTarget(
  ctx: Ctx,
  req: HostedRequest,
  params: URLSearchParams,
): Promise<{ pool: PoolRecord; client: ClientRecord; redirectUri: string } | { response: HostedResponse }> {
  const fail = (text: string) => ({ response: page(400, errorPage('Something went wrong', text)) });
  const clientId = single(params, 'client_id');
  const redirectUri = single(params, 'redirect_uri');
  if (clientId === null || redirectUri === null) return fail('client_id and redirect_uri can be given once each.');
  if (!clientId) return fail('Required parameter client_id is missing.');
  const found = /^[\w+]+$/.test(clientId) && clientId.length <= 128 ? await ctx.store.reads.clientWithPool(clientId) : undefined;
  if (!found) return fail(`The client ${clientId} does not exist (invalid_request).`);
  if (offDomain(req, found.pool.id)) return fail(`The client ${clientId} does not belong to the user pool of this domain.`);
  if (!redirectUri) return fail('Required parameter redirect_uri is missing.');
  if (!(found.client.settings.CallbackURLs ?? []).includes(redirectUri)) {
    return fail("redirect_mismatch: the redirect_uri is not one of the client's callback URLs (CallbackURLs must contain it exactly).");
  }
  return { pool: found.pool, client: found.client, redirectUri };
}

/**
 * The WEB_AUTHN step of the hosted sign-in (login.ts): the challenge's request options and the
 * form that posts the assertion back to /login with the engine's session. `action`: the sign-in
 * page's URL with the authorization request's parameters.
 */
export function passkeySignInPage(
  req: HostedRequest,
  action: string,
  session: string,
  requestOptions: string,
  username: string,
  cancel: string,
  message?: Message,
  status = 200,
): HostedResponse {
  return ceremonyPage(req, status, {
    title: 'Sign in with a passkey',
    intro: `${note(message)}<p>Use the passkey saved for <strong>${esc(username)}</strong>: your fingerprint, face or device screen lock.</p>`,
    options: requestOptions,
    action,
    hidden: { _action: 'webauthn', session, username },
    button: ['use-passkey', 'Use my passkey'],
    link: ['other-way', cancel, 'Sign in another way'],
    ceremony: 'get',
  });
}
