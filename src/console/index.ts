/**
 * The web console at /_incognito/console: pools, app clients, users (ListUsers search), groups, the
 * outbox, import jobs; and the administrator's actions on users (create, set a password, confirm,
 * enable / disable, delete, groups). Server-rendered HTML, no scripts.
 *
 * Security:
 *  - With access keys configured every request needs one (HTTP Basic `accessKeyId:secretAccessKey`,
 *    which browsers ask for, or SigV4), as the other admin endpoints (iam/access.ts), and the key's
 *    policy must allow the page's or action's operation on the pool (`cognito-idp:ListUsers`,
 *    `cognito-idp:AdminCreateUser`, ...; the outbox `incognito:ListMessages`, import logs
 *    `incognito:GetImportLog`). Without keys incognito only listens on loopback (server.ts).
 *  - Forms carry a CSRF token: an HMAC (master key) of the console's session cookie (random,
 *    HttpOnly, SameSite=Lax, this path only) and the key's id; a POST without it, or with
 *    another, or from another site (Origin, Sec-Fetch-Site), is refused with 403 and changes nothing.
 *  - Every value reaches the page through html`` (escaped); no password hash, SRP verifier, TOTP
 *    secret or client secret is ever shown.
 *  - --console false (INCOGNITO_CONSOLE=false) turns it off: 404, as any unknown path.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { BodyTooLarge, readBody } from '../body.js';
import { poolArn, regionOfPoolId } from '../domain/ids.js';
import { authorize, authorizeAdmin } from '../iam/access.js';
import { adminHostNames } from '../iam/hosts.js';
import type { AccessKey } from '../iam/keys.js';
import { hostedCtx, parseCookies } from '../oauth/http.js';
import type { Ctx } from '../operations/context.js';
import type { Services } from '../protocol/dispatch.js';
import { isCognitoError } from '../protocol/errors.js';
import { BASE, href, html, layout, segmentValue, type Html } from './html.js';
import { matchPath, ROUTES, type ConsoleCall, type ConsoleResponse } from './routes.js';

export { BASE as CONSOLE_PATH } from './html.js';

const SESSION_COOKIE = 'incognito_console';
const MAX_FORM = 64 * 1024;

/** Whether `path` is the console's. */
export function isConsolePath(path: string): boolean {
  return path === BASE || path.startsWith(`${BASE}/`);
}

const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // Not no-referrer: under it Chromium sends `Origin: null` with the console's own forms, which sameOrigin() refuses.
  'Referrer-Policy': 'same-origin',
};

function errorResponse(status: number, title: string, text: string, headers: Record<string, string> = {}, content: Html | '' = ''): ConsoleResponse {
  return { status, headers: { ...PAGE_HEADERS, ...headers }, body: layout({ title, message: { kind: 'error', text }, content }) };
}

/** Where a refused page or action leads back to: the user, the pool, the pools list. */
function deniedLinks(params: Record<string, string>): Html {
  const links: [string, string][] = [];
  if (params.pool && params.user) links.push([href(['pools', params.pool, 'users', params.user]), 'Back to the user']);
  if (params.pool) links.push([href(['pools', params.pool]), 'The pool'], [href(['pools', params.pool, 'users']), 'Its users']);
  links.push([href([]), 'User pools']);
  return html`<nav class="row" aria-label="Go to" id="denied-links">${links.map(([to, text]) => html`<a href="${to}">${text}</a>`)}</nav>`;
}

/** The path after BASE as decoded segments; undefined when a segment is not valid percent-encoding. */
function segments(path: string): string[] | undefined {
  const rest = path.slice(BASE.length).replace(/^\/+|\/+$/g, '');
  if (rest === '') return [];
  try {
    return rest.split('/').map((s) => segmentValue(decodeURIComponent(s)));
  } catch {
    return undefined;
  }
}

/** Whether a POST comes from this console's own pages: no foreign Origin, not a cross-site fetch. */
function sameOrigin(req: http.IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Whether the browser reached this request over HTTPS that a proxy terminated: the request is
 * addressed to the host of an https --public-url. (X-Forwarded-Proto is not read: nothing
 * configures a trusted proxy, and any client could send it.)
 */
function behindTls(s: Services, req: http.IncomingMessage): boolean {
  const pub = s.config.publicUrl;
  if (!pub?.startsWith('https://')) return false;
  try {
    return new URL(pub).host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

/** The CSRF token of a session: bound to the session cookie and the key, keyed with the master key. */
function csrfFor(s: Services, session: string, key: AccessKey | undefined): string {
  return s.secrets.mac('console-csrf', `${session}\u0000${key?.accessKeyId ?? ''}`).toString('base64url');
}

function csrfValid(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Answers a console request; `key` in the answer names the access key that made it (for the log). */
export async function handleConsole(s: Services, req: http.IncomingMessage, path: string, url: string): Promise<ConsoleResponse & { key?: string }> {
  const method = req.method ?? 'GET';
  // HEAD is answered as GET (the server sends no body).
  const routeMethod = method === 'HEAD' ? 'GET' : method;
  const segs = segments(path);
  const match = segs && ROUTES.map((r) => ({ r, params: r.method === routeMethod ? matchPath(r.pattern, segs) : undefined })).find((x) => x.params);
  const allowed = segs ? [...new Set(ROUTES.filter((r) => matchPath(r.pattern, segs)).map((r) => r.method))] : [];
  // The route's operation and pool decide what the key must be allowed; an unknown path is checked as the pools list.
  const poolId = match?.params?.pool;
  const resource = (id: string | undefined) => (id ? poolArn(regionOfPoolId(id) ?? s.config.region, s.config.accountId, id) : '*');
  const auth = await authorizeAdmin(
    { method, rawUrl: url, headers: req.headers, body: Buffer.alloc(0) },
    s.accessKeys,
    s.clock(),
    match?.r.action ?? 'cognito-idp:ListUserPools',
    resource(poolId),
    s.config.accountId,
    adminHostNames(s.config),
  );
  // A key refused the pools list (ListUserPools) still gets the home page, with the pools it may open.
  const scoped = !auth.ok && auth.status === 403 && auth.key !== undefined && match?.r.pattern.length === 0 && routeMethod === 'GET';
  if (!auth.ok && !scoped) {
    const text = (() => {
      try {
        return (JSON.parse(auth.body) as { message: string }).message;
      } catch {
        return 'Access denied.';
      }
    })();
    const wwwAuth = auth.headers['WWW-Authenticate'];
    return {
      ...errorResponse(auth.status, auth.status === 401 ? 'Sign in with an access key' : 'Access denied', text, wwwAuth ? { 'WWW-Authenticate': wwwAuth } : {}, auth.status === 403 ? deniedLinks(match?.params ?? {}) : ''),
      ...(auth.key ? { key: auth.key.name } : {}),
    };
  }
  const key = auth.key;
  const keyName = key ? { key: key.name } : {};
  if (!segs) return { ...errorResponse(400, 'Bad request', 'The path is not valid percent-encoding.'), ...keyName };
  if (!match) {
    if (allowed.length) return { ...errorResponse(405, 'Method not allowed', `Use ${allowed.join(' or ')} here.`, { Allow: allowed.join(', ') }), ...keyName };
    return { ...errorResponse(404, 'Not found', 'There is no console page at this address.'), ...keyName };
  }

  const cookies = parseCookies(req.headers.cookie);
  let session = cookies[SESSION_COOKIE];
  const setCookie: string[] = [];
  if (!session || !/^[\w-]{43}$/.test(session)) {
    session = randomBytes(32).toString('base64url');
    const secure = Boolean((req.socket as TLSSocket).encrypted) || behindTls(s, req);
    setCookie.push(`${SESSION_COOKIE}=${session}; Path=${BASE}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`);
  }
  const csrf = csrfFor(s, session, key);

  let form = new URLSearchParams();
  if (method === 'POST') {
    try {
      form = new URLSearchParams((await readBody(req, MAX_FORM)).toString('utf8'));
    } catch (e) {
      if (e instanceof BodyTooLarge) return { ...errorResponse(413, 'Request too large', 'The form is too large.', { Connection: 'close' }), ...keyName };
      throw e;
    }
    // A session made just now (no cookie came) cannot have a form: refused like a wrong token.
    if (setCookie.length || !sameOrigin(req) || !csrfValid(csrf, form.get('_csrf'))) {
      return {
        ...errorResponse(403, 'Form refused', 'The form did not come from this console (its security token is missing or wrong). Reload the page and try again.', setCookie.length ? { 'Set-Cookie': setCookie[0]! } : {}),
        ...keyName,
      };
    }
  }

  const q = url.indexOf('?');
  const region = (poolId && regionOfPoolId(poolId)) || s.config.region;
  const ctx: Ctx = hostedCtx(s, region, { ip: req.socket.remoteAddress ?? 'unknown', userAgent: req.headers['user-agent'] });
  const call: ConsoleCall = {
    s,
    ctx,
    params: match.params!,
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    form,
    csrf,
    who: key?.name,
    scoped,
    may: (action, id) => {
      if (!key) return true;
      try {
        authorize(key, action, resource(id), s.config.accountId);
        return true;
      } catch {
        return false;
      }
    },
  };
  let res: ConsoleResponse;
  try {
    res = await match.r.run(call);
  } catch (e) {
    // A pool, user, group or job that is not there (deleted meanwhile, or a wrong address).
    if (isCognitoError(e) && e.status === 400) {
      const missing = e.type.endsWith('NotFoundException');
      res = errorResponse(missing ? 404 : 400, missing ? 'Not found' : 'Cannot show this page', `${e.type}: ${e.message}`);
    } else throw e;
  }
  const headers = { ...PAGE_HEADERS, ...res.headers };
  if (setCookie.length) headers['Set-Cookie'] = setCookie[0]!;
  return { ...res, headers, ...keyName };
}

export { PAGE_HEADERS as CONSOLE_HEADERS };
