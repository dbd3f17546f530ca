/**
 * The hosted OAuth2 / OpenID Connect endpoints through openid-client (discovery, authorization
 * code + PKCE, refresh, userInfo, revocation, client_credentials) and plain HTTP for the rest:
 * authorize errors, the sign-in pages' rules (wrong password, CSRF, unconfirmed, disabled,
 * temporary password, reset required, sign-up), the session cookie and logout, the token
 * endpoint's errors. The pages are driven by a small form client (tests/hosted.ts); the real
 * browser test is tests/browser.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteResourceServerCommand,
  GetUserCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';
import { FormClient, lastCode, pageMessage, type PageResult } from './hosted.js';
import type { AuthSessionRecord } from '../src/store/repos/sessions.js';

const PASSWORD = 'Correct-Horse-9';
const CALLBACK = 'http://localhost:8976/callback';
const SIGNED_OUT = 'http://localhost:8976/signed-out';
const execute = [oidc.allowInsecureRequests];

async function makePool(cognito: CognitoIdentityProviderClient, input: Partial<CreateUserPoolCommandInput> = {}): Promise<string> {
  const { UserPool } = await cognito.send(new CreateUserPoolCommand({ PoolName: 'hosted', AutoVerifiedAttributes: ['email'], ...input }));
  return UserPool!.Id!;
}

async function makeClient(cognito: CognitoIdentityProviderClient, poolId: string, input: Partial<CreateUserPoolClientCommandInput> = {}) {
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'web',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code', 'implicit'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      CallbackURLs: [CALLBACK],
      LogoutURLs: [SIGNED_OUT],
      SupportedIdentityProviders: ['COGNITO'],
      ...input,
    }),
  );
  return { clientId: UserPoolClient!.ClientId!, secret: UserPoolClient!.ClientSecret };
}

async function makeUser(cognito: CognitoIdentityProviderClient, poolId: string, username: string, opts: { permanent?: boolean; email?: string } = {}) {
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: PASSWORD,
      UserAttributes: [
        { Name: 'email', Value: opts.email ?? `${username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: `${username} Example` },
      ],
    }),
  );
  if (opts.permanent !== false) await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
}

/** The callback URL's parameters (query, or the fragment for the implicit flow). */
function callbackParams(location: string | null, where: 'query' | 'fragment' = 'query'): URLSearchParams {
  assert.ok(location, 'expected a redirect');
  assert.ok(location.startsWith(CALLBACK), `expected a redirect to the callback, got ${location}`);
  const u = new URL(location);
  return where === 'query' ? u.searchParams : new URLSearchParams(u.hash.slice(1));
}

/** Signs in on the hosted page for an authorize URL; returns the redirect to the callback. */
async function signIn(browser: FormClient, authorizeUrl: string, username: string, password = PASSWORD): Promise<PageResult> {
  const loginPage = await browser.follow(await browser.get(authorizeUrl));
  assert.equal(loginPage.status, 200, loginPage.html);
  assert.match(loginPage.html, /<h1>Sign in<\/h1>/);
  return browser.submit(loginPage, { username, password });
}

for (const backend of await backends()) {
  describe(`hosted OAuth2/OIDC endpoints (${backend.name})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t?.close());

    it('discovery lists the endpoints the server answers on; openid-client runs authorization code + PKCE, refresh, userInfo and revocation', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId, secret } = await makeClient(t.cognito, poolId, { GenerateSecret: true });
      await makeUser(t.cognito, poolId, 'alice');
      const config = await oidc.discovery(new URL(`${t.url}/${poolId}`), clientId, secret, undefined, { execute });
      const meta = config.serverMetadata();
      assert.equal(meta.authorization_endpoint, `${t.url}/oauth2/authorize`);
      assert.equal(meta.token_endpoint, `${t.url}/oauth2/token`);
      assert.equal(meta.userinfo_endpoint, `${t.url}/oauth2/userInfo`);
      assert.equal(meta.revocation_endpoint, `${t.url}/oauth2/revoke`);
      assert.equal(meta.end_session_endpoint, `${t.url}/logout`);

      const verifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: CALLBACK,
        scope: 'openid email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        nonce,
        state,
      });
      const browser = new FormClient(t.url);
      const back = await signIn(browser, url.href, 'alice');
      assert.equal(back.status, 302);
      const params = callbackParams(back.location);
      assert.equal(params.get('state'), state);
      assert.ok(params.get('code'));

      const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
      assert.equal(tokens.token_type, 'bearer');
      assert.ok(tokens.refresh_token);
      const claims = tokens.claims()!;
      assert.equal(claims.nonce, nonce);
      assert.equal(claims.aud, clientId);
      assert.equal(claims.email, 'alice@example.com');
      assert.equal(claims.email_verified, true);
      assert.equal(claims.name, undefined, 'scope email does not show the profile attributes');
      assert.equal(claims['cognito:username'], 'alice');
      // Both tokens verify against the JWKS of the discovery document.
      const jwks = createRemoteJWKSet(new URL(meta.jwks_uri!));
      await jwtVerify(tokens.id_token!, jwks, { issuer: meta.issuer, audience: clientId });
      const access = (await jwtVerify(tokens.access_token, jwks, { issuer: meta.issuer })).payload;
      assert.equal(access.scope, 'openid email');
      assert.equal(access.client_id, clientId);
      assert.equal(access.token_use, 'access');
      assert.equal(access.version, 2);
      assert.equal(access.username, 'alice');

      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.sub, claims.sub);
      assert.equal(info.email, 'alice@example.com');
      assert.equal(info.email_verified, 'true', 'Cognito returns the flag as a string');
      assert.equal(info.username, 'alice');
      assert.equal(info.name, undefined);

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.ok(refreshed.id_token && refreshed.access_token);
      assert.equal(refreshed.refresh_token, undefined, 'no new refresh token without rotation');
      assert.equal(decodeJwt(refreshed.access_token).scope, 'openid email', 'refreshed tokens keep the granted scopes');
      assert.equal(decodeJwt(refreshed.id_token!).auth_time, claims.auth_time);

      // The code is single-use.
      await assert.rejects(oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: state }), (e: any) => {
        assert.equal(e.error, 'invalid_grant');
        return true;
      });

      await oidc.tokenRevocation(config, tokens.refresh_token!);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (e: any) => e.error === 'invalid_grant');
      // The access tokens of the revoked sign-in are refused by userInfo.
      const res = await fetch(`${t.url}/oauth2/userInfo`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_token');
    });

    it('the code is bound to its client, its redirect_uri and its PKCE verifier', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId);
      const other = await makeClient(t.cognito, poolId);
      await makeUser(t.cognito, poolId, 'bob');
      const verifier = oidc.randomPKCECodeVerifier();
      const challenge = await oidc.calculatePKCECodeChallenge(verifier);
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' })}`;
      const exchange = (body: Record<string, string>) =>
        fetch(`${t.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));
      // A new browser each time (a signed-in one would go straight back without the page).
      const codeOf = async () => callbackParams((await signIn(new FormClient(t.url), authorize, 'bob')).location).get('code')!;

      let code = await codeOf();
      let r = await exchange({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK, code_verifier: oidc.randomPKCECodeVerifier() });
      assert.deepEqual([r.status, r.json.error], [400, 'invalid_grant']);
      r = await exchange({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK, code_verifier: verifier });
      assert.deepEqual([r.status, r.json.error], [400, 'invalid_grant'], 'a refused exchange uses the code up: the right verifier then gets nothing');

      // Exchanges of one code at once: exactly one gets tokens.
      code = await codeOf();
      const together = await Promise.all(Array.from({ length: 4 }, () => exchange({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK, code_verifier: verifier })));
      assert.deepEqual(together.map((x) => x.status).sort(), [200, 400, 400, 400], JSON.stringify(together.map((x) => x.json)));
      for (const x of together) if (x.status === 400) assert.equal(x.json.error, 'invalid_grant');

      code = await codeOf();
      r = await exchange({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK });
      assert.deepEqual([r.status, r.json.error], [400, 'invalid_grant'], 'the verifier is required when the request had a challenge');

      code = await codeOf();
      r = await exchange({ grant_type: 'authorization_code', client_id: other.clientId, code, redirect_uri: CALLBACK, code_verifier: verifier });
      assert.deepEqual([r.status, r.json.error], [400, 'invalid_grant'], 'another client cannot use it');

      code = await codeOf();
      r = await exchange({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: 'http://localhost:8976/other', code_verifier: verifier });
      assert.deepEqual([r.status, r.json.error], [400, 'invalid_grant']);

      code = await codeOf();
      r = await exchange({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK, code_verifier: verifier });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(Object.keys(r.json).sort(), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'token_type']);
      assert.equal(r.json.token_type, 'Bearer');
      assert.equal(r.json.expires_in, 3600);
      // The same code again: refused, and the tokens it gave are revoked (RFC 6749 §4.1.2).
      const first = r.json;
      r = await exchange({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK, code_verifier: verifier });
      assert.deepEqual([r.status, r.json.error], [400, 'invalid_grant']);
      r = await exchange({ grant_type: 'refresh_token', client_id: clientId, refresh_token: first.refresh_token });
      assert.deepEqual([r.status, r.json.error], [400, 'invalid_grant'], 'the refresh token of a replayed code is revoked');
      const info = await fetch(`${t.url}/oauth2/userInfo`, { headers: { authorization: `Bearer ${first.access_token}` } });
      assert.equal(info.status, 401, 'and so is its access token');

      // A code requested without a challenge: a verifier means the challenge was stripped on the way
      // (PKCE downgrade, RFC 9700 §2.1.1), so the exchange is refused; without one it works.
      const plain = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' })}`;
      const plainCode = async () => callbackParams((await signIn(new FormClient(t.url), plain, 'bob')).location).get('code')!;
      r = await exchange({ grant_type: 'authorization_code', client_id: clientId, code: await plainCode(), redirect_uri: CALLBACK, code_verifier: verifier });
      assert.deepEqual([r.status, r.json.error], [400, 'invalid_grant'], 'a verifier for a code requested without a challenge');
      r = await exchange({ grant_type: 'authorization_code', client_id: clientId, code: await plainCode(), redirect_uri: CALLBACK });
      assert.equal(r.status, 200, JSON.stringify(r.json));

      // A password reset ordered after the code was issued: no tokens (as a refresh is refused then).
      code = await plainCode();
      await t.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'bob' }));
      r = await exchange({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK });
      assert.deepEqual([r.status, r.json.error], [400, 'invalid_grant'], 'a user whose password must be reset gets no tokens');
    });

    it('the exchange takes the code as it writes the sign-in: of two writes claiming one code, one writes, the other writes nothing', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId);
      await makeUser(t.cognito, poolId, 'carl');
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' })}`;
      const code = callbackParams((await signIn(new FormClient(t.url), authorize, 'carl')).location).get('code')!;
      const store = t.server.store;
      const id = createHash('sha256').update(code).digest('base64url');
      const { clientWithPool, code: row } = await store.reads.clientAndCode(clientId, id);
      assert.equal(clientWithPool?.client.id, clientId);
      assert.ok(row, 'the code is read with the client, not taken');
      const now = Date.now();
      const write = (originJti: string, claim = { id, from: row.state, to: `used by ${originJti}`, now }) =>
        store.tokens.insertFamily(
          { originJti, poolId, clientId, usernameKey: 'carl', authTime: Math.floor(now / 1000), createdAt: now, expiresAt: now + 60_000, revokedAt: null, scopes: ['openid'], deviceKey: null },
          { tokenHash: `hash-${originJti}`, originJti, createdAt: now, expiresAt: now + 60_000, replacedAt: null },
          claim,
        );
      assert.equal(await write('expired', { id, from: row.state, to: 'x', now: row.expiresAt }), false, 'an expired code is not taken');
      const results = await Promise.all([write('first'), write('second')]);
      assert.deepEqual([...results].sort(), [false, true]);
      const winner = results[0] ? 'first' : 'second';
      for (const jti of ['expired', 'first', 'second']) {
        const signIn = await store.reads.access(clientId, jti);
        assert.equal(signIn.signIn !== undefined, jti === winner, `the sign-in ${jti}: written only by the write that took the code`);
        assert.equal((await store.reads.refresh(`hash-${jti}`)) !== undefined, jti === winner, `its refresh token ${jti}`);
      }
      assert.equal((await store.reads.clientAndCode(clientId, id)).code?.state, `used by ${winner}`, 'the code is now the used marker of the sign-in');
    });

    it('concurrent sign-in writes go together and each gets its own answer: a code taken once, a missing user refused alone', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId);
      await makeUser(t.cognito, poolId, 'fay');
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' })}`;
      const store = t.server.store;
      const rows: AuthSessionRecord[] = [];
      for (let i = 0; i < 5; i++) {
        const code = callbackParams((await signIn(new FormClient(t.url), authorize, 'fay')).location).get('code')!;
        rows.push((await store.reads.clientAndCode(clientId, createHash('sha256').update(code).digest('base64url'))).code!);
      }
      const now = Date.now();
      const write = (originJti: string, usernameKey: string, row?: (typeof rows)[number]) =>
        store.tokens.insertFamily(
          { originJti, poolId, clientId, usernameKey, authTime: Math.floor(now / 1000), createdAt: now, expiresAt: now + 60_000, revokedAt: null, scopes: ['openid'], deviceKey: null },
          { tokenHash: `hash-${originJti}`, originJti, createdAt: now, expiresAt: now + 60_000, replacedAt: null },
          row && { id: row.id, from: row.state, to: `used by ${originJti}`, now },
        );
      // Asked for in one turn: on PostgreSQL one statement for the claims (and one for the plain sign-ins).
      const [a, b1, b2, c, p1, p2, p3] = await Promise.allSettled([
        write('a', 'fay', rows[0]),
        write('b1', 'fay', rows[1]),
        write('b2', 'fay', rows[1]),
        write('c', 'nobody', rows[2]),
        write('p1', 'fay'),
        write('p2', 'nobody'),
        write('p3', 'fay'),
      ]);
      assert.deepEqual(a, { status: 'fulfilled', value: true });
      assert.deepEqual([b1, b2].map((r) => (r.status === 'fulfilled' ? r.value : r.reason)).sort(), [false, true], 'one code, two claims: one is written');
      assert.equal(c.status, 'rejected', 'a sign-in of a user that does not exist is refused (the foreign key)');
      assert.equal(p2.status, 'rejected');
      assert.deepEqual([p1, p3], [{ status: 'fulfilled', value: true }, { status: 'fulfilled', value: true }]);
      const written = new Set<string>();
      for (const jti of ['a', 'b1', 'b2', 'c', 'p1', 'p2', 'p3']) if ((await store.reads.refresh(`hash-${jti}`)) !== undefined) written.add(jti);
      const b = (b1 as PromiseFulfilledResult<boolean>).value ? 'b1' : 'b2';
      assert.deepEqual([...written].sort(), ['a', b, 'p1', 'p3'].sort(), 'written: exactly the sign-ins that were answered true');
      assert.equal((await store.reads.clientAndCode(clientId, rows[2]!.id)).code?.state, rows[2]!.state, 'the refused sign-in did not take its code');
      assert.equal((await store.reads.clientAndCode(clientId, rows[1]!.id)).code?.state, `used by ${b}`);
      // Without a refusal among them: the batch itself writes, and of two claims of one code in it one wins.
      const again = await Promise.all([write('d', 'fay', rows[3]), write('e1', 'fay', rows[4]), write('e2', 'fay', rows[4]), write('p4', 'fay'), write('p5', 'fay')]);
      assert.equal(again[0], true);
      assert.deepEqual([again[1], again[2]].sort(), [false, true]);
      assert.deepEqual([again[3], again[4]], [true, true]);
      const e = again[1] ? 'e1' : 'e2';
      for (const jti of ['d', 'e1', 'e2', 'p4', 'p5']) assert.equal((await store.reads.refresh(`hash-${jti}`)) !== undefined, jti !== (e === 'e1' ? 'e2' : 'e1'), jti);
      assert.equal((await store.reads.clientAndCode(clientId, rows[4]!.id)).code?.state, `used by ${e}`);
    });

    it('the code is read with its user and groups in one statement; the sealed state decides the user, and codes without the column still exchange', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId);
      await makeUser(t.cognito, poolId, 'dana');
      await makeUser(t.cognito, poolId, 'erin');
      for (const GroupName of ['z-last', 'a-first']) {
        await t.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName }));
        await t.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'dana', GroupName }));
      }
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' })}`;
      const codeOf = async (who: string) => callbackParams((await signIn(new FormClient(t.url), authorize, who)).location).get('code')!;
      const exchange = (code: string) =>
        fetch(`${t.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK }) }).then(
          async (r) => ({ status: r.status, json: (await r.json()) as any }),
        );
      const store = t.server.store;
      const hashOf = (code: string) => createHash('sha256').update(code).digest('base64url');

      // The code's row names its user: read with the client and the code, the user's groups by name.
      let code = await codeOf('dana');
      const read = await store.reads.clientAndCode(clientId, hashOf(code));
      assert.equal(read.user?.user.username, 'dana');
      assert.deepEqual(read.user?.groups.map((g) => g.name), ['a-first', 'z-last']);
      let r = await exchange(code);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(decodeJwt(r.json.id_token)['cognito:groups'], ['a-first', 'z-last']);
      assert.deepEqual(decodeJwt(r.json.access_token)['cognito:groups'], ['a-first', 'z-last']);

      // A code issued before the column (migration 0016): no user read with it; the exchange reads the user itself.
      code = await codeOf('dana');
      const row = (await store.reads.clientAndCode(clientId, hashOf(code))).code!;
      await store.sessions.put({ ...row });
      assert.equal((await store.reads.clientAndCode(clientId, hashOf(code))).user, undefined);
      r = await exchange(code);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(decodeJwt(r.json.id_token)['cognito:username'], 'dana');
      assert.deepEqual(decodeJwt(r.json.id_token)['cognito:groups'], ['a-first', 'z-last']);

      // The column is a copy: a row naming another user gives the sealed state's user all the same.
      code = await codeOf('dana');
      const again = (await store.reads.clientAndCode(clientId, hashOf(code))).code!;
      await store.sessions.put({ ...again, usernameKey: 'erin' });
      assert.equal((await store.reads.clientAndCode(clientId, hashOf(code))).user?.user.username, 'erin');
      r = await exchange(code);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(decodeJwt(r.json.id_token)['cognito:username'], 'dana');
      assert.deepEqual(decodeJwt(r.json.id_token)['cognito:groups'], ['a-first', 'z-last']);

      // A user deleted after the code was issued: no tokens.
      code = await codeOf('erin');
      await t.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'erin' }));
      r = await exchange(code);
      assert.deepEqual([r.status, r.json.error], [400, 'invalid_grant']);
    });

    it('authorize: errors are pages until the client and redirect_uri are known, then redirects with error and state', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId, { AllowedOAuthFlows: ['code'] });
      const browser = new FormClient(t.url);
      const go = (params: Record<string, string>) => browser.get(`/oauth2/authorize?${new URLSearchParams(params)}`);
      const base = { client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, state: 'xyz' };

      let r = await go({ ...base, client_id: 'nosuchclient123' });
      assert.equal(r.status, 400);
      assert.match(r.headers.get('content-type')!, /text\/html/);
      r = await go({ ...base, redirect_uri: 'http://localhost:8976/evil' });
      assert.equal(r.status, 400);
      assert.match(pageMessage(r.html)!, /redirect_mismatch/);

      const errorOf = async (params: Record<string, string>) => {
        const res = await go(params);
        assert.equal(res.status, 302);
        const p = callbackParams(res.location);
        assert.equal(p.get('state'), 'xyz');
        return p.get('error');
      };
      assert.equal(await errorOf({ ...base, response_type: 'token' }), 'unauthorized_client');
      assert.equal(await errorOf({ ...base, response_type: 'id_token' }), 'unsupported_response_type');
      const { response_type: _, ...noType } = base;
      assert.equal(await errorOf(noType), 'invalid_request');
      assert.equal(await errorOf({ ...base, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }), 'invalid_request');
      assert.equal(await errorOf({ ...base, code_challenge: 'a'.repeat(43) }), 'invalid_request');
      assert.equal(await errorOf({ ...base, scope: 'phone nosuch/scope' }), 'invalid_scope');
      assert.equal(await errorOf({ ...base, identity_provider: 'Google' }), 'invalid_request');

      // Unknown and disallowed scopes are dropped; the rest are granted.
      await makeUser(t.cognito, poolId, 'carol');
      const back = await signIn(browser, `/oauth2/authorize?${new URLSearchParams({ ...base, scope: 'openid phone nosuch/scope profile' })}`, 'carol');
      const code = callbackParams(back.location).get('code')!;
      const res = await fetch(`${t.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK }),
      });
      const tokens = (await res.json()) as { access_token: string; id_token: string };
      assert.equal(decodeJwt(tokens.access_token).scope, 'openid profile');
      const id = decodeJwt(tokens.id_token);
      assert.equal(id.name, 'carol Example');
      assert.equal(id.email, undefined, 'profile does not cover email');
    });

    it('implicit flow: tokens in the fragment, never a refresh token; an ID token only with openid', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId, { AllowedOAuthFlows: ['implicit'] });
      await makeUser(t.cognito, poolId, 'dave');
      const browser = new FormClient(t.url);
      const back = await signIn(browser, `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'token', redirect_uri: CALLBACK, state: 's1', nonce: 'n1' })}`, 'dave');
      const p = callbackParams(back.location, 'fragment');
      assert.equal(p.get('state'), 's1');
      assert.equal(p.get('token_type'), 'Bearer');
      assert.equal(p.get('expires_in'), '3600');
      assert.equal(p.get('refresh_token'), null);
      const implicitId = decodeJwt(p.get('id_token')!);
      assert.equal(implicitId.nonce, 'n1');
      // at_hash binds the access token issued with it (OIDC Core §3.2.2.10).
      assert.equal(implicitId.at_hash, createHash('sha256').update(p.get('access_token')!).digest().subarray(0, 16).toString('base64url'));
      // The client's scopes include the admin scope: the access token works with the user API.
      const me = await t.cognito.send(new GetUserCommand({ AccessToken: p.get('access_token')! }));
      assert.equal(me.Username, 'dave');

      // Without openid: no ID token, and an access token without the admin scope is refused by GetUser.
      const again = await browser.get(`/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'token', redirect_uri: CALLBACK, scope: 'email' })}`);
      // Signed in already (session cookie): straight back; 'email' alone needs openid, so nothing is left.
      assert.equal(callbackParams(again.location).get('error'), 'invalid_scope');
      const admin = await browser.get(`/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'token', redirect_uri: CALLBACK, scope: 'aws.cognito.signin.user.admin' })}`);
      const q = callbackParams(admin.location, 'fragment');
      assert.equal(q.get('id_token'), null);
      assert.equal(decodeJwt(q.get('access_token')!).scope, 'aws.cognito.signin.user.admin');
      const openidOnly = await browser.get(`/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'token', redirect_uri: CALLBACK, scope: 'openid' })}`);
      const o = callbackParams(openidOnly.location, 'fragment');
      await expectError(t.cognito.send(new GetUserCommand({ AccessToken: o.get('access_token')! })), 'NotAuthorizedException', 'Access Token does not have required scopes');
      // openid alone: the ID token shows every attribute the client can read.
      const id = decodeJwt(o.get('id_token')!);
      assert.equal(id.email, 'dave@example.com');
      assert.equal(id.name, 'dave Example');
    });

    it('the sign-in session: a second authorize goes straight back; logout ends it and goes to a LogoutURL', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId);
      await makeUser(t.cognito, poolId, 'erin');
      const browser = new FormClient(t.url);
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`;
      await signIn(browser, authorize, 'erin');
      const cookie = `incognito_session_${poolId}`;
      assert.ok(browser.jar.has(cookie));
      let r = await browser.get(authorize);
      assert.ok(callbackParams(r.location).get('code'), 'signed in: a code without the sign-in page');
      r = await browser.get(`${authorize}&prompt=login`);
      assert.match(r.location!, /^\/login\?/, 'prompt=login asks again');
      r = await browser.get(`${authorize}&prompt=none&state=s1`);
      assert.ok(callbackParams(r.location).get('code'), 'prompt=none with a session: a code');
      const stranger = new FormClient(t.url);
      r = await stranger.get(`${authorize}&prompt=none&state=s2`);
      assert.equal(callbackParams(r.location).get('error'), 'login_required', 'prompt=none without a session: no page, login_required');
      assert.equal(callbackParams(r.location).get('state'), 's2');

      r = await browser.get(`/logout?${new URLSearchParams({ client_id: clientId, logout_uri: 'http://localhost:8976/elsewhere' })}`);
      assert.equal(r.status, 400);
      assert.ok(browser.jar.has(cookie), 'a refused logout keeps the session');
      r = await browser.get(`/logout?${new URLSearchParams({ client_id: clientId, logout_uri: SIGNED_OUT })}`);
      assert.equal(r.status, 302);
      assert.equal(r.location, SIGNED_OUT);
      assert.ok(!browser.jar.has(cookie));
      r = await browser.get(authorize);
      assert.match(r.location!, /^\/login\?/, 'signed out: the sign-in page again');

      // The old cookie value is dead on the server too (not just deleted in this browser).
      await signIn(browser, authorize, 'erin');
      const stolen = browser.jar.get(cookie)!;
      r = await browser.get(`/logout?${new URLSearchParams({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code' })}`);
      assert.match(r.location!, /^\/login\?/);
      const replay = new FormClient(t.url);
      replay.jar.set(cookie, stolen);
      r = await replay.get(authorize);
      assert.match(r.location!, /^\/login\?/);

      // A user deleted and created again under the same name is someone else: neither the old
      // session nor a code issued to the old user signs the new one in.
      await signIn(browser, authorize, 'erin');
      const oldCode = callbackParams((await browser.get(authorize)).location).get('code')!;
      await t.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'erin' }));
      await makeUser(t.cognito, poolId, 'erin');
      r = await browser.get(authorize);
      assert.match(r.location!, /^\/login\?/, "the deleted user's session does not sign in the new erin");
      const res = await fetch(`${t.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code: oldCode, redirect_uri: CALLBACK }) });
      assert.deepEqual([res.status, ((await res.json()) as { error: string }).error], [400, 'invalid_grant'], "the deleted user's code gives the new erin no tokens");
    });

    it('the sign-in page: wrong password, CSRF, unknown, unconfirmed and disabled users, lockout', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId);
      await makeUser(t.cognito, poolId, 'frank');
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`;
      const browser = new FormClient(t.url);
      const login = await browser.follow(await browser.get(authorize));
      assert.match(login.headers.get('content-security-policy')!, /default-src 'none'/);
      assert.match(login.html, /<label for="f_username">Username<\/label>/);

      let r = await browser.submit(login, { username: 'frank', password: 'Wrong-password-1' });
      assert.equal(r.status, 400);
      assert.equal(pageMessage(r.html), 'Incorrect username or password.');
      r = await browser.submit(login, { username: 'nobody', password: PASSWORD });
      assert.equal(pageMessage(r.html), 'User does not exist.');

      // A post without the CSRF cookie's value is refused.
      r = await browser.submit(login, { username: 'frank', password: PASSWORD, _csrf: 'x'.repeat(43) });
      assert.equal(r.status, 403);
      const stranger = new FormClient(t.url);
      r = await stranger.submit(login, { username: 'frank', password: PASSWORD });
      assert.equal(r.status, 403, 'a form posted from another browser (no CSRF cookie)');

      await t.cognito.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'frank' }));
      r = await browser.submit(login, { username: 'frank', password: PASSWORD });
      assert.equal(pageMessage(r.html), 'User is disabled.');

      // Unconfirmed (signed up, not confirmed): the confirmation page, with the code from the outbox.
      const { clientId: apiClient } = await makeClient(t.cognito, poolId, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
      const { SignUpCommand } = await import('@aws-sdk/client-cognito-identity-provider');
      await t.cognito.send(new SignUpCommand({ ClientId: apiClient, Username: 'gina', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'gina@example.com' }] }));
      r = await browser.submit(login, { username: 'gina', password: PASSWORD });
      assert.match(r.html, /<h1>Confirm your account<\/h1>/);
      r = await browser.submit(r, { code: '000000' });
      assert.equal(r.status, 400);
      assert.match(pageMessage(r.html)!, /Invalid verification code/);
      r = await browser.submit(r, { code: await lastCode(t.url, poolId, 'gina') });
      assert.equal(pageMessage(r.html), 'Your account is confirmed. Sign in.');
      r = await browser.submit(r, { username: 'gina', password: PASSWORD });
      assert.ok(callbackParams(r.location).get('code'));

      // Lockout after repeated failures.
      await makeUser(t.cognito, poolId, 'hank');
      for (let i = 0; i < 5; i++) await browser.submit(login, { username: 'hank', password: 'Wrong-password-1' });
      r = await browser.submit(login, { username: 'hank', password: PASSWORD });
      assert.equal(pageMessage(r.html), 'Password attempts exceeded');
    });

    it('a temporary password: the new-password page; the password policy applies', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId);
      await t.cognito.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'ivy', MessageAction: 'SUPPRESS', TemporaryPassword: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'ivy@example.com' }] }),
      );
      const browser = new FormClient(t.url);
      let r = await signIn(browser, `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`, 'ivy');
      assert.equal(r.status, 200);
      assert.match(r.html, /<h1>Change your password<\/h1>/);
      r = await browser.submit(r, { new_password: 'Battery-Staple-42', confirm_password: 'Battery-Staple-43' });
      assert.equal(pageMessage(r.html), 'The passwords do not match.');
      r = await browser.submit(r, { new_password: 'short', confirm_password: 'short' });
      assert.equal(r.status, 400);
      assert.match(pageMessage(r.html)!, /Password/);
      r = await browser.submit(r, { new_password: 'Battery-Staple-42', confirm_password: 'Battery-Staple-42' });
      assert.equal(r.status, 302, r.html);
      assert.ok(callbackParams(r.location).get('code'));
      const fresh = new FormClient(t.url);
      const again = await signIn(fresh, `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`, 'ivy', 'Battery-Staple-42');
      assert.ok(callbackParams(again.location).get('code'));
    });

    it('reset required: the reset page with a code; forgot password; sign-up and confirmation', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId, { GenerateSecret: true });
      await makeUser(t.cognito, poolId, 'jack');
      await t.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'jack' }));
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`;
      const browser = new FormClient(t.url);
      let r = await signIn(browser, authorize, 'jack');
      assert.match(r.html, /<h1>Reset your password<\/h1>/);
      assert.match(pageMessage(r.html)!, /Your password must be reset\. We sent a code to j\*\*\*@e\*\*\*/);
      r = await browser.submit(r, { code: await lastCode(t.url, poolId, 'jack'), new_password: 'Battery-Staple-42', confirm_password: 'Battery-Staple-42' });
      assert.equal(pageMessage(r.html), 'Your password has been changed. Sign in with the new one.');
      r = await browser.submit(r, { username: 'jack', password: 'Battery-Staple-42' });
      assert.ok(callbackParams(r.location).get('code'));

      // Forgot password from the link on the sign-in page.
      const other = new FormClient(t.url);
      const login = await other.follow(await other.get(authorize));
      const forgotHref = /href="([^"]*forgotPassword[^"]*)"/.exec(login.html)![1]!.replace(/&amp;/g, '&');
      r = await other.get(forgotHref);
      r = await other.submit(r, { username: 'jack' });
      assert.match(r.html, /<h1>Reset your password<\/h1>/);
      r = await other.submit(r, { code: await lastCode(t.url, poolId, 'jack'), new_password: 'Another-Pass-77', confirm_password: 'Another-Pass-77' });
      r = await other.submit(r, { username: 'jack', password: 'Another-Pass-77' });
      assert.ok(callbackParams(r.location).get('code'));

      // Sign-up (the pool allows it), confirmation, sign-in.
      const signupHref = /href="([^"]*signup[^"]*)"/.exec(login.html)![1]!.replace(/&amp;/g, '&');
      const third = new FormClient(t.url);
      r = await third.get(signupHref);
      assert.match(r.html, /<h1>Sign up<\/h1>/);
      r = await third.submit(r, { username: 'kate', attr_email: 'kate@example.com', password: 'weak' });
      assert.equal(r.status, 400);
      assert.match(pageMessage(r.html)!, /Password did not conform with policy/);
      r = await third.submit(r, { username: 'kate', attr_email: 'kate@example.com', password: PASSWORD });
      assert.match(r.html, /<h1>Confirm your account<\/h1>/);
      r = await third.submit(r, { code: await lastCode(t.url, poolId, 'kate') });
      r = await third.submit(r, { username: 'kate', password: PASSWORD });
      assert.ok(callbackParams(r.location).get('code'));

      // A pool where only administrators create users has no sign-up page.
      const closed = await makePool(t.cognito, { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
      const c2 = await makeClient(t.cognito, closed);
      const p = await third.get(`/signup?${new URLSearchParams({ client_id: c2.clientId, response_type: 'code', redirect_uri: CALLBACK })}`);
      assert.equal(p.status, 403);
      const l2 = await third.get(`/login?${new URLSearchParams({ client_id: c2.clientId, response_type: 'code', redirect_uri: CALLBACK })}`);
      assert.doesNotMatch(l2.html, /Sign up/);
    });

    it('sign-up and reset pages: inner spaces are allowed; a space at either end gets the policy text, not the model pattern', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId);
      const query = new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK });
      const browser = new FormClient(t.url);
      let r = await browser.get(`/signup?${query}`);
      for (const password of [' Leading-Space-42', 'Trailing-Space-42 ']) {
        r = await browser.submit(r, { username: 'lena', attr_email: 'lena@example.com', password });
        assert.equal(r.status, 400);
        assert.equal(pageMessage(r.html), 'Password did not conform with policy: Password must not begin or end with a space');
      }
      r = await browser.submit(r, { username: 'lena', attr_email: 'lena@example.com', password: 'x' });
      assert.equal(r.status, 400);
      assert.equal(pageMessage(r.html), 'Password did not conform with policy: Password not long enough');
      r = await browser.submit(r, { username: 'lena', attr_email: 'lena@example.com', password: 'Correct horse 42!' });
      assert.match(r.html, /<h1>Confirm your account<\/h1>/);
      r = await browser.submit(r, { code: await lastCode(t.url, poolId, 'lena') });
      assert.equal(pageMessage(r.html), 'Your account is confirmed. Sign in.');

      const other = new FormClient(t.url);
      r = await other.get(`/forgotPassword?${query}`);
      r = await other.submit(r, { username: 'lena' });
      assert.match(r.html, /<h1>Reset your password<\/h1>/);
      const code = await lastCode(t.url, poolId, 'lena');
      r = await other.submit(r, { code, new_password: 'Battery staple 42! ', confirm_password: 'Battery staple 42! ' });
      assert.equal(r.status, 400);
      assert.equal(pageMessage(r.html), 'Password does not conform to policy: Password must not begin or end with a space');
      r = await other.submit(r, { code, new_password: 'Battery staple 42!', confirm_password: 'Battery staple 42!' });
      assert.equal(pageMessage(r.html), 'Your password has been changed. Sign in with the new one.');
      r = await other.submit(r, { username: 'lena', password: 'Battery staple 42!' });
      assert.ok(callbackParams(r.location).get('code'));
    });

    it('the token endpoint: client authentication and grant errors; rotation gives a new refresh token', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId, secret } = await makeClient(t.cognito, poolId, { GenerateSecret: true, RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 } });
      await makeUser(t.cognito, poolId, 'liam');
      const post = async (body: Record<string, string>, headers: Record<string, string> = {}) => {
        const r = await fetch(`${t.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });
        return { status: r.status, json: (await r.json()) as any, headers: r.headers };
      };
      const basic = (id: string, s: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${s}`).toString('base64')}` });
      assert.equal((await post({})).json.error, 'invalid_request');
      assert.equal((await post({ grant_type: 'password' })).json.error, 'unsupported_grant_type');
      assert.equal((await post({ grant_type: 'authorization_code', code: 'x'.repeat(43), redirect_uri: CALLBACK }, basic(clientId, 'wrong'))).json.error, 'invalid_client');
      assert.equal((await post({ grant_type: 'authorization_code', client_id: clientId, code: 'x'.repeat(43), redirect_uri: CALLBACK })).json.error, 'invalid_client', 'the secret is required');
      assert.equal((await post({ grant_type: 'authorization_code', code: 'x'.repeat(43), redirect_uri: CALLBACK }, basic(clientId, secret!))).json.error, 'invalid_grant');
      assert.equal((await post({ grant_type: 'client_credentials' }, basic(clientId, secret!))).json.error, 'unauthorized_client');
      const wrongType = await fetch(`${t.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...basic(clientId, secret!) }, body: '{}' });
      assert.equal(wrongType.status, 400);

      const browser = new FormClient(t.url);
      const back = await signIn(browser, `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`, 'liam');
      const code = callbackParams(back.location).get('code')!;
      const first = await post({ grant_type: 'authorization_code', client_id: clientId, client_secret: secret!, code, redirect_uri: CALLBACK });
      assert.equal(first.status, 200, JSON.stringify(first.json));
      assert.equal(first.headers.get('cache-control'), 'no-store');
      const rotated = await post({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token }, basic(clientId, secret!));
      assert.equal(rotated.status, 200);
      assert.ok(rotated.json.refresh_token && rotated.json.refresh_token !== first.json.refresh_token);
      const reused = await post({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token }, basic(clientId, secret!));
      assert.deepEqual([reused.status, reused.json.error], [400, 'invalid_grant']);
    });

    it('a form over 64 KiB is answered 413 (an OAuth error on the token endpoint, the error page on the pages), not a reset connection', async () => {
      // As `curl -H 'Expect:' --data-binary @big` sends it: the whole body at once, no 100-continue.
      const big = `username=${'a'.repeat(100 * 1024)}`;
      const post = (path: string) =>
        new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
          const req = http.request(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(big) } }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
          });
          req.on('error', reject);
          req.end(big);
        });
      const token = await post('/oauth2/token');
      assert.equal(token.status, 413);
      assert.match(token.headers['content-type']!, /^application\/json/);
      assert.deepEqual(JSON.parse(token.body), { error: 'invalid_request', error_description: 'The body is larger than 65536 bytes.' });
      assert.equal(token.headers.connection, 'close');
      const login = await post('/login');
      assert.equal(login.status, 413);
      assert.match(login.headers['content-type']!, /^text\/html/);
      assert.match(login.body, /The form is too large\./);
      assert.equal(login.headers.connection, 'close');
      // A form within the limit still goes through.
      const small = await fetch(`${t.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password' });
      assert.equal(small.status, 400);
    });

    it('client_credentials: custom scopes of a resource server, a secret required, the granted scopes in the token', async () => {
      const poolId = await makePool(t.cognito);
      await t.cognito.send(
        new CreateResourceServerCommand({
          UserPoolId: poolId,
          Identifier: 'https://api.example.com',
          Name: 'api',
          Scopes: [
            { ScopeName: 'read', ScopeDescription: 'read' },
            { ScopeName: 'write', ScopeDescription: 'write' },
          ],
        }),
      );
      const { clientId, secret } = await makeClient(t.cognito, poolId, {
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: ['https://api.example.com/read', 'https://api.example.com/write'],
        CallbackURLs: undefined,
        LogoutURLs: undefined,
      });
      const config = await oidc.discovery(new URL(`${t.url}/${poolId}`), clientId, undefined, oidc.ClientSecretBasic(secret!), { execute });
      const all = await oidc.clientCredentialsGrant(config);
      const payload = (await jwtVerify(all.access_token, createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)), { issuer: config.serverMetadata().issuer })).payload;
      assert.equal(payload.scope, 'https://api.example.com/read https://api.example.com/write');
      assert.equal(payload.sub, clientId);
      assert.equal(payload.client_id, clientId);
      assert.equal(payload.token_use, 'access');
      assert.equal(all.refresh_token, undefined);
      assert.equal(all.id_token, undefined);
      const one = await oidc.clientCredentialsGrant(config, { scope: 'https://api.example.com/write openid https://api.example.com/nope' });
      assert.equal(decodeJwt(one.access_token).scope, 'https://api.example.com/write');
      await assert.rejects(oidc.clientCredentialsGrant(config, { scope: 'openid' }), (e: any) => e.error === 'invalid_scope');

      // A deleted resource server's scopes are no longer granted.
      await t.cognito.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: 'https://api.example.com' }));
      await assert.rejects(oidc.clientCredentialsGrant(config), (e: any) => e.error === 'invalid_scope');
    });

    it('the sign-up page names the required attributes as a person would', async () => {
      const poolId = await makePool(t.cognito, {
        Schema: [
          { Name: 'given_name', Required: true, Mutable: true, AttributeDataType: 'String' },
          { Name: 'zoneinfo', Required: true, Mutable: true, AttributeDataType: 'String' },
        ],
      });
      const { clientId } = await makeClient(t.cognito, poolId);
      const r = await new FormClient(t.url).get(`/signup?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`);
      assert.equal(r.status, 200);
      assert.match(r.html, /<label for="f_attr_given_name">Given name<\/label>/);
      assert.match(r.html, /<label for="f_attr_zoneinfo">Time zone<\/label>/);
    });

    it('authorize: a custom scope whose name holds a + is granted whole', async () => {
      const poolId = await makePool(t.cognito);
      await t.cognito.send(
        new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'api', Name: 'api', Scopes: [{ ScopeName: 'read+write', ScopeDescription: 'both' }, { ScopeName: 'read', ScopeDescription: 'read' }] }),
      );
      const { clientId } = await makeClient(t.cognito, poolId, { AllowedOAuthScopes: ['openid', 'email', 'api/read+write', 'api/read'] });
      await makeUser(t.cognito, poolId, 'pia');
      const authorize = (scope: string) => `${t.url}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'token', redirect_uri: CALLBACK, scope })}`;
      const browser = new FormClient(t.url);
      const scopeOf = (r: PageResult) => decodeJwt(callbackParams(r.location, 'fragment').get('access_token')!).scope;
      assert.equal(scopeOf(await signIn(browser, authorize('openid api/read+write'), 'pia')), 'openid api/read+write');
      // A list written with %2B between the names still reads as the names.
      assert.equal(scopeOf(await browser.get(authorize('openid+email'))), 'openid email');
    });

    it('a request to a pool\'s domain (by Host) must name a client of that pool', async () => {
      const poolA = await makePool(t.cognito);
      const poolB = await makePool(t.cognito);
      const a = await makeClient(t.cognito, poolA, { GenerateSecret: true });
      const b = await makeClient(t.cognito, poolB);
      const prefix = `app${Date.now().toString(36)}`;
      await t.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolA, Domain: prefix }));
      const { port } = new URL(t.url);
      const send = (host: string, path: string, method = 'GET', body?: string) =>
        new Promise<{ status: number; location?: string; body: string }>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, path, method, headers: { host, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) } }, (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode!, ...(res.headers.location ? { location: res.headers.location } : {}), body: text }));
          });
          req.on('error', reject);
          req.end(body);
        });
      const authorize = (clientId: string) => `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`;
      const domainHost = `${prefix}.auth.us-east-1.amazoncognito.com`;
      let r = await send(domainHost, authorize(a.clientId));
      assert.equal(r.status, 302);
      assert.match(r.location!, /^\/login\?/);
      r = await send(domainHost, authorize(b.clientId));
      assert.equal(r.status, 400);
      assert.match(r.body, /does not belong to the user pool of this domain/);
      r = await send(`${domainHost.toUpperCase()}.:443`, authorize(b.clientId));
      assert.equal(r.status, 400, 'the same host name with a final dot, in capitals, with a port');
      // The server's own address serves every pool.
      r = await send(`127.0.0.1:${port}`, authorize(b.clientId));
      assert.equal(r.status, 302);
      r = await send(domainHost, '/oauth2/token', 'POST', new URLSearchParams({ grant_type: 'refresh_token', client_id: b.clientId, refresh_token: 'x' }).toString());
      assert.deepEqual([r.status, JSON.parse(r.body).error], [400, 'invalid_client']);
      r = await send(`auth.${prefix}.example.com`, authorize(b.clientId));
      assert.equal(r.status, 302, 'a host name that is no domain of any pool restricts nothing');

      // userInfo on the domain: a token of another pool is not valid there.
      await makeUser(t.cognito, poolB, 'noor');
      const code = callbackParams((await signIn(new FormClient(t.url), `${t.url}${authorize(b.clientId)}&scope=openid`, 'noor')).location).get('code')!;
      const tokens = (await (
        await fetch(`${t.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: b.clientId, code, redirect_uri: CALLBACK }) })
      ).json()) as { access_token: string };
      const userInfoOn = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, path: '/oauth2/userInfo', headers: { host, authorization: `Bearer ${tokens.access_token}` } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          });
          req.on('error', reject);
          req.end();
        });
      assert.equal(await userInfoOn(`127.0.0.1:${port}`), 200);
      assert.equal(await userInfoOn(domainHost), 401, "pool A's domain does not answer for pool B's token");
    });

    it('userInfo refuses API-flow tokens and malformed requests; revoke answers Cognito\'s status codes', async () => {
      const poolId = await makePool(t.cognito);
      const { clientId } = await makeClient(t.cognito, poolId, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
      await makeUser(t.cognito, poolId, 'mia');
      const { InitiateAuthCommand } = await import('@aws-sdk/client-cognito-identity-provider');
      const api = (await t.cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'mia', PASSWORD } }))).AuthenticationResult!;
      let res = await fetch(`${t.url}/oauth2/userInfo`, { headers: { authorization: `Bearer ${api.AccessToken}` } });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: 'invalid_token', error_description: 'Access token does not contain openid scope' });
      res = await fetch(`${t.url}/oauth2/userInfo`);
      assert.equal(res.status, 400);
      assert.match(res.headers.get('www-authenticate')!, /invalid_request/);

      const revoke = (body: Record<string, string>) => fetch(`${t.url}/oauth2/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
      res = await revoke({ client_id: clientId });
      assert.equal(res.status, 400);
      res = await revoke({ client_id: clientId, token: api.AccessToken! });
      assert.deepEqual([res.status, ((await res.json()) as any).error], [400, 'unsupported_token_type']);
      res = await revoke({ client_id: 'nosuchclient123', token: api.RefreshToken! });
      assert.equal(res.status, 401);
      res = await revoke({ client_id: clientId, token: 'unknown-token' });
      assert.equal(res.status, 200);
      res = await revoke({ client_id: clientId, token: api.RefreshToken! });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '');
      await expectError(t.cognito.send(new GetUserCommand({ AccessToken: api.AccessToken! })), 'NotAuthorizedException', 'Access Token has been revoked');
      const off = await makeClient(t.cognito, poolId, { EnableTokenRevocation: false });
      res = await revoke({ client_id: off.clientId, token: api.RefreshToken! });
      assert.deepEqual([res.status, ((await res.json()) as any).error], [400, 'invalid_request']);
    });
  });
}
