/**
 * A browser single-page app against the hosted endpoints: oidc-client-ts (its browser bundle, as a
 * SPA loads it) in headless Chromium, on an origin of its own (a small local server), signs in with
 * the authorization code flow and PKCE as a public client. The library fetches the discovery
 * document, the token endpoint, userInfo, the JWKS and the revocation endpoint from the browser
 * (cross-origin: CORS), renews with the refresh token (signinSilent) and in a hidden iframe
 * (prompt=none), revokes the refresh token and signs out with signoutRedirect plus Cognito's
 * `client_id` and `logout_uri`; once more with `--issuer cognito`. A screenshot of the app after the
 * callback goes to test-output/screenshots/ (its path is printed as a test diagnostic).
 * Without /usr/bin/chromium the suite is skipped, except under CI, where it fails.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { backends, startTestServer, type TestServer } from './harness.js';
import { browserAppClient, chromiumSkip, launchChromium, screenshots } from './hosted.js';

const PASSWORD = 'Correct-Horse-9';
// dist/tests/spa.test.js -> the repository's node_modules.
const BUNDLE = fileURLToPath(new URL('../../node_modules/oidc-client-ts/dist/browser/oidc-client-ts.min.js', import.meta.url));
const skip = chromiumSkip();

interface AppConfig {
  authority: string;
  clientId: string;
}

/**
 * The app: one HTML page for every path (/, /callback, /signed-out) and the library's bundle. The
 * page is what a plain SPA would write: a UserManager, a "Sign in" button (signinRedirect), the
 * callback (signinRedirectCallback), "Renew" (signinSilent) and "Sign out" (signoutRedirect).
 * What the page learns is kept in `window.app` for the test to read.
 */
function appPage(spa: string, cfg: AppConfig): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SPA</title>
<style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em;white-space:pre-wrap;word-break:break-all}</style>
<script src="/oidc-client-ts.min.js"></script></head>
<body>
<h1 id="title">Example SPA</h1>
<p id="status">Loading…</p>
<button id="signin">Sign in</button> <button id="renew">Renew</button> <button id="signout">Sign out</button>
<h2>user.profile</h2><pre id="profile"></pre>
<script>
const cfg = ${JSON.stringify({ ...cfg, spa })};
const mgr = new oidc.UserManager({
  authority: cfg.authority,
  client_id: cfg.clientId,
  redirect_uri: cfg.spa + '/callback',
  silent_redirect_uri: cfg.spa + '/silent',
  response_type: 'code',
  scope: 'openid email profile',
  post_logout_redirect_uri: cfg.spa + '/signed-out',
  loadUserInfo: true,
  automaticSilentRenew: false,
  // Cognito revokes refresh tokens only (an access token is unsupported_token_type).
  revokeTokenTypes: ['refresh_token'],
  revokeTokensOnSignout: true,
});
window.mgr = mgr;
window.app = { done: false };
const $ = (id) => document.getElementById(id);
function show(user) {
  $('profile').textContent = user ? JSON.stringify(user.profile, null, 2) : '';
  $('status').textContent = user ? 'Signed in as ' + user.profile['cognito:username'] : 'Not signed in';
  if (user) window.app.user = { profile: user.profile, id_token: user.id_token, access_token: user.access_token, refresh_token: user.refresh_token, scope: user.scope, token_type: user.token_type, expires_in: user.expires_in };
  else delete window.app.user;
}
function fail(e) { $('status').textContent = 'Error: ' + (e && e.message); window.app.error = String(e && (e.stack || e.message || e)); window.app.done = true; }
$('signin').onclick = () => mgr.signinRedirect().catch(fail);
$('signout').onclick = () => mgr.signoutRedirect({ extraQueryParams: { client_id: cfg.clientId, logout_uri: cfg.spa + '/signed-out' } }).catch(fail);
$('renew').onclick = () => { window.app.renewed = undefined; mgr.signinSilent().then((u) => { show(u); window.app.renewed = true; }, fail); };
// signinSilent in a hidden iframe (prompt=none), as without a refresh token: the error, if any, is returned.
window.silentInFrame = () => mgr.signinSilent({ forceIframeAuth: true }).then((u) => { show(u); return { user: window.app.user }; }, (e) => ({ error: e.error || e.message }));
window.signingKeys = () => mgr.metadataService.getSigningKeys();
window.revoke = (types) => mgr.revokeTokens(types).then(() => ({}), (e) => ({ error: e.error || e.message }));
(async () => {
  if (location.pathname === '/silent') {
    await mgr.signinSilentCallback();
    return;
  }
  if (location.pathname === '/callback') {
    const user = await mgr.signinRedirectCallback();
    history.replaceState(null, '', '/');
    $('title').textContent = 'Back in the app';
    show(user);
  } else if (location.pathname === '/signed-out') {
    await mgr.signoutRedirectCallback();
    $('title').textContent = 'Signed out';
    show(await mgr.getUser());
  } else {
    show(await mgr.getUser());
  }
  window.app.done = true;
})().catch(fail);
</script></body></html>`;
}

async function spaServer(): Promise<{ url: string; configure(cfg: AppConfig): void; close(): Promise<void> }> {
  let cfg: AppConfig | undefined;
  const bundle = fs.readFileSync(BUNDLE);
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    if (u.pathname === '/oidc-client-ts.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(bundle);
      return;
    }
    if (u.pathname === '/favicon.ico' || !cfg) {
      res.writeHead(u.pathname === '/favicon.ico' ? 204 : 503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(appPage(url, cfg));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    configure: (c) => (cfg = c),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

interface AppState {
  done: boolean;
  error?: string;
  renewed?: boolean;
  user?: { profile: Record<string, unknown>; id_token: string; access_token: string; refresh_token?: string; scope?: string; token_type: string; expires_in?: number };
}

/** Waits for the page's script to finish (or fail) and returns what it knows. */
async function appState(page: Page): Promise<AppState> {
  await page.waitForFunction(() => (window as any).app?.done === true, undefined, { timeout: 15_000 });
  const state = (await page.evaluate(() => (window as any).app)) as AppState;
  assert.equal(state.error, undefined, `the app failed: ${state.error}`);
  return state;
}

describe('oidc-client-ts single-page app in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it('runs on each store', async (tc) => {
    for (const backend of await backends()) {
      await tc.test(backend.name, async (t) => {
        await scenario(t, backend, 'url');
      });
    }
    // With AWS-shaped issuers (`--issuer cognito`) the app still finds everything through the
    // discovery document on this server: oidc-client-ts does not compare `iss` with the authority.
    await tc.test('sqlite, --issuer cognito', async (t) => {
      await scenario(t, (await backends()).find((b) => b.name === 'sqlite')!, 'cognito');
    });
  });

  async function scenario(t: TestContext, backend: Awaited<ReturnType<typeof backends>>[number], issuerMode: 'url' | 'cognito'): Promise<void> {
    const server: TestServer = await startTestServer(backend, { issuer: issuerMode });
    const spa = await spaServer();
    const context = await browser.newContext();
    const page: Page = await context.newPage();
    // What the browser asked of incognito (the library's fetches and the navigations), with the answers.
    const calls: { method: string; path: string; query: URLSearchParams; status: number; origin?: string; cors?: string }[] = [];
    const pending: Promise<void>[] = [];
    page.on('response', (res) => {
      const u = new URL(res.url());
      if (u.origin !== server.url) return;
      const req = res.request();
      // The Origin header is added by the network stack: only allHeaders() shows it.
      pending.push(
        req.allHeaders().then((h) => {
          calls.push({ method: req.method(), path: u.pathname, query: u.searchParams, status: res.status(), origin: h.origin, cors: res.headers()['access-control-allow-origin'] });
        }),
      );
    });
    const settled = async () => {
      while (pending.length) await pending.shift();
    };
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    const shot = screenshots(page, t, `${backend.name}-spa-${issuerMode === 'cognito' ? 'cognito-issuer-' : ''}`);
    try {
      const cognito = server.cognito;
      // A public client (no secret), as an SPA has; EnableTokenRevocation is left at its default (on).
      const { poolId, clientId, clientSecret } = await browserAppClient(cognito, 'spa', [`${spa.url}/callback`, `${spa.url}/silent`], [`${spa.url}/signed-out`]);
      assert.equal(clientSecret, undefined);
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'nina',
          MessageAction: 'SUPPRESS',
          TemporaryPassword: PASSWORD,
          UserAttributes: [
            { Name: 'email', Value: 'nina@example.com' },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: 'Nina Example' },
          ],
        }),
      );
      await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'nina', Password: PASSWORD, Permanent: true }));
      const authority = `${server.url}/${poolId}`;
      const issuer = issuerMode === 'url' ? authority : `https://cognito-idp.${poolId.split('_')[0]}.amazonaws.com/${poolId}`;
      spa.configure({ authority, clientId });
      const jwks = createRemoteJWKSet(new URL(`${authority}/.well-known/jwks.json`));
      const callsTo = async (p: string, method = 'GET') => {
        await settled();
        return calls.filter((c) => c.path === p && c.method === method);
      };

      // 1. The app, not signed in; "Sign in" goes through signinRedirect to incognito's sign-in page.
      await page.goto(`${spa.url}/`);
      assert.equal((await appState(page)).user, undefined);
      await Promise.all([page.waitForURL(`${server.url}/login?**`), page.getByRole('button', { name: 'Sign in' }).click()]);
      assert.equal(await page.locator('h1').textContent(), 'Sign in');
      const authorize = (await callsTo('/oauth2/authorize')).at(-1)!;
      assert.equal(authorize.query.get('client_id'), clientId);
      assert.equal(authorize.query.get('code_challenge_method'), 'S256');
      assert.ok(authorize.query.get('code_challenge'));
      assert.equal(authorize.query.get('redirect_uri'), `${spa.url}/callback`);

      // 2. Sign in on the page; back at /callback the library exchanges the code and loads userInfo.
      await page.getByLabel('Username').fill('nina');
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${spa.url}/callback?**`, { waitUntil: 'commit' }), page.getByRole('button', { name: 'Sign in' }).click()]);
      const signedIn = (await appState(page)).user!;
      assert.ok(signedIn, 'the app has a user after the callback');
      assert.equal(await page.locator('#status').textContent(), 'Signed in as nina');
      await shot('callback');

      // The browser's own cross-origin calls, each answered with CORS headers.
      for (const [p, method] of [
        [`/${poolId}/.well-known/openid-configuration`, 'GET'],
        ['/oauth2/token', 'POST'],
        ['/oauth2/userInfo', 'GET'],
      ] as const) {
        // (Each page load reads the discovery document: the callback's may come from the HTTP cache,
        // without an Origin header.)
        const c = await callsTo(p, method);
        assert.ok(c.length >= 1, `${method} ${p} from the app: ${JSON.stringify(calls.map((x) => `${x.method} ${x.path} ${x.status}`))}`);
        assert.equal(c[0]!.origin, spa.url, `${method} ${p} is a cross-origin request`);
        for (const one of c) {
          assert.equal(one.status, 200, `${method} ${p}`);
          assert.equal(one.cors, '*', `${method} ${p} answers Access-Control-Allow-Origin`);
        }
      }

      // The profile: the ID token's claims, merged with what userInfo answered (`username` is only there).
      const profile = signedIn.profile;
      assert.equal(profile['cognito:username'], 'nina');
      assert.equal(profile.email, 'nina@example.com');
      assert.equal(profile.name, 'Nina Example');
      assert.equal(profile.email_verified, 'true', "userInfo's string (as Cognito's) replaces the ID token's boolean");
      assert.equal(profile.username, 'nina', 'userInfo was loaded into the profile');
      assert.equal(profile.iss, issuer);
      assert.equal(signedIn.token_type, 'Bearer');
      assert.equal(signedIn.scope, 'openid email profile');
      assert.ok(signedIn.refresh_token, 'the code flow gives a refresh token');

      // The tokens verify against the JWKS: as the server publishes it, and as the browser fetched it.
      const id = (await jwtVerify(signedIn.id_token, jwks, { issuer, audience: clientId })).payload;
      assert.equal(id['cognito:username'], 'nina');
      assert.equal(id.email, 'nina@example.com');
      assert.equal(id.sub, profile.sub);
      const browserKeys = (await page.evaluate(() => (window as any).signingKeys())) as JSONWebKeySet['keys'];
      assert.ok((await callsTo(`/${poolId}/.well-known/jwks.json`)).every((c) => c.status === 200 && c.cors === '*'));
      assert.equal((await callsTo(`/${poolId}/.well-known/jwks.json`)).length, 1);
      const access = (await jwtVerify(signedIn.access_token, createLocalJWKSet({ keys: browserKeys }), { issuer })).payload;
      assert.equal(access.token_use, 'access');
      assert.equal(access.client_id, clientId);
      assert.equal(access.scope, 'openid email profile');
      assert.equal(access.username, 'nina');
      await jwtVerify(signedIn.access_token, jwks, { issuer });

      // 3. signinSilent: with a refresh token the library uses the refresh_token grant from the browser.
      const tokenCalls = (await callsTo('/oauth2/token', 'POST')).length;
      await page.getByRole('button', { name: 'Renew' }).click();
      await page.waitForFunction(() => (window as any).app.renewed === true || (window as any).app.error, undefined, { timeout: 15_000 });
      const renewed = (await appState(page)).user!;
      assert.equal((await callsTo('/oauth2/token', 'POST')).length, tokenCalls + 1);
      assert.equal((await callsTo('/oauth2/token', 'POST')).at(-1)!.status, 200);
      assert.notEqual(renewed.access_token, signedIn.access_token, 'a new access token');
      assert.equal(renewed.refresh_token, signedIn.refresh_token, 'the refresh token is kept (no rotation)');
      const renewedAccess = (await jwtVerify(renewed.access_token, jwks, { issuer })).payload;
      assert.equal(renewedAccess.username, 'nina');
      assert.equal(renewedAccess.origin_jti, access.origin_jti, 'the same sign-in');
      assert.equal((await jwtVerify(renewed.id_token, jwks, { issuer, audience: clientId })).payload.email, 'nina@example.com');
      assert.equal(renewed.profile['cognito:username'], 'nina');

      // signinSilent in an iframe: prompt=none with the sign-in session's cookie, a new sign-in.
      const framed = (await page.evaluate(() => (window as any).silentInFrame())) as { error?: string; user?: AppState['user'] };
      assert.equal(framed.error, undefined);
      const authorizeNone = (await callsTo('/oauth2/authorize')).at(-1)!;
      assert.equal(authorizeNone.query.get('prompt'), 'none');
      assert.equal(authorizeNone.query.get('redirect_uri'), `${spa.url}/silent`);
      const framedAccess = (await jwtVerify(framed.user!.access_token, jwks, { issuer })).payload;
      assert.equal(framedAccess.username, 'nina');
      assert.notEqual(framedAccess.origin_jti, access.origin_jti, 'a sign-in of its own');
      const current = (await appState(page)).user!;

      // Cognito revokes refresh tokens only: the library's default revokeTokenTypes (access_token too)
      // is answered unsupported_token_type, read by the library from the cross-origin error.
      assert.deepEqual(await page.evaluate(() => (window as any).revoke(['access_token'])), { error: 'unsupported_token_type' });
      assert.deepEqual(consoleErrors.splice(0), ['Failed to load resource: the server responded with a status of 400 (Bad Request)']);

      // 4. Sign out: signoutRedirect revokes the refresh token (revokeTokensOnSignout), then goes to
      // /logout with Cognito's client_id and logout_uri, and incognito sends the browser back.
      await Promise.all([page.waitForURL(`${spa.url}/signed-out**`), page.getByRole('button', { name: 'Sign out' }).click()]);
      const state = await appState(page);
      assert.equal(state.user, undefined);
      assert.equal(await page.locator('#title').textContent(), 'Signed out');
      const revoked = await callsTo('/oauth2/revoke', 'POST');
      assert.deepEqual(revoked.map((c) => [c.status, c.cors]), [[400, '*'], [200, '*']]);
      const logout = (await callsTo('/logout')).at(-1)!;
      assert.equal(logout.query.get('client_id'), clientId);
      assert.equal(logout.query.get('logout_uri'), `${spa.url}/signed-out`);
      assert.ok(current.refresh_token);
      const refreshed = await fetch(`${server.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, refresh_token: current.refresh_token! }),
      });
      assert.equal(refreshed.status, 400, 'the revoked refresh token is refused');
      assert.equal(((await refreshed.json()) as { error: string }).error, 'invalid_grant');

      // 5. The session is over: signinSilent in an iframe answers login_required (never a page)...
      const silentAfter = (await page.evaluate(() => (window as any).silentInFrame())) as { error?: string };
      assert.equal(silentAfter.error, 'login_required');

      // ...and signing in again shows the sign-in page, not a redirect straight back.
      await Promise.all([page.waitForURL(`${server.url}/login?**`), page.getByRole('button', { name: 'Sign in' }).click()]);
      assert.equal(await page.locator('h1').textContent(), 'Sign in');
      assert.deepEqual(consoleErrors, []);
    } finally {
      await context.close();
      await spa.close();
      await server.close();
    }
  }
});
