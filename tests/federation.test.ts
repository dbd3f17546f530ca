/**
 * Federated sign-in through the hosted endpoints, on both stores, against providers running in the
 * test: an OpenID provider built with oidc-provider, another pool of incognito acting as the OpenID
 * provider of a second pool, and a stand-in for Google's endpoints (--federation-endpoints). The
 * whole way: /oauth2/authorize (identity_provider, idp_identifier, the sign-in page's buttons), the
 * provider, /oauth2/idpresponse, the code at /oauth2/token; the user, its identities and group;
 * linked users; triggers; every kind of bad answer refused with no user written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt, exportPKCS8, generateKeyPair, type CryptoKey } from 'jose';
import {
  AdminCreateUserCommand,
  AdminDisableProviderForUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminLinkProviderForUserCommand,
  AdminSetUserPasswordCommand,
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  RespondToAuthChallengeCommand,
  UpdateIdentityProviderCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';
import { SrpClient } from './srp-client.js';
import { FormClient, pageMessage, type PageResult } from './hosted.js';
import { startGoogleStandIn, startOidcProvider } from './idp-fixtures.js';

const APP = 'https://app.example.com/cb';
const PASSWORD = 'Correct-Horse-9';
const HS_SECRET = 'op-secret-hs-0123456789abcdef0123456789abcdef';
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

for (const backend of await backends()) {
  describe(`federation (${backend.name})`, () => {
    let t: TestServer;
    let op: Awaited<ReturnType<typeof startOidcProvider>>;
    let google: Awaited<ReturnType<typeof startGoogleStandIn>>;
    let lambdaDir: string;
    let apple: { publicKey: CryptoKey; privateKey: CryptoKey };
    const send = (c: any): Promise<any> => t.cognito.send(c);

    before(async () => {
      apple = await generateKeyPair('ES256', { extractable: true });
      google = await startGoogleStandIn({ clientId: 'g-client.apps.googleusercontent.com', clientSecret: 'g-secret', apple: { clientId: 'com.example.app', teamId: 'TEAM123456', keyId: 'KEY1234567', publicKey: apple.publicKey } });
      lambdaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-fed-lambda-'));
      t = await startTestServer(backend, { federationEndpoints: `Google=${google.base},Facebook=${google.base},LoginWithAmazon=${google.base},SignInWithApple=${google.base}`, lambdaDir });
      op = await startOidcProvider({
        clientId: 'incognito',
        clientSecret: 'op-secret',
        redirectUri: `${t.url}/oauth2/idpresponse`,
        more: [
          { clientId: 'incognito-es', clientSecret: 'op-secret-es', idTokenAlg: 'ES256' },
          { clientId: 'incognito-hs', clientSecret: HS_SECRET, idTokenAlg: 'HS256' },
        ],
      });
    });
    after(async () => {
      await op.close();
      await google.close();
      await t.close();
      fs.rmSync(lambdaDir, { recursive: true, force: true });
    });

    /** A pool with the OIDC provider `Corp` (email and given_name mapped) and an app client that supports it (and COGNITO). */
    async function federatedPool(opts: { providers?: string[]; pool?: Record<string, unknown>; details?: Record<string, string>; mapping?: Record<string, string> } = {}) {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'federated', ...opts.pool }))).UserPool.Id as string;
      await send(
        new CreateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Corp',
          ProviderType: 'OIDC',
          ProviderDetails: { client_id: 'incognito', client_secret: 'op-secret', authorize_scopes: 'openid email profile', attributes_request_method: 'GET', oidc_issuer: op.issuer, ...opts.details },
          AttributeMapping: { email: 'email', given_name: 'given_name', ...opts.mapping },
          IdpIdentifiers: ['corp.example'],
        }),
      );
      const client = (
        await send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: 'app',
            GenerateSecret: true,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid', 'email', 'profile'],
            CallbackURLs: [APP],
            SupportedIdentityProviders: opts.providers ?? ['COGNITO', 'Corp'],
          }),
        )
      ).UserPoolClient;
      return { poolId, clientId: client.ClientId as string, clientSecret: client.ClientSecret as string };
    }

    const authorizeUrl = (clientId: string, extra: Record<string, string> = {}) =>
      `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid email profile', state: 'app-state', ...extra })}`;

    /** Follows redirects across this server and the providers until the app's callback (or a page). */
    async function run(fc: FormClient, start: string, trail: string[] = []): Promise<{ final: PageResult; callback?: URL }> {
      let r = await fc.get(start);
      trail.push(start);
      while ((r.status === 302 || r.status === 303) && r.location) {
        const next = new URL(r.location, trail[trail.length - 1]!.startsWith('http') ? trail[trail.length - 1] : t.url);
        if (next.href.startsWith(APP)) return { final: r, callback: next };
        trail.push(next.href);
        r = await fc.get(next.href);
      }
      return { final: r };
    }

    async function tokensFor(clientId: string, clientSecret: string, code: string) {
      const res = await fetch(`${t.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: APP, client_id: clientId }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as { id_token: string; access_token: string; refresh_token: string };
    }

    const usersOf = async (poolId: string) => ((await send(new ListUsersCommand({ UserPoolId: poolId }))).Users as any[]).map((u) => u.Username as string);
    const attrs = (u: any) => Object.fromEntries((u.UserAttributes as any[]).map((a) => [a.Name, a.Value]));

    it('identity_provider=Corp: to the OpenID provider and back; the user EXTERNAL_PROVIDER with identities, the group, mapped attributes', async () => {
      const { poolId, clientId, clientSecret } = await federatedPool();
      op.accounts.next = 'alice';
      const trail: string[] = [];
      const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp', nonce: 'app-nonce' }), trail);
      assert.ok(trail.some((u) => u.startsWith(op.issuer)), 'went to the provider');
      assert.ok(trail.some((u) => u.startsWith(`${t.url}/oauth2/idpresponse`)), 'came back at idpresponse');
      const toProvider = new URL(trail.find((u) => u.startsWith(`${op.issuer}/auth`))!);
      assert.equal(toProvider.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(toProvider.searchParams.get('nonce') && toProvider.searchParams.get('state'));
      assert.equal(toProvider.searchParams.get('redirect_uri'), `${t.url}/oauth2/idpresponse`);
      assert.ok(callback, 'back at the app');
      assert.equal(callback.searchParams.get('state'), 'app-state');
      const tokens = await tokensFor(clientId, clientSecret, callback.searchParams.get('code')!);
      const id = decodeJwt(tokens.id_token);
      assert.equal(id['cognito:username'], 'Corp_alice');
      assert.equal(id.nonce, 'app-nonce');
      assert.equal(id.email, 'alice@corp.example');
      assert.equal(id.given_name, 'Alice');
      assert.deepEqual(id['cognito:groups'], [`${poolId}_Corp`]);
      const identities = id.identities as any[];
      assert.equal(identities.length, 1);
      assert.deepEqual({ ...identities[0], dateCreated: 'x' }, { userId: 'alice', providerName: 'Corp', providerType: 'OIDC', issuer: null, primary: 'true', dateCreated: 'x' });
      assert.match(identities[0].dateCreated, /^\d{13}$/);
      const access = decodeJwt(tokens.access_token);
      assert.equal(access.username, 'Corp_alice');
      assert.deepEqual(access['cognito:groups'], [`${poolId}_Corp`]);
      const u = await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Corp_alice' }));
      assert.equal(u.UserStatus, 'EXTERNAL_PROVIDER');
      assert.equal(attrs(u).email, 'alice@corp.example');
      const members = (await send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: `${poolId}_Corp` }))).Users.map((x: any) => x.Username);
      assert.deepEqual(members, ['Corp_alice']);

      // Again, with a changed name at the provider: the same user, the mapped attribute written again.
      op.accounts.known.set('alice', { sub: 'alice', email: 'alice@corp.example', given_name: 'Alicia' });
      const again = await run(new FormClient(t.url), authorizeUrl(clientId, { idp_identifier: 'CORP.example' }));
      assert.ok(again.callback?.searchParams.get('code'));
      op.accounts.known.delete('alice');
      assert.deepEqual(await usersOf(poolId), ['Corp_alice']);
      assert.equal(attrs(await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Corp_alice' }))).given_name, 'Alicia');
    });

    it('/login shows a button per provider of the client; the button goes to the provider', async () => {
      const { clientId, clientSecret } = await federatedPool();
      const fc = new FormClient(t.url);
      const login = await fc.get(`/login?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid email', state: 's1' })}`);
      assert.equal(login.status, 200);
      const href = /<a class="idp" role="button" href="([^"]+)">Continue with Corp<\/a>/.exec(login.html)?.[1]?.replace(/&amp;/g, '&');
      assert.ok(href, login.html);
      assert.match(login.html, /name="password"/, 'the password form too (the client supports COGNITO)');
      op.accounts.next = 'bruno';
      const { callback } = await run(fc, href);
      assert.equal(callback?.searchParams.get('state'), 's1');
      const id = decodeJwt((await tokensFor(clientId, clientSecret, callback!.searchParams.get('code')!)).id_token);
      assert.equal(id['cognito:username'], 'Corp_bruno');
    });

    it('a client without COGNITO: the sign-in page has only the buttons, the password form is refused', async () => {
      const { clientId } = await federatedPool({ providers: ['Corp'] });
      const fc = new FormClient(t.url);
      const query = new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid' });
      const login = await fc.get(`/login?${query}`);
      assert.equal(login.status, 200);
      assert.doesNotMatch(login.html, /name="password"/);
      assert.match(login.html, /Continue with Corp/);
      const post = await fc.request(`/login?${query}`, { method: 'POST', body: new URLSearchParams({ username: 'x', password: 'y' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(post.status, 400);
      const cognito = await fc.get(authorizeUrl(clientId, { identity_provider: 'COGNITO' }));
      assert.equal(new URL(cognito.location!).searchParams.get('error'), 'unauthorized_client');
    });

    it('unknown or unsupported providers and identifiers are OAuth errors at the callback', async () => {
      const { clientId } = await federatedPool();
      const fc = new FormClient(t.url);
      for (const extra of [{ identity_provider: 'Nope' }, { idp_identifier: 'nobody.example' }] as Record<string, string>[]) {
        const r = await fc.get(authorizeUrl(clientId, extra));
        assert.equal(r.status, 302);
        const back = new URL(r.location!);
        assert.ok(back.href.startsWith(APP));
        assert.equal(back.searchParams.get('error'), 'invalid_request');
        assert.equal(back.searchParams.get('state'), 'app-state');
      }
    });

    it('a replayed, tampered or foreign-browser answer is refused with a page; no user is written', async () => {
      const { poolId, clientId } = await federatedPool();
      op.accounts.next = 'mallory';
      const fc = new FormClient(t.url);
      const trail: string[] = [];
      const { callback } = await run(fc, authorizeUrl(clientId, { identity_provider: 'Corp' }), trail);
      assert.ok(callback);
      const answer = trail.find((u) => u.startsWith(`${t.url}/oauth2/idpresponse`))!;
      const replay = await fc.get(answer);
      assert.equal(replay.status, 400);
      assert.match(pageMessage(replay.html)!, /expired or was already used/);
      const tampered = new URL(answer);
      tampered.searchParams.set('state', tampered.searchParams.get('state')! + 'x');
      assert.equal((await fc.get(tampered.href)).status, 400);
      assert.equal((await fc.get(`${t.url}/oauth2/idpresponse?code=abc`)).status, 400);
      // Started in one browser, answered in another (no binding cookie): refused.
      op.accounts.next = 'trudy';
      const first = new FormClient(t.url);
      let r = await first.get(authorizeUrl(clientId, { identity_provider: 'Corp' }));
      while (r.location && !r.location.startsWith(`${t.url}/oauth2/idpresponse`)) r = await first.get(new URL(r.location, op.issuer).href);
      const other = await new FormClient(t.url).get(r.location!);
      assert.equal(other.status, 400);
      assert.match(pageMessage(other.html)!, /another browser/);
      assert.deepEqual(await usersOf(poolId), ['Corp_mallory']);
    });

    it('the provider says no (access_denied): an OAuth error at the callback', async () => {
      const { poolId, clientId } = await federatedPool();
      const fc = new FormClient(t.url);
      const r = await fc.get(authorizeUrl(clientId, { identity_provider: 'Corp' }));
      const state = new URL(r.location!).searchParams.get('state')!;
      const back = await fc.get(`/oauth2/idpresponse?${new URLSearchParams({ error: 'access_denied', error_description: 'The user said no', state })}`);
      const cb = new URL(back.location!);
      assert.equal(cb.searchParams.get('error'), 'access_denied');
      assert.equal(cb.searchParams.get('error_description'), 'The user said no');
      assert.equal(cb.searchParams.get('state'), 'app-state');
      assert.deepEqual(await usersOf(poolId), []);
    });

    it('a wrong issuer is refused (the provider configured with another oidc_issuer); no user', async () => {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'wrong-issuer' }))).UserPool.Id as string;
      await send(
        new CreateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Corp',
          ProviderType: 'OIDC',
          ProviderDetails: {
            client_id: 'incognito',
            client_secret: 'op-secret',
            authorize_scopes: 'openid email',
            attributes_request_method: 'GET',
            oidc_issuer: `${op.issuer}/elsewhere`,
            authorize_url: `${op.issuer}/auth`,
            token_url: `${op.issuer}/token`,
            attributes_url: `${op.issuer}/me`,
            jwks_uri: `${op.issuer}/jwks`,
          },
        }),
      );
      const clientId = (
        await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], CallbackURLs: [APP], SupportedIdentityProviders: ['Corp'] }))
      ).UserPoolClient.ClientId;
      op.accounts.next = 'ivan';
      const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp', scope: 'openid' }));
      assert.equal(callback?.searchParams.get('error'), 'invalid_request');
      // The cause is said, not only openid-client's "invalid response encountered": the ID token's iss and the one expected.
      assert.equal(
        callback!.searchParams.get('error_description'),
        `The answer of the identity provider Corp was refused: invalid response encountered: unexpected "iss" (issuer) response parameter value: the answer's iss is "${op.issuer}", expected "${op.issuer}/elsewhere"`,
      );
      assert.deepEqual(await usersOf(poolId), []);
    });

    it('ID tokens signed with ES256 (the provider\'s EC key) or HS256 (the client secret) are verified and accepted, as Cognito takes HMAC-SHA, ECDSA and RSA', async () => {
      for (const [clientId, clientSecret, who] of [
        ['incognito-es', 'op-secret-es', 'esther'],
        ['incognito-hs', HS_SECRET, 'hugo'],
      ] as const) {
        const { poolId, clientId: app, clientSecret: appSecret } = await federatedPool({ details: { client_id: clientId, client_secret: clientSecret } });
        op.accounts.next = who;
        const { callback } = await run(new FormClient(t.url), authorizeUrl(app, { identity_provider: 'Corp' }));
        assert.ok(callback?.searchParams.get('code'), `${clientId}: ${callback?.href}`);
        const id = decodeJwt((await tokensFor(app, appSecret, callback!.searchParams.get('code')!)).id_token);
        assert.equal(id['cognito:username'], `Corp_${who}`);
        assert.equal(id.email, `${who}@corp.example`);
        assert.deepEqual(await usersOf(poolId), [`Corp_${who}`]);
      }
    });

    it('the provider refusing the code exchange (a wrong client_secret): its error is in the description; no user', async () => {
      const { poolId, clientId } = await federatedPool({ details: { client_secret: 'not-the-secret' } });
      op.accounts.next = 'walt';
      const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      assert.equal(callback?.searchParams.get('error'), 'invalid_request');
      assert.match(callback!.searchParams.get('error_description')!, /^The answer of the identity provider Corp was refused: .*invalid_client \(client authentication failed\)/);
      assert.deepEqual(await usersOf(poolId), []);
    });

    it('oidc_issuer must be the discovered issuer exactly (a trailing slash too): CreateIdentityProvider and UpdateIdentityProvider say which', async () => {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'slash' }))).UserPool.Id as string;
      const details = { client_id: 'incognito', client_secret: 'op-secret', authorize_scopes: 'openid email', attributes_request_method: 'GET' };
      await assert.rejects(
        send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Slash', ProviderType: 'OIDC', ProviderDetails: { ...details, oidc_issuer: `${op.issuer}/` } })),
        (e: any) => e.name === 'InvalidParameterException' && e.message.includes(`names the issuer ${op.issuer}: set oidc_issuer to ${op.issuer} exactly`),
      );
      await send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Slash', ProviderType: 'OIDC', ProviderDetails: { ...details, oidc_issuer: op.issuer } }));
      await assert.rejects(
        send(new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Slash', ProviderDetails: { ...details, oidc_issuer: `${op.issuer}/` } })),
        (e: any) => e.name === 'InvalidParameterException' && /set oidc_issuer to/.test(e.message),
      );
    });

    it('two sign-ins started in one browser each finish (one binding cookie per sign-in); a refused one leaves the other going', async () => {
      const { clientId, clientSecret } = await federatedPool();
      op.accounts.next = 'tabby';
      let fc = new FormClient(t.url);
      const toProvider = async (state: string) => (await fc.get(authorizeUrl(clientId, { identity_provider: 'Corp', state }))).location!;
      const a = await toProvider('tab-a');
      const b = await toProvider('tab-b');
      const ra = await run(fc, a);
      assert.equal(ra.callback?.searchParams.get('state'), 'tab-a', ra.callback?.href ?? pageMessage(ra.final.html));
      assert.ok(ra.callback!.searchParams.get('code'));
      const rb = await run(fc, b);
      assert.equal(rb.callback?.searchParams.get('state'), 'tab-b', rb.callback?.href ?? pageMessage(rb.final.html));
      assert.equal(decodeJwt((await tokensFor(clientId, clientSecret, rb.callback!.searchParams.get('code')!)).id_token)['cognito:username'], 'Corp_tabby');
      // Another browser (this one has a hosted session now): C refused (the provider says no), then D, started before it, still finishes.
      fc = new FormClient(t.url);
      const c = await toProvider('tab-c');
      const d = await toProvider('tab-d');
      const refused = await fc.get(`/oauth2/idpresponse?${new URLSearchParams({ error: 'access_denied', state: new URL(c).searchParams.get('state')! })}`);
      assert.equal(refused.status, 302, pageMessage(refused.html));
      assert.equal(new URL(refused.location!).searchParams.get('state'), 'tab-c');
      const rd = await run(fc, d);
      assert.equal(rd.callback?.searchParams.get('state'), 'tab-d', rd.callback?.href ?? pageMessage(rd.final.html));
      assert.ok(rd.callback!.searchParams.get('code'));
    });

    it('a provider user id that makes a username Cognito\'s API cannot name (a space, more than 128 characters) is refused at the callback; no user', async () => {
      const { poolId, clientId } = await federatedPool();
      op.accounts.known.set('Jane Doe', { sub: 'Jane Doe', email: 'jane@corp.example' });
      op.accounts.known.set('x'.repeat(124), { sub: 'x'.repeat(124), email: 'long@corp.example' });
      op.accounts.known.set('x'.repeat(123), { sub: 'x'.repeat(123), email: 'long@corp.example' });
      for (const [who, message] of [
        ['Jane Doe', "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"],
        ['x'.repeat(124), "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 128"],
      ] as const) {
        op.accounts.next = who;
        const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
        assert.equal(callback?.searchParams.get('error'), 'invalid_request');
        assert.equal(callback?.searchParams.get('error_description'), message);
      }
      assert.deepEqual(await usersOf(poolId), []);
      // 128 characters exactly: made, and the admin API reaches it.
      op.accounts.next = 'x'.repeat(123);
      const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      assert.ok(callback?.searchParams.get('code'), callback?.href);
      const u = await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: `Corp_${'x'.repeat(123)}` }));
      assert.equal(u.Username.length, 128);
    });

    it('a multi-valued claim is written as Cognito writes it: [a, b] (no JSON)', async () => {
      const { poolId, clientId, clientSecret } = await federatedPool({ pool: { Schema: [{ Name: 'groups', AttributeDataType: 'String', Mutable: true }] }, mapping: { 'custom:groups': 'groups' } });
      op.accounts.known.set('gwen', { sub: 'gwen', email: 'gwen@corp.example', groups: ['admins', 'dev ops', 'qa'] });
      op.accounts.next = 'gwen';
      try {
        const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
        const id = decodeJwt((await tokensFor(clientId, clientSecret, callback!.searchParams.get('code')!)).id_token);
        assert.equal(id['custom:groups'], '[admins, dev ops, qa]');
      } finally {
        op.accounts.known.delete('gwen');
      }
      assert.equal(attrs(await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Corp_gwen' })))['custom:groups'], '[admins, dev ops, qa]');
    });

    it('a native user linked to the provider user signs in as that user', async () => {
      const { poolId, clientId, clientSecret } = await federatedPool();
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bob', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'bob@example.com' }] }));
      await send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: poolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'bob' },
          SourceUser: { ProviderName: 'Corp', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'bob-at-corp' },
        }),
      );
      op.accounts.next = 'bob-at-corp';
      const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      const id = decodeJwt((await tokensFor(clientId, clientSecret, callback!.searchParams.get('code')!)).id_token);
      assert.equal(id['cognito:username'], 'bob');
      assert.deepEqual((id.identities as any[]).map((x) => x.userId), ['bob-at-corp']);
      assert.deepEqual(await usersOf(poolId), ['bob'], 'no federated user made');
      // The provider's mapped attributes are written over the linked user's own, as at every federated sign-in.
      assert.equal(id.email, 'bob-at-corp@corp.example');
      assert.equal(id.given_name, 'Bob-at-corp');
      const bob = await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob' }));
      const attr = (n: string) => bob.UserAttributes.find((a: { Name: string }) => a.Name === n)?.Value;
      assert.equal(attr('email'), 'bob-at-corp@corp.example');
      assert.equal(attr('given_name'), 'Bob-at-corp');
    });

    it('AdminDisableProviderForUser with ProviderName Cognito: the password no longer signs the native user in (API, SRP, hosted page); its linked provider still does', async () => {
      const { poolId, clientId, clientSecret } = await federatedPool();
      const api = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'api', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient.ClientId as string;
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'gina', MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'gina', Password: PASSWORD, Permanent: true }));
      await send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: poolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'gina' },
          SourceUser: { ProviderName: 'Corp', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'gina-at-corp' },
        }),
      );
      const byPassword = (password = PASSWORD) => send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: api, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'gina', PASSWORD: password } }));
      assert.ok((await byPassword()).AuthenticationResult?.IdToken, 'signs in with the password before');
      const disable = (User: Record<string, string>) => send(new AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: User as any }));
      await expectError(disable({ ProviderName: 'Cognito', ProviderAttributeName: 'email', ProviderAttributeValue: 'gina' }), 'InvalidParameterException', /Cognito_Subject/);
      await expectError(disable({ ProviderName: 'Cognito', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'nobody' }), 'UserNotFoundException');
      await disable({ ProviderName: 'Cognito', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'gina' });
      await disable({ ProviderName: 'Cognito', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'gina' }); // again: no change
      const gina = await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'gina' }));
      assert.equal(gina.Enabled, true, 'the user is not disabled, only its password sign-in');
      assert.deepEqual(JSON.parse(attrs(gina).identities).map((x: any) => x.userId), ['gina-at-corp'], 'its links stay');
      await expectError(byPassword(), 'NotAuthorizedException', /Password sign-in is disabled/);
      await expectError(byPassword('Wrong-Horse-9'), 'NotAuthorizedException', 'Incorrect username or password.');
      await expectError(send(new InitiateAuthCommand({ ClientId: api, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'gina', PASSWORD } })), 'NotAuthorizedException', /Password sign-in is disabled/);
      const srp = new SrpClient(poolId);
      const challenge = await send(new InitiateAuthCommand({ ClientId: api, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'gina', SRP_A: srp.A } }));
      await expectError(
        send(new RespondToAuthChallengeCommand({ ClientId: api, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: srp.respond(challenge.ChallengeParameters, PASSWORD) })),
        'NotAuthorizedException',
        /Password sign-in is disabled/,
      );
      // The hosted page's password form: refused with the reason, no code.
      const fc = new FormClient(t.url);
      const login = await fc.get(`/login?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid', state: 's' })}`);
      const refused = await fc.submit(login, { username: 'gina', password: PASSWORD });
      assert.equal(refused.status, 400, refused.location ?? '');
      assert.match(pageMessage(refused.html) ?? '', /Password sign-in is disabled/);
      // The linked provider signs the same user in.
      op.accounts.next = 'gina-at-corp';
      const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      assert.equal(decodeJwt((await tokensFor(clientId, clientSecret, callback!.searchParams.get('code')!)).id_token)['cognito:username'], 'gina');
      // A federated user is named by its own provider, not as Cognito's.
      op.accounts.next = 'hal';
      await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      await expectError(disable({ ProviderName: 'Cognito', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'Corp_hal' }), 'InvalidParameterException', /name its provider/);
    });

    it('a link by a mapped attribute (email) signs in as the pool user; AdminDisableProviderForUser ends links and federated users', async () => {
      const { poolId, clientId, clientSecret } = await federatedPool();
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'erin', MessageAction: 'SUPPRESS' }));
      await send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: poolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'erin' },
          SourceUser: { ProviderName: 'Corp', ProviderAttributeName: 'email', ProviderAttributeValue: 'erin.w@corp.example' },
        }),
      );
      // A link by attribute not used yet is named by that attribute and value.
      const other = { ProviderName: 'Corp', ProviderAttributeName: 'email', ProviderAttributeValue: 'erin.other@corp.example' };
      await send(new AdminLinkProviderForUserCommand({ UserPoolId: poolId, DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'erin' }, SourceUser: other }));
      await send(new AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: other }));
      assert.deepEqual(JSON.parse(attrs(await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'erin' }))).identities).map((x: any) => x.userId), ['erin.w@corp.example']);
      op.accounts.next = 'erin.w';
      let r = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      const erinToken = decodeJwt((await tokensFor(clientId, clientSecret, r.callback!.searchParams.get('code')!)).id_token);
      assert.equal(erinToken['cognito:username'], 'erin');
      // Once it has signed in, the linked identity is the provider's subject (the API reference of
      // AdminDisableProviderForUser: then Cognito_Subject and the subject name it, not the linked attribute).
      assert.deepEqual((erinToken.identities as any[]).map((x) => [x.providerName, x.userId]), [['Corp', 'erin.w']]);
      await send(new AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: { ProviderName: 'Corp', ProviderAttributeName: 'email', ProviderAttributeValue: 'erin.w@corp.example' } }));
      r = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      assert.equal(decodeJwt((await tokensFor(clientId, clientSecret, r.callback!.searchParams.get('code')!)).id_token)['cognito:username'], 'erin', 'the attribute no longer names the link');
      // Unlinked: the provider user is a federated user of its own from then on.
      await send(new AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: { ProviderName: 'Corp', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'erin.w' } }));
      assert.equal(attrs(await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'erin' }))).identities, undefined);
      r = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      assert.equal(decodeJwt((await tokensFor(clientId, clientSecret, r.callback!.searchParams.get('code')!)).id_token)['cognito:username'], 'Corp_erin.w');
      // Disabled: that federated user can no longer sign in.
      await send(new AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: { ProviderName: 'Corp', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'erin.w' } }));
      r = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      assert.equal(r.callback?.searchParams.get('error'), 'invalid_request');
      assert.equal(r.callback?.searchParams.get('error_description'), 'User is disabled.');
    });

    it('required attributes the provider does not give: an error at the callback, no user', async () => {
      const { poolId, clientId } = await federatedPool({ pool: { Schema: [{ Name: 'phone_number', AttributeDataType: 'String', Required: true, Mutable: true }] } });
      op.accounts.next = 'nophone';
      const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      assert.equal(callback?.searchParams.get('error'), 'invalid_request');
      assert.match(callback!.searchParams.get('error_description')!, /phone_number/);
      assert.deepEqual(await usersOf(poolId), []);
    });

    it('triggers: PreSignUp_ExternalProvider (may refuse), PostConfirmation_ConfirmSignUp on the first sign-in, TokenGeneration_HostedAuth', async () => {
      const log = path.join(lambdaDir, 'events.log');
      const fn = (name: string, body: string) =>
        fs.writeFileSync(
          path.join(lambdaDir, `${name}.mjs`),
          `import fs from 'node:fs';\nexport const handler = async (event) => { fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ fn: ${JSON.stringify(name)}, event }) + '\\n'); ${body} return event; };\n`,
        );
      fn('fedPreSignUp', `if (event.request.userAttributes.email.startsWith('blocked')) throw new Error('Not this one'); event.response.autoVerifyEmail = true;`);
      fn('fedPostConfirm', '');
      fn('fedPreToken', '');
      const { poolId, clientId, clientSecret } = await federatedPool();
      await send(new UpdateUserPoolCommand({ UserPoolId: poolId, LambdaConfig: { PreSignUp: arn('fedPreSignUp'), PostConfirmation: arn('fedPostConfirm'), PreTokenGeneration: arn('fedPreToken') } }));
      const events = () =>
        fs.existsSync(log)
          ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.event.userPoolId === poolId)
          : [];
      op.accounts.next = 'blocked';
      const refused = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      assert.equal(refused.callback?.searchParams.get('error'), 'invalid_request');
      assert.match(refused.callback!.searchParams.get('error_description')!, /Not this one/);
      assert.deepEqual(await usersOf(poolId), []);
      op.accounts.next = 'carla';
      const ok = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Corp' }));
      await tokensFor(clientId, clientSecret, ok.callback!.searchParams.get('code')!);
      const seen = events().map((r) => `${r.fn}:${r.event.triggerSource}:${r.event.userName}`);
      assert.deepEqual(seen, [
        'fedPreSignUp:PreSignUp_ExternalProvider:Corp_blocked',
        'fedPreSignUp:PreSignUp_ExternalProvider:Corp_carla',
        'fedPostConfirm:PostConfirmation_ConfirmSignUp:Corp_carla',
        'fedPreToken:TokenGeneration_HostedAuth:Corp_carla',
      ]);
      const pre = events().find((r) => r.event.userName === 'Corp_carla')!.event;
      assert.equal(pre.request.userAttributes.email, 'carla@corp.example');
      assert.equal(pre.callerContext.clientId, clientId);
      assert.equal(attrs(await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Corp_carla' }))).email_verified, 'true', 'autoVerifyEmail');
    });

    it('another pool of incognito as the OpenID provider of a second pool', async () => {
      // Pool A: the provider, with a user who signs in on A's own hosted page.
      const a = (await send(new CreateUserPoolCommand({ PoolName: 'provider-pool' }))).UserPool.Id as string;
      const aClient = (
        await send(
          new CreateUserPoolClientCommand({
            UserPoolId: a,
            ClientName: 'pool-b',
            GenerateSecret: true,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid', 'email', 'profile'],
            CallbackURLs: [`${t.url}/oauth2/idpresponse`],
            SupportedIdentityProviders: ['COGNITO'],
          }),
        )
      ).UserPoolClient;
      await send(new AdminCreateUserCommand({ UserPoolId: a, Username: 'dora', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'dora@a.example' }, { Name: 'email_verified', Value: 'true' }] }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: a, Username: 'dora', Password: PASSWORD, Permanent: true }));
      const doraSub = attrs(await send(new AdminGetUserCommand({ UserPoolId: a, Username: 'dora' }))).sub;
      // Pool B federates to A (discovery from A's issuer).
      const b = (await send(new CreateUserPoolCommand({ PoolName: 'relying-pool' }))).UserPool.Id as string;
      await send(
        new CreateIdentityProviderCommand({
          UserPoolId: b,
          ProviderName: 'PoolA',
          ProviderType: 'OIDC',
          ProviderDetails: { client_id: aClient.ClientId, client_secret: aClient.ClientSecret, authorize_scopes: 'openid email', attributes_request_method: 'GET', oidc_issuer: `${t.url}/${a}` },
          AttributeMapping: { email: 'email' },
        }),
      );
      const bClient = (
        await send(
          new CreateUserPoolClientCommand({ UserPoolId: b, ClientName: 'app', GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'], CallbackURLs: [APP], SupportedIdentityProviders: ['PoolA'] }),
        )
      ).UserPoolClient;
      const fc = new FormClient(t.url);
      const { final } = await run(fc, authorizeUrl(bClient.ClientId, { identity_provider: 'PoolA', scope: 'openid email' }));
      assert.equal(final.status, 200, 'A asks for the password');
      const signedIn = await fc.submit(final, { username: 'dora', password: PASSWORD });
      assert.equal(signedIn.status, 302);
      const trail = [signedIn.location!];
      let r = await fc.get(signedIn.location!);
      while (r.status === 302 && r.location && !r.location.startsWith(APP)) {
        trail.push(r.location);
        r = await fc.get(r.location);
      }
      assert.ok(r.location?.startsWith(APP), `back at B's app: ${r.location} ${r.html}`);
      const code = new URL(r.location!).searchParams.get('code')!;
      const id = decodeJwt((await tokensFor(bClient.ClientId, bClient.ClientSecret, code)).id_token);
      assert.equal(id['cognito:username'], `PoolA_${doraSub}`);
      assert.equal(id.email, 'dora@a.example');
      assert.equal(id.iss, `${t.url}/${b}`);
    });

    describe('Google (a stand-in on --federation-endpoints)', () => {
      async function googlePool() {
        const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'google' }))).UserPool.Id as string;
        const p = await send(
          new CreateIdentityProviderCommand({
            UserPoolId: poolId,
            ProviderName: 'Google',
            ProviderType: 'Google',
            ProviderDetails: { client_id: 'g-client.apps.googleusercontent.com', client_secret: 'g-secret', authorize_scopes: 'profile email' },
            AttributeMapping: { email: 'email', given_name: 'given_name', username: 'sub' },
          }),
        );
        // Describe shows Google's real endpoints; the sign-in uses the stand-in.
        assert.equal(p.IdentityProvider.ProviderDetails.authorize_url, 'https://accounts.google.com/o/oauth2/v2/auth');
        const c = (
          await send(
            new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'], CallbackURLs: [APP], SupportedIdentityProviders: ['Google', 'COGNITO'] }),
          )
        ).UserPoolClient;
        return { poolId, clientId: c.ClientId as string, clientSecret: c.ClientSecret as string };
      }

      it('signs in Google_<sub> through the same code', async () => {
        const { poolId, clientId, clientSecret } = await googlePool();
        google.state.mode = 'ok';
        const trail: string[] = [];
        const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Google', scope: 'openid email' }), trail);
        const toGoogle = new URL(trail.find((u) => u.startsWith(`${google.base}/o/oauth2/v2/auth`))!);
        assert.equal(toGoogle.searchParams.get('scope'), 'openid profile email', 'openid added for the ID token');
        assert.equal(toGoogle.searchParams.get('code_challenge_method'), 'S256');
        const id = decodeJwt((await tokensFor(clientId, clientSecret, callback!.searchParams.get('code')!)).id_token);
        assert.equal(id['cognito:username'], 'Google_1234567890');
        assert.equal(id.email, 'gina@gmail.example');
        assert.deepEqual(id['cognito:groups'], [`${poolId}_Google`]);
        assert.equal((id.identities as any[])[0].providerType, 'Google');
      });

      it('Facebook and Login with Amazon (no ID token): the attributes URL read with the access token', async () => {
        for (const type of ['Facebook', 'LoginWithAmazon'] as const) {
          const poolId = (await send(new CreateUserPoolCommand({ PoolName: type }))).UserPool.Id as string;
          await send(
            new CreateIdentityProviderCommand({
              UserPoolId: poolId,
              ProviderName: type,
              ProviderType: type,
              ProviderDetails: { client_id: 'g-client.apps.googleusercontent.com', client_secret: 'g-secret', authorize_scopes: type === 'Facebook' ? 'public_profile,email' : 'profile' },
              AttributeMapping: type === 'Facebook' ? { email: 'email', given_name: 'first_name' } : { email: 'email', name: 'name' },
            }),
          );
          const c = (
            await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email', 'profile'], CallbackURLs: [APP], SupportedIdentityProviders: [type] }))
          ).UserPoolClient;
          const { callback } = await run(new FormClient(t.url), authorizeUrl(c.ClientId, { identity_provider: type }));
          assert.ok(callback?.searchParams.get('code'), `${type}: ${callback?.href}`);
          const id = decodeJwt((await tokensFor(c.ClientId, c.ClientSecret, callback!.searchParams.get('code')!)).id_token);
          assert.equal(id['cognito:username'], type === 'Facebook' ? 'Facebook_1234567890' : 'LoginWithAmazon_amzn1.account.1234567890');
          assert.equal(id.email, 'gina@gmail.example');
          assert.equal((id.identities as any[])[0].providerType, type);
        }
        assert.ok(google.state.attributeRequests.some((r) => r.startsWith('/v17.0/me?fields=id,email,first_name')), JSON.stringify(google.state.attributeRequests));
      });

      it('Sign in with Apple: client secret JWT signed with the team key, form_post answer sent on by GET with the binding cookie', async () => {
        const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'apple' }))).UserPool.Id as string;
        await send(
          new CreateIdentityProviderCommand({
            UserPoolId: poolId,
            ProviderName: 'SignInWithApple',
            ProviderType: 'SignInWithApple',
            ProviderDetails: { client_id: 'com.example.app', team_id: 'TEAM123456', key_id: 'KEY1234567', private_key: await exportPKCS8(apple.privateKey), authorize_scopes: 'email name' },
            AttributeMapping: { email: 'email' },
          }),
        );
        const c = (
          await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'], CallbackURLs: [APP], SupportedIdentityProviders: ['SignInWithApple'] }))
        ).UserPoolClient;
        const fc = new FormClient(t.url);
        const start = await fc.get(authorizeUrl(c.ClientId, { identity_provider: 'SignInWithApple', scope: 'openid email' }));
        const atApple = await fc.get(start.location!);
        assert.equal(google.state.appleModes.at(-1), 'form_post');
        const form = /<form method="post" action="([^"]+)">([\s\S]*)<\/form>/.exec(atApple.html)!;
        const body = new URLSearchParams([...form[2]!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&quot;/g, '"')] as [string, string]));
        // The cross-site POST comes without the SameSite=Lax cookie: a page sends the browser on by GET.
        const posted = await fetch(form[1]!, { method: 'POST', body, redirect: 'manual' });
        assert.equal(posted.status, 200);
        const refresh = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(await posted.text())![1]!.replace(/&amp;/g, '&');
        let r = await fc.get(refresh);
        assert.ok(r.location?.startsWith(APP), `${r.status} ${r.html}`);
        const id = decodeJwt((await tokensFor(c.ClientId, c.ClientSecret, new URL(r.location!).searchParams.get('code')!)).id_token);
        assert.equal(id['cognito:username'], 'SignInWithApple_001234.apple.5678');
        assert.equal(id.email, 'ann@privaterelay.example');
        // The same answer again: used.
        r = await fc.get(refresh);
        assert.equal(r.status, 400);
      });

      it('an ID token signed with HS256 is verified with the client secret: accepted with it, refused with another; no user then', async () => {
        const { poolId, clientId } = await googlePool();
        google.state.mode = 'hs256';
        try {
          const ok = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Google', scope: 'openid email' }));
          assert.ok(ok.callback?.searchParams.get('code'), ok.callback?.href);
          assert.deepEqual(await usersOf(poolId), ['Google_1234567890']);
          const other = await googlePool();
          google.state.mode = 'hs256-other-secret';
          const { callback } = await run(new FormClient(t.url), authorizeUrl(other.clientId, { identity_provider: 'Google', scope: 'openid email' }));
          assert.equal(callback?.searchParams.get('error'), 'invalid_request');
          assert.equal(callback?.searchParams.get('error_description'), 'The answer of the identity provider Google was refused: signature verification failed');
          assert.deepEqual(await usersOf(other.poolId), []);
        } finally {
          google.state.mode = 'ok';
        }
      });

      for (const mode of ['wrong-audience', 'wrong-issuer', 'expired', 'bad-signature', 'wrong-nonce'] as const) {
        it(`an ID token with ${mode} is refused; no user`, async () => {
          const { poolId, clientId } = await googlePool();
          google.state.mode = mode;
          try {
            const { callback } = await run(new FormClient(t.url), authorizeUrl(clientId, { identity_provider: 'Google', scope: 'openid email' }));
            assert.equal(callback?.searchParams.get('error'), 'invalid_request');
            assert.match(callback!.searchParams.get('error_description')!, /refused/);
          } finally {
            google.state.mode = 'ok';
          }
          assert.deepEqual(await usersOf(poolId), []);
        });
      }
    });
  });
}
