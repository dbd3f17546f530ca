/**
 * The hosted OAuth2 / OpenID Connect endpoints and pages, by path (one module each):
 *   GET  /oauth2/authorize             authorize.ts
 *   GET  /login, POST /login           login.ts (sign-in, new password)
 *   GET|POST /forgotPassword, /confirmForgotPassword, /signup, /confirm, /resendCode   account.ts
 *   POST /oauth2/token                 token.ts
 *   GET|POST /oauth2/userInfo          userinfo.ts
 *   POST /oauth2/revoke                revoke.ts
 *   GET  /logout                       logout.ts
 *   GET|POST /oauth2/idpresponse       federation.ts (an identity provider's answer)
 *   GET|POST /saml2/idpresponse        saml.ts (a SAML identity provider's response)
 *   GET  /saml2/metadata               saml.ts (the pool's SAML service provider metadata)
 *   GET|POST /saml2/logout             saml.ts (the IdP's LogoutResponse, single logout)
 *   GET|POST /passkeys/add, GET /passkeys/*.js   passkeys.ts (register a passkey, signed in)
 * They are served on this server's own origin; the pool comes from the client id (or the token).
 * A request that comes to a user pool domain's host name must name a client of that domain's pool.
 */
import type http from 'node:http';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Services } from '../protocol/dispatch.js';
import { BodyTooLarge, readBody } from '../body.js';
import { logError } from '../log.js';
import { isCognitoError } from '../protocol/errors.js';
import { ACCOUNT_PATHS, accountPage } from './account.js';
import { authorize } from './authorize.js';
import { hostedCtx, json, page, parseCookies, type HostedRequest, type HostedResponse } from './http.js';
import { login } from './login.js';
import { idpResponse } from './federation.js';
import { samlLogoutResponse, samlMetadata, samlResponse } from './saml.js';
import { applyLook } from './look.js';
import { PASSKEY_PATHS, passkeyPage } from './passkeys.js';
import { logout } from './logout.js';
import { errorPage } from './pages.js';
import { revoke } from './revoke.js';
import { token } from './token.js';
import { userInfo } from './userinfo.js';

type Endpoint = { methods: string[]; json: boolean; maxForm?: number; run: (ctx: ReturnType<typeof hostedCtx>, req: HostedRequest) => Promise<HostedResponse> };

const ENDPOINTS: Record<string, Endpoint> = {
  '/oauth2/authorize': { methods: ['GET'], json: false, run: authorize },
  '/login': { methods: ['GET', 'POST'], json: false, run: login },
  '/oauth2/token': { methods: ['POST'], json: true, run: token },
  '/oauth2/userInfo': { methods: ['GET', 'POST'], json: true, run: userInfo },
  '/oauth2/revoke': { methods: ['POST'], json: true, run: revoke },
  '/logout': { methods: ['GET'], json: false, run: logout },
  '/oauth2/idpresponse': { methods: ['GET', 'POST'], json: false, run: idpResponse },
  // Cognito takes SAML responses of up to 100,000 characters; the form around one is a little more.
  '/saml2/idpresponse': { methods: ['GET', 'POST'], json: false, maxForm: 160 * 1024, run: samlResponse },
  '/saml2/metadata': { methods: ['GET'], json: false, run: samlMetadata },
  '/saml2/logout': { methods: ['GET', 'POST'], json: false, maxForm: 160 * 1024, run: samlLogoutResponse },
};
for (const p of ACCOUNT_PATHS) ENDPOINTS[p] = { methods: ['GET', 'POST'], json: false, run: accountPage };
for (const p of PASSKEY_PATHS) ENDPOINTS[p] = { methods: p === '/passkeys/add' ? ['GET', 'POST'] : ['GET'], json: false, run: passkeyPage };

/** Form bodies are small: 64 KiB is plenty for any of these. */
const MAX_FORM = 64 * 1024;

/** The form of a POST, or undefined when it is over MAX_FORM (read to its end: see body.ts). */
async function readForm(req: http.IncomingMessage, max = MAX_FORM): Promise<URLSearchParams | undefined> {
  try {
    return new URLSearchParams((await readBody(req, max)).toString('utf8'));
  } catch (e) {
    if (e instanceof BodyTooLarge) return undefined;
    throw e;
  }
}

const PREFIX_HOST = /^([a-z0-9-]+)\.auth\.[a-z0-9-]+\.amazoncognito\.com$/;

/**
 * The user pool domain a Host header names: `<prefix>.auth.<region>.amazoncognito.com` (pointed
 * here by DNS or /etc/hosts) or a custom domain. Addresses and `localhost` name none.
 */
async function domainOfHost(s: Services, hostHeader: string | undefined) {
  if (!hostHeader) return undefined;
  // Without the port, and without a final dot (`auth.example.com.` is the same DNS name).
  const host = hostHeader.toLowerCase().replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (!host || host === 'localhost' || net.isIP(host)) return undefined;
  const m = PREFIX_HOST.exec(host);
  return s.store.domains.find(m ? m[1]! : host);
}

export function isHostedPath(path: string): boolean {
  return Object.hasOwn(ENDPOINTS, path);
}

/** Answers a hosted endpoint's request. The path must be one isHostedPath() accepts. */
export async function handleHosted(s: Services, req: http.IncomingMessage, path: string, url: string, region: string): Promise<HostedResponse> {
  const endpoint = ENDPOINTS[path]!;
  const method = req.method ?? 'GET';
  if (!endpoint.methods.includes(method)) {
    const r = endpoint.json ? json(405, { error: 'invalid_request', error_description: `Use ${endpoint.methods.join(' or ')}.` }) : page(405, errorPage('Method not allowed', `Use ${endpoint.methods.join(' or ')}.`));
    r.headers.Allow = endpoint.methods.join(', ');
    return r;
  }
  let form = new URLSearchParams();
  if (method === 'POST') {
    const read = await readForm(req, endpoint.maxForm);
    if (!read) {
      // As the JSON API answers an oversize body: the status, then the connection is closed.
      const r = endpoint.json
        ? json(413, { error: 'invalid_request', error_description: `The body is larger than ${endpoint.maxForm ?? MAX_FORM} bytes.` })
        : page(413, errorPage('Request too large', 'The form is too large.'));
      r.headers.Connection = 'close';
      return r;
    }
    form = read;
  }
  const q = url.indexOf('?');
  const hreq: HostedRequest = {
    method,
    path,
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    form,
    headers: req.headers,
    cookies: parseCookies(req.headers.cookie),
    secure: Boolean((req.socket as TLSSocket).encrypted),
    domainPoolId: (await domainOfHost(s, req.headers.host))?.poolId,
  };
  try {
    const res = await endpoint.run(hostedCtx(s, region, { ip: req.socket.remoteAddress ?? 'unknown', userAgent: req.headers['user-agent'] }), hreq);
    return endpoint.json ? res : await applyLook(s.store, hreq, res);
  } catch (e) {
    if (isCognitoError(e) && e.status === 400) {
      return endpoint.json ? json(400, { error: 'invalid_request', error_description: e.message }) : page(400, errorPage('Something went wrong', e.message));
    }
    logError(`hosted endpoint ${path} failed`, e);
    return endpoint.json ? json(500, { error: 'server_error' }) : page(500, errorPage('Something went wrong', 'An internal error occurred. Please try again.'));
  }
}
