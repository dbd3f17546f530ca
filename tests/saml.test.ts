/**
 * SAML 2.0 federation through the hosted endpoints, on both stores, against a SAML identity provider
 * built in the test (tests/saml-idp.ts: xml-crypto signatures, xml-encryption). SP-initiated
 * (/oauth2/authorize with identity_provider: the AuthnRequest by HTTP-Redirect, signed with the
 * pool's key when RequestSigningAlgorithm is rsa-sha256; the Response POSTed to /saml2/idpresponse),
 * IdP-initiated (only with IDPInit), encrypted assertions (EncryptedResponses), the SP metadata, and
 * every kind of bad response refused with no user written. The server's clock is injected.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import {
  AdminGetUserCommand,
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetSigningCertificateCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  UpdateIdentityProviderCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, TestClock, type TestServer } from './harness.js';
import { generate } from 'selfsigned';
import { DOMParser } from '@xmldom/xmldom';
import { FormClient, pageMessage, type PageResult } from './hosted.js';
import { makeSamlIdp, pemOf, startSamlIdp, type ResponseOptions } from './saml-idp.js';
import { durationMs, keepUntil } from '../src/domain/saml-metadata.js';

const APP = 'https://app.example.com/cb';
const BYE = 'https://app.example.com/bye';

for (const backend of await backends()) {
  describe(`SAML federation (${backend.name})`, () => {
    let t: TestServer;
    let idp: Awaited<ReturnType<typeof makeSamlIdp>>;
    const clock = new TestClock();
    const send = (c: any): Promise<any> => t.cognito.send(c);
    let acs: string;

    before(async () => {
      idp = await makeSamlIdp();
      t = await startTestServer(backend, {}, { clock: clock.now });
      acs = `${t.url}/saml2/idpresponse`;
    });
    after(async () => {
      await t.close();
    });

    /** A pool with the SAML provider `Okta` (email and name mapped from attributes) and an app client that supports it. */
    async function samlPool(details: Record<string, string> = {}, opts: { pool?: Record<string, unknown>; mapping?: Record<string, string> } = {}) {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'saml', ...opts.pool }))).UserPool.Id as string;
      await send(
        new CreateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Okta',
          ProviderType: 'SAML',
          ProviderDetails: { MetadataFile: idp.metadata, ...details },
          AttributeMapping: { email: 'email', name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', ...opts.mapping },
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
            // A client of an IdP-initiated SAML provider supports SAML providers only (Cognito's rule).
            SupportedIdentityProviders: details.IDPInit === 'true' ? ['Okta'] : ['COGNITO', 'Okta'],
          }),
        )
      ).UserPoolClient;
      const spCert = pemOf((await send(new GetSigningCertificateCommand({ UserPoolId: poolId }))).Certificate);
      return { poolId, clientId: client.ClientId as string, clientSecret: client.ClientSecret as string, spCert };
    }

    const authorizeUrl = (clientId: string, extra: Record<string, string> = {}) =>
      `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid email profile', state: 'app-state', identity_provider: 'Okta', ...extra })}`;

    /** SP-initiated: /oauth2/authorize to the IdP's SSO URL; the AuthnRequest it carries. */
    async function start(fc: FormClient, clientId: string, spCert?: string) {
      const r = await fc.get(authorizeUrl(clientId));
      assert.equal(r.status, 302, r.html);
      assert.ok(r.location?.startsWith(idp.sso + '?'), `to the IdP's SSO URL, not ${r.location}`);
      return idp.read(r.location!, spCert);
    }

    const post = (fc: FormClient, fields: Record<string, string>) =>
      fc.request('/saml2/idpresponse', { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

    /** The app's callback a response led to (following this server's redirects), or the page it ended on. */
    async function landed(fc: FormClient, r: PageResult): Promise<{ callback?: URL; page: PageResult }> {
      r = await fc.follow(r);
      if (r.status === 302 && r.location?.startsWith(APP)) return { callback: new URL(r.location), page: r };
      return { page: r };
    }

    async function tokensFor(clientId: string, clientSecret: string, code: string) {
      const res = await fetch(`${t.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: APP, client_id: clientId }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as { id_token: string; access_token: string };
    }

    const usersOf = async (poolId: string) => ((await send(new ListUsersCommand({ UserPoolId: poolId }))).Users as any[]).map((u) => u.Username as string);
    const attrs = (u: any) => Object.fromEntries((u.UserAttributes as any[]).map((a) => [a.Name, a.Value]));
    const base = (poolId: string, extra: Partial<ResponseOptions> = {}): ResponseOptions => ({
      acs,
      audience: `urn:amazon:cognito:sp:${poolId}`,
      nameId: 'alice@corp.example',
      attributes: { email: 'alice@corp.example', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': 'Alice Liddell' },
      now: clock.now(),
      ...extra,
    });

    /** Refused: an OAuth error at the app's callback (or an error page), and no user in the pool. */
    async function assertRefused(poolId: string, fc: FormClient, r: PageResult, why: RegExp) {
      const { callback, page } = await landed(fc, r);
      if (callback) {
        assert.equal(callback.searchParams.get('error'), 'invalid_request');
        assert.equal(callback.searchParams.get('code'), null);
        assert.match(callback.searchParams.get('error_description') ?? '', why);
      } else {
        assert.equal(page.status, 400, page.html);
        assert.match(pageMessage(page.html) ?? page.html, why);
      }
      assert.deepEqual(await usersOf(poolId), []);
    }

    it('SP-initiated: a signed AuthnRequest to the SSO URL, the signed assertion back; the user EXTERNAL_PROVIDER with identities, group and mapped attributes', async () => {
      const { poolId, clientId, clientSecret, spCert } = await samlPool({ RequestSigningAlgorithm: 'rsa-sha256' });
      const fc = new FormClient(t.url);
      const req = await start(fc, clientId, spCert);
      assert.equal(req.signature, 'valid', 'the AuthnRequest is signed with the key of GetSigningCertificate');
      assert.equal(req.sigAlg, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      assert.equal(req.issuer, `urn:amazon:cognito:sp:${poolId}`);
      assert.equal(req.acs, acs);
      assert.ok(req.id && req.relayState);
      const { SAMLResponse } = await idp.response(base(poolId, { inResponseTo: req.id }));
      const { callback, page } = await landed(fc, await post(fc, { SAMLResponse, RelayState: req.relayState }));
      assert.ok(callback, `back at the app, not: ${page.status} ${pageMessage(page.html) ?? page.location}`);
      assert.equal(callback.searchParams.get('state'), 'app-state');
      const id = decodeJwt((await tokensFor(clientId, clientSecret, callback.searchParams.get('code')!)).id_token);
      assert.equal(id['cognito:username'], 'Okta_alice@corp.example');
      assert.equal(id.email, 'alice@corp.example');
      assert.equal(id.name, 'Alice Liddell');
      assert.deepEqual(id['cognito:groups'], [`${poolId}_Okta`]);
      const identities = id.identities as any[];
      assert.deepEqual({ ...identities[0], dateCreated: 'x' }, { userId: 'alice@corp.example', providerName: 'Okta', providerType: 'SAML', issuer: null, primary: 'true', dateCreated: 'x' });
      const user = await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Okta_alice@corp.example' }));
      assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');
      const members = (await send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: `${poolId}_Okta` }))).Users as any[];
      assert.deepEqual(members.map((u) => u.Username), ['Okta_alice@corp.example']);

      // Again, the Response signed this time (not the assertion), a new name: the same user, its mapped attribute written again.
      // (A new browser: this one has a hosted session now, and /oauth2/authorize would answer at once.)
      const fc2 = new FormClient(t.url);
      const again = await start(fc2, clientId, spCert);
      const r2 = await idp.response(base(poolId, { inResponseTo: again.id, sign: 'response', attributes: { email: 'alice@corp.example', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': 'Alice L.' } }));
      const second = await landed(fc2, await post(fc2, { SAMLResponse: r2.SAMLResponse, RelayState: again.relayState }));
      assert.ok(second.callback?.searchParams.get('code'), pageMessage(second.page.html));
      assert.deepEqual(await usersOf(poolId), ['Okta_alice@corp.example']);
      assert.equal(attrs(await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Okta_alice@corp.example' }))).name, 'Alice L.');
    });

    it('an unsigned AuthnRequest without RequestSigningAlgorithm; the cross-site POST (no cookie) continues by GET in the browser that started it', async () => {
      const { poolId, clientId } = await samlPool();
      const fc = new FormClient(t.url);
      const req = await start(fc, clientId);
      assert.equal(req.signature, 'none');
      const { SAMLResponse } = await idp.response(base(poolId, { inResponseTo: req.id, nameId: 'bob' }));
      // The IdP's page POSTs from its own site: SameSite=Lax cookies are not sent.
      const bare = new FormClient(t.url);
      const r = await post(bare, { SAMLResponse, RelayState: req.relayState });
      assert.equal(r.status, 200);
      const next = /url=([^"]+)"/.exec(r.html)?.[1]?.replace(/&amp;/g, '&');
      assert.ok(next?.startsWith('/saml2/idpresponse?continue='), r.html);
      // Another browser cannot take it up; the one that started the sign-in can (once).
      const elsewhere = await bare.get(next!);
      assert.equal(elsewhere.status, 400);
      assert.deepEqual(await usersOf(poolId), []);
      const r2 = await post(bare, { SAMLResponse, RelayState: req.relayState });
      assert.ok(r2.status === 302 || r2.status === 400, 'a replay of the same POST is refused');
      const req2 = await start(fc, clientId);
      const resp2 = await idp.response(base(poolId, { inResponseTo: req2.id, nameId: 'bob' }));
      const r3 = await post(new FormClient(t.url), { SAMLResponse: resp2.SAMLResponse, RelayState: req2.relayState });
      const cont = /url=([^"]+)"/.exec(r3.html)![1]!.replace(/&amp;/g, '&');
      const { callback } = await landed(fc, await fc.get(cont));
      assert.ok(callback?.searchParams.get('code'));
      assert.deepEqual(await usersOf(poolId), ['Okta_bob']);
      assert.equal((await fc.get(cont)).status, 400, 'the continuation is single use');
    });

    it('refused, no user written: tampered, unsigned, expired, not yet valid, wrong audience, wrong destination, wrong InResponseTo, wrong RelayState, another IdP', async () => {
      const { poolId, clientId } = await samlPool();
      const cases: [string, (id: string) => Promise<string>, RegExp][] = [
        ['tampered', async (id) => {
          const { xml } = await idp.response(base(poolId, { inResponseTo: id }));
          return Buffer.from(xml.replace('Alice Liddell', 'Mallory')).toString('base64');
        }, /signature/i],
        ['unsigned', async (id) => (await idp.response(base(poolId, { inResponseTo: id, sign: 'none' }))).SAMLResponse, /signature/i],
        ['expired', async (id) => (await idp.response(base(poolId, { inResponseTo: id, now: clock.now() - 10 * 60_000 }))).SAMLResponse, /expired/],
        ['not yet valid', async (id) => (await idp.response(base(poolId, { inResponseTo: id, now: clock.now() + 10 * 60_000 }))).SAMLResponse, /not valid yet/],
        ['wrong audience', async (id) => (await idp.response(base(poolId, { inResponseTo: id, audience: 'urn:amazon:cognito:sp:us-east-1_other' }))).SAMLResponse, /audience/i],
        ['wrong destination', async (id) => (await idp.response(base(poolId, { inResponseTo: id, destination: 'https://elsewhere.example/saml2/idpresponse' }))).SAMLResponse, /Destination/],
        ['wrong recipient', async (id) => (await idp.response(base(poolId, { inResponseTo: id, acs: 'https://elsewhere.example/saml2/idpresponse', destination: acs }))).SAMLResponse, /Recipient/],
        ['wrong InResponseTo', async () => (await idp.response(base(poolId, { inResponseTo: '_not-our-request' }))).SAMLResponse, /InResponseTo/],
        ['unsolicited (IDPInit false)', async () => (await idp.response(base(poolId))).SAMLResponse, /InResponseTo/],
      ];
      for (const [name, make, why] of cases) {
        const fc = new FormClient(t.url);
        const req = await start(fc, clientId);
        await assertRefused(poolId, fc, await post(fc, { SAMLResponse: await make(req.id), RelayState: req.relayState }), why).catch((e) => {
          throw new Error(`${name}: ${e.message}`);
        });
      }
      // Another IdP's key (same entity id, metadata not trusting it).
      const other = await makeSamlIdp();
      const fc = new FormClient(t.url);
      const req = await start(fc, clientId);
      await assertRefused(poolId, fc, await post(fc, { SAMLResponse: (await other.response(base(poolId, { inResponseTo: req.id }))).SAMLResponse, RelayState: req.relayState }), /signature/i);
      // A RelayState that names no sign-in, and none.
      const good = await idp.response(base(poolId, { inResponseTo: req.id }));
      const stale = await post(fc, { SAMLResponse: good.SAMLResponse, RelayState: 'made-up' });
      assert.equal(stale.status, 400);
      const none = await post(fc, { SAMLResponse: good.SAMLResponse });
      assert.equal(none.status, 400);
      assert.match(pageMessage(none.html) ?? '', /RelayState/);
      // The clock moved on past the assertion's window between the request and the POST.
      const late = new FormClient(t.url);
      const lateReq = await start(late, clientId);
      const lateResp = await idp.response(base(poolId, { inResponseTo: lateReq.id }));
      clock.advance(6 * 60_000);
      await assertRefused(poolId, late, await post(late, { SAMLResponse: lateResp.SAMLResponse, RelayState: lateReq.relayState }), /expired/);
    });

    it('IdP-initiated: accepted only when IDPInit is true, RelayState the authorize parameters; a replayed assertion refused', async () => {
      const closed = await samlPool();
      const relay = (clientId: string) => new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid email', identity_provider: 'Okta' }).toString();
      const fc = new FormClient(t.url);
      const unsolicited = await idp.response(base(closed.poolId));
      await assertRefused(closed.poolId, fc, await post(fc, { SAMLResponse: unsolicited.SAMLResponse, RelayState: relay(closed.clientId) }), /IDPInit/);

      // With IDPInit, a client of the provider may not also support COGNITO or a non-SAML provider (Cognito's guide).
      await expectError(
        send(new CreateUserPoolClientCommand({ UserPoolId: closed.poolId, ClientName: 'mixed', SupportedIdentityProviders: ['COGNITO', 'Okta'] })).then(() =>
          send(new UpdateIdentityProviderCommand({ UserPoolId: closed.poolId, ProviderName: 'Okta', ProviderDetails: { MetadataFile: idp.metadata, IDPInit: 'true' } })),
        ),
        'InvalidParameterException',
        /IDPInit.*COGNITO/,
      );
      const open = await samlPool({ IDPInit: 'true' });
      await expectError(send(new CreateUserPoolClientCommand({ UserPoolId: open.poolId, ClientName: 'mixed', SupportedIdentityProviders: ['Okta', 'COGNITO'] })), 'InvalidParameterException', /only SAML providers, not COGNITO/);
      await expectError(
        send(new UpdateUserPoolClientCommand({ UserPoolId: open.poolId, ClientId: open.clientId, SupportedIdentityProviders: ['COGNITO', 'Okta'] })),
        'InvalidParameterException',
        /IDPInit/,
      );
      const resp = await idp.response(base(open.poolId, { nameId: 'carol' }));
      const { callback } = await landed(fc, await post(fc, { SAMLResponse: resp.SAMLResponse, RelayState: relay(open.clientId) }));
      assert.ok(callback?.searchParams.get('code'), 'a code for the client');
      const id = decodeJwt((await tokensFor(open.clientId, open.clientSecret, callback!.searchParams.get('code')!)).id_token);
      assert.equal(id['cognito:username'], 'Okta_carol');
      // The same assertion again (another browser): refused, and still the one user.
      const replay = await landed(new FormClient(t.url), await post(new FormClient(t.url), { SAMLResponse: resp.SAMLResponse, RelayState: relay(open.clientId) }));
      assert.equal(replay.callback?.searchParams.get('error'), 'invalid_request');
      assert.match(replay.callback?.searchParams.get('error_description') ?? '', /already used/);
      assert.deepEqual(await usersOf(open.poolId), ['Okta_carol']);
      // idp_identifier names the provider too; a response answering a request is not unsolicited.
      const byIdentifier = new URLSearchParams({ client_id: open.clientId, response_type: 'code', redirect_uri: APP, scope: 'openid', idp_identifier: 'corp.example' }).toString();
      const r2 = await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(open.poolId, { nameId: 'carol' }))).SAMLResponse, RelayState: byIdentifier }));
      assert.ok(r2.callback?.searchParams.get('code'));
      const solicited = await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(open.poolId, { nameId: 'dave', inResponseTo: '_x' }))).SAMLResponse, RelayState: byIdentifier }));
      assert.match(solicited.callback?.searchParams.get('error_description') ?? '', /InResponseTo/);
      // Issued more than 6 minutes ago (though still within its validity window): refused, as Cognito's guide says.
      const stale = await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(open.poolId, { nameId: 'erin', now: clock.now() - 7 * 60_000, validMs: 30 * 60_000 }))).SAMLResponse, RelayState: byIdentifier }));
      assert.match(stale.callback?.searchParams.get('error_description') ?? '', /6 minutes/);
      assert.deepEqual(await usersOf(open.poolId), ['Okta_carol']);
    });

    it('EncryptedResponses: the assertion encrypted to the pool certificate (ActiveEncryptionCertificate) is decrypted; a plain one refused', async () => {
      const { poolId, clientId, spCert } = await samlPool({ EncryptedResponses: 'true' });
      const fc = new FormClient(t.url);
      const plain = await start(fc, clientId);
      await assertRefused(poolId, fc, await post(fc, { SAMLResponse: (await idp.response(base(poolId, { inResponseTo: plain.id }))).SAMLResponse, RelayState: plain.relayState }), /not encrypted/);
      const req = await start(fc, clientId);
      const { SAMLResponse, xml } = await idp.response(base(poolId, { inResponseTo: req.id, encryptTo: spCert }));
      assert.match(xml, /EncryptedAssertion/);
      assert.doesNotMatch(xml, /alice@corp/);
      const { callback, page } = await landed(fc, await post(fc, { SAMLResponse, RelayState: req.relayState }));
      assert.ok(callback?.searchParams.get('code'), pageMessage(page.html) ?? page.location ?? '');
      const user = await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Okta_alice@corp.example' }));
      assert.equal(attrs(user).email, 'alice@corp.example');
    });

    it('single logout (IDPSignout): /logout sends a signed LogoutRequest for the NameID to the IdP; its signed LogoutResponse goes on to logout_uri', async () => {
      const { poolId, clientId, spCert } = await samlPool({ IDPSignout: 'true' });
      await send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email', 'profile'], CallbackURLs: [APP], LogoutURLs: [BYE], SupportedIdentityProviders: ['COGNITO', 'Okta'] }));
      const signIn = async (fc: FormClient) => {
        const req = await start(fc, clientId);
        const { callback } = await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(poolId, { inResponseTo: req.id, nameId: 'erin' }))).SAMLResponse, RelayState: req.relayState }));
        assert.ok(callback?.searchParams.get('code'));
      };
      const fc = new FormClient(t.url);
      await signIn(fc);
      const out = await fc.get(`/logout?client_id=${clientId}&logout_uri=${encodeURIComponent(BYE)}`);
      assert.equal(out.status, 302);
      assert.ok(out.location?.startsWith(idp.slo + '?'), `to the IdP's logout URL, not ${out.location}`);
      const lr = idp.read(out.location!, spCert);
      assert.equal(lr.signature, 'valid', 'the LogoutRequest is signed with the pool key');
      assert.match(lr.xml, /<(\w+:)?LogoutRequest\b/);
      assert.match(lr.xml, />erin<\/(\w+:)?NameID>/);
      // Signed out here already: /oauth2/authorize goes to the IdP again, not straight back.
      assert.ok((await fc.get(authorizeUrl(clientId))).location?.startsWith(idp.sso));
      // An unsigned LogoutResponse is refused (an error page); a signed one goes on to logout_uri, once.
      const unsigned = await fc.get(idp.logoutResponse({ to: `${t.url}/saml2/logout`, inResponseTo: lr.id, relayState: lr.relayState, unsigned: true }));
      assert.equal(unsigned.status, 400);
      assert.match(pageMessage(unsigned.html) ?? '', /not signed/);
      const fc2 = new FormClient(t.url);
      await signIn(fc2);
      const out2 = await fc2.get(`/logout?client_id=${clientId}&logout_uri=${encodeURIComponent(BYE)}`);
      const lr2 = idp.read(out2.location!, spCert);
      const wrong = await fc2.get(idp.logoutResponse({ to: `${t.url}/saml2/logout`, inResponseTo: '_other', relayState: lr2.relayState }));
      assert.equal(wrong.status, 400);
      const fc3 = new FormClient(t.url);
      await signIn(fc3);
      const lr3 = idp.read((await fc3.get(`/logout?client_id=${clientId}&logout_uri=${encodeURIComponent(BYE)}`)).location!, spCert);
      const back = await fc3.get(idp.logoutResponse({ to: `${t.url}/saml2/logout`, inResponseTo: lr3.id, relayState: lr3.relayState }));
      assert.equal(back.status, 302, pageMessage(back.html));
      assert.equal(back.location, BYE);
      assert.equal((await fc3.get(idp.logoutResponse({ to: `${t.url}/saml2/logout`, inResponseTo: lr3.id, relayState: lr3.relayState }))).status, 400, 'once');
      // By HTTP-POST (what Cognito asks of IdPs): unsigned refused, a failure status refused, signed and Success on to logout_uri.
      const viaPost = async (form: (lr: { id: string; relayState: string }) => Record<string, string>) => {
        const f = new FormClient(t.url);
        await signIn(f);
        const lr = idp.read((await f.get(`/logout?client_id=${clientId}&logout_uri=${encodeURIComponent(BYE)}`)).location!, spCert);
        return f.request('/saml2/logout', { method: 'POST', body: new URLSearchParams(form(lr)), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      };
      const to = `${t.url}/saml2/logout`;
      const unsignedPost = await viaPost((lr) => idp.logoutResponseForm({ to, inResponseTo: lr.id, relayState: lr.relayState, unsigned: true }));
      assert.equal(unsignedPost.status, 400);
      assert.match(pageMessage(unsignedPost.html) ?? '', /signature/i);
      const failed = await viaPost((lr) => idp.logoutResponseForm({ to, inResponseTo: lr.id, relayState: lr.relayState, status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }));
      assert.equal(failed.status, 400);
      const okPost = await viaPost((lr) => idp.logoutResponseForm({ to, inResponseTo: lr.id, relayState: lr.relayState }));
      assert.equal(okPost.status, 302, pageMessage(okPost.html));
      assert.equal(okPost.location, BYE);
      // Without IDPSignout, /logout signs out locally only.
      const local = await samlPool();
      await send(new UpdateUserPoolClientCommand({ UserPoolId: local.poolId, ClientId: local.clientId, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], CallbackURLs: [APP], LogoutURLs: [BYE], SupportedIdentityProviders: ['Okta'] }));
      const fc4 = new FormClient(t.url);
      const req4 = await start(fc4, local.clientId);
      await landed(fc4, await post(fc4, { SAMLResponse: (await idp.response(base(local.poolId, { inResponseTo: req4.id }))).SAMLResponse, RelayState: req4.relayState }));
      assert.equal((await fc4.get(`/logout?client_id=${local.clientId}&logout_uri=${encodeURIComponent(BYE)}`)).location, BYE);
    });

    it('IdP-initiated single logout (IDPSignout): the IdP\'s signed LogoutRequest ends the user\'s sessions from it (its SessionIndex\'s when named) and gets a signed LogoutResponse; bad ones refused', async () => {
      const { poolId, clientId, spCert } = await samlPool({ IDPSignout: 'true' });
      const slo = `${t.url}/saml2/logout`;
      const signIn = async (nameId: string) => {
        const fc = new FormClient(t.url);
        const req = await start(fc, clientId);
        const r = await idp.response(base(poolId, { inResponseTo: req.id, nameId }));
        const { callback } = await landed(fc, await post(fc, { SAMLResponse: r.SAMLResponse, RelayState: req.relayState }));
        assert.ok(callback?.searchParams.get('code'));
        return { fc, sessionIndex: r.sessionIndex };
      };
      /** Whether the browser's hosted session is live: /oauth2/authorize answers the app at once, else goes to the IdP. */
      const live = async (fc: FormClient) => {
        const r = await fc.get(authorizeUrl(clientId));
        assert.equal(r.status, 302);
        return r.location!.startsWith(APP);
      };
      const a = await signIn('frank');
      const b = await signIn('frank');
      assert.ok((await live(a.fc)) && (await live(b.fc)));
      const browser = new FormClient(t.url);
      const refused = async (url: string, why: RegExp) => {
        const r = await browser.get(url);
        assert.equal(r.status, 400, r.location ?? '');
        assert.match(pageMessage(r.html) ?? '', why);
      };
      const now = clock.now();
      await refused(idp.logoutRequest({ to: slo, nameId: 'frank', now, unsigned: true }).url, /not signed/);
      const impostor = await makeSamlIdp(idp.entityId);
      await refused(impostor.logoutRequest({ to: slo, nameId: 'frank', now }).url, /signature/i);
      await refused(idp.logoutRequest({ to: slo, destination: 'https://elsewhere.example/saml2/logout', nameId: 'frank', now }).url, /Destination/);
      await refused(idp.logoutRequest({ to: slo, nameId: 'frank', now: now - 10 * 60_000 }).url, /IssueInstant/);
      await refused(idp.logoutRequest({ to: slo, nameId: 'frank', now, validMs: -1000 }).url, /NotOnOrAfter|IssueInstant|expired/);
      assert.ok((await live(a.fc)) && (await live(b.fc)), 'nothing ended by a refused request');

      // By HTTP-Redirect, naming the first sign-in's SessionIndex: that session ends, the other stays.
      const first = idp.logoutRequest({ to: slo, nameId: 'frank', sessionIndex: a.sessionIndex, relayState: 'idp-state', now });
      const answer = await browser.get(first.url);
      assert.equal(answer.status, 302, pageMessage(answer.html));
      assert.ok(answer.location?.startsWith(idp.slo + '?'), `to the IdP's SingleLogoutService, not ${answer.location}`);
      const lr = idp.readLogoutResponse(answer.location!, spCert);
      assert.equal(lr.signature, 'valid', 'signed with the pool certificate');
      assert.equal(lr.inResponseTo, first.id);
      assert.equal(lr.status, 'urn:oasis:names:tc:SAML:2.0:status:Success');
      assert.equal(lr.relayState, 'idp-state');
      assert.match(lr.xml, new RegExp(`<saml:Issuer>urn:amazon:cognito:sp:${poolId}</saml:Issuer>`));
      assert.equal(await live(a.fc), false, 'the named session ended');
      assert.equal(await live(b.fc), true, 'the other session stays');
      await refused(first.url, /already used/);

      // By HTTP-POST (the XML signed), without SessionIndex: every session of the user from this IdP ends.
      const c = await signIn('frank');
      const unsignedPost = idp.logoutRequestForm({ to: slo, nameId: 'frank', now, unsigned: true });
      const r = await browser.request('/saml2/logout', { method: 'POST', body: new URLSearchParams(unsignedPost.fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(r.status, 400);
      assert.match(pageMessage(r.html) ?? '', /signature/i);
      const form = idp.logoutRequestForm({ to: slo, nameId: 'frank', now });
      const posted = await browser.request('/saml2/logout', { method: 'POST', body: new URLSearchParams(form.fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(posted.status, 302, pageMessage(posted.html));
      assert.equal(idp.readLogoutResponse(posted.location!, spCert).inResponseTo, form.id);
      assert.equal(await live(b.fc), false);
      assert.equal(await live(c.fc), false);

      // Not a LogoutRequest at all: a page that says so.
      for (const junk of ['bm90IHhtbA==', Buffer.from('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x"/>').toString('base64')]) {
        const r = await browser.request('/saml2/logout', { method: 'POST', body: new URLSearchParams({ SAMLRequest: junk }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.equal(r.status, 400);
        assert.match(pageMessage(r.html) ?? '', /cannot be read/);
      }
      // A deflated message that would inflate past 1 MB (a zip bomb) is refused before it is read.
      const bomb = (await import('node:zlib')).deflateRawSync(Buffer.alloc(2_000_000, 0x20)).toString('base64');
      const bombed = await browser.get(`/saml2/logout?${new URLSearchParams({ SAMLRequest: bomb, SigAlg: 'x', Signature: 'x' })}`);
      assert.equal(bombed.status, 400);
      assert.match(pageMessage(bombed.html) ?? '', /cannot be read/);
      // A user with no session known here: nothing to end, a page that says so.
      const nobody = await browser.get(idp.logoutRequest({ to: slo, nameId: 'nobody', now }).url);
      assert.equal(nobody.status, 200);
      assert.match(pageMessage(nobody.html) ?? '', /signed out/);

      // A provider without IDPSignout does not take sign-out requests.
      const closed = await samlPool();
      const fc = new FormClient(t.url);
      const req = await start(fc, closed.clientId);
      await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(closed.poolId, { inResponseTo: req.id, nameId: 'gus' }))).SAMLResponse, RelayState: req.relayState }));
      await refused(idp.logoutRequest({ to: slo, nameId: 'gus', now }).url, /IDPSignout/);
    });

    it('a MetadataURL\'s metadata is kept, not fetched at each sign-in: 6 hours, or its cacheDuration; fetched again on UpdateIdentityProvider and once when a signature fails (key rollover)', async () => {
      const served = await startSamlIdp();
      try {
        const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'saml-url' }))).UserPool.Id as string;
        await send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Url', ProviderType: 'SAML', ProviderDetails: { MetadataURL: served.metadataUrl }, AttributeMapping: { email: 'email' } }));
        const clientId = (
          await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], CallbackURLs: [APP], SupportedIdentityProviders: ['Url'] }))
        ).UserPoolClient.ClientId as string;
        const fetched = served.metadataFetches;
        assert.ok(fetched >= 1, 'CreateIdentityProvider reads the metadata');
        /** One SP-initiated sign-in answered by `signer` (the served IdP unless given); whether it came back with a code. */
        const signIn = async (signer: { response: typeof served.response } = served) => {
          const fc = new FormClient(t.url);
          const r = await fc.get(`/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid', identity_provider: 'Url' })}`);
          assert.ok(r.location?.startsWith(served.sso + '?'), r.location ?? r.html);
          const req = served.read(r.location!);
          const resp = await signer.response({ acs, audience: `urn:amazon:cognito:sp:${poolId}`, nameId: 'ida', attributes: { email: 'ida@idp.example' }, now: clock.now(), inResponseTo: req.id });
          const { callback } = await landed(fc, await post(fc, { SAMLResponse: resp.SAMLResponse, RelayState: req.relayState }));
          return !!callback?.searchParams.get('code');
        };
        assert.ok(await signIn());
        assert.equal(served.metadataFetches, fetched + 1, 'the first sign-in fetches it');
        assert.ok(await signIn());
        assert.ok(await signIn());
        assert.equal(served.metadataFetches, fetched + 1, 'later sign-ins use the kept copy');
        clock.advance(6 * 3_600_000 + 1000);
        assert.ok(await signIn());
        assert.equal(served.metadataFetches, fetched + 2, 'after 6 hours it is fetched again');

        // Key rollover: the IdP signs with a new key; the kept certificate fails, the metadata is fetched once more and the new one verifies.
        await served.rotateKeys();
        assert.ok(await signIn(), 'signed with the new key');
        assert.equal(served.metadataFetches, fetched + 3);
        assert.ok(await signIn());
        assert.equal(served.metadataFetches, fetched + 3);
        // A wrong signature makes at most one fetch a minute.
        clock.advance(2 * 60_000);
        const impostor = await makeSamlIdp(served.entityId);
        assert.equal(await signIn(impostor), false);
        assert.equal(served.metadataFetches, fetched + 4, 'fetched once to look for a new key');
        assert.equal(await signIn(impostor), false);
        assert.equal(served.metadataFetches, fetched + 4, 'not again within the minute');

        // cacheDuration (PT1H) is respected; UpdateIdentityProvider fetches again (its check, then the next sign-in).
        served.entityAttributes = ' cacheDuration="PT1H"';
        await send(new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Url', ProviderDetails: { MetadataURL: served.metadataUrl } }));
        const updated = served.metadataFetches;
        assert.deepEqual(await Promise.all([signIn(), signIn(), signIn()]), [true, true, true]);
        assert.equal(served.metadataFetches, updated + 1, 'an update drops the kept copy; sign-ins at the same moment share one fetch');
        clock.advance(30 * 60_000);
        assert.ok(await signIn());
        assert.equal(served.metadataFetches, updated + 1);
        clock.advance(31 * 60_000);
        assert.ok(await signIn());
        assert.equal(served.metadataFetches, updated + 2, 'fetched again after its cacheDuration');
        // The metadata URL down: the kept copy is used.
        clock.advance(2 * 3_600_000);
        await served.close();
        assert.ok(await signIn(), 'signs in with the kept copy while the URL is down');
      } finally {
        await served.close().catch(() => undefined);
      }
    });

    it('CreateIdentityProvider: the metadata\'s signing certificate must not be expired (one current one is enough), nor longer than 4096 characters', async () => {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'saml-certs' }))).UserPool.Id as string;
      const body = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
      const now = clock.now();
      const old = await generate([{ name: 'commonName', value: 'old.example.test' }], { keySize: 2048, algorithm: 'sha256', notBeforeDate: new Date(now - 2 * 365 * 86_400_000), notAfterDate: new Date(now - 86_400_000) });
      const current = body(idp.certPem);
      const withCerts = (...certs: string[]) =>
        idp.metadata.replace(/<md:KeyDescriptor use="signing">[\s\S]*?<\/md:KeyDescriptor>/, certs.map((c) => `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`).join(''));
      const create = (ProviderName: string, MetadataFile: string) => send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName, ProviderType: 'SAML', ProviderDetails: { MetadataFile } }));
      await expectError(create('Old', withCerts(body(old.cert))), 'InvalidParameterException', 'Signing certificates are expired');
      await expectError(create('Long', withCerts('A'.repeat(4097))), 'InvalidParameterException', /4096/);
      await expectError(create('Junk', withCerts('bm90IGEgY2VydA==')), 'InvalidParameterException', /X\.509/);
      await create('Rollover', withCerts(body(old.cert), current));
      await expectError(send(new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Rollover', ProviderDetails: { MetadataFile: withCerts(body(old.cert)) } })), 'InvalidParameterException', 'Signing certificates are expired');
    });

    it('the metadata lifetime: cacheDuration and validUntil (the sooner), else 6 hours, at most 24', () => {
      const now = Date.parse('2026-01-01T00:00:00Z');
      const md = (attrs: string) => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"${attrs}/>`;
      assert.equal(keepUntil(md(''), now), now + 6 * 3_600_000);
      assert.equal(keepUntil(md(' cacheDuration="PT1H30M"'), now), now + 90 * 60_000);
      assert.equal(keepUntil(md(' cacheDuration="P7D"'), now), now + 24 * 3_600_000);
      assert.equal(keepUntil(md(' validUntil="2026-01-01T02:00:00Z"'), now), now + 2 * 3_600_000);
      assert.equal(keepUntil(md(' cacheDuration="PT3H" validUntil="2026-01-01T02:00:00Z"'), now), now + 2 * 3_600_000);
      assert.equal(keepUntil(md(' validUntil="2025-12-31T00:00:00Z"'), now), now, 'expired metadata is not kept');
      assert.equal(keepUntil(md(' cacheDuration="soon"'), now), now + 6 * 3_600_000);
      const wrapped = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" cacheDuration="PT5H"><md:EntityDescriptor entityID="x" cacheDuration="PT2H"/></md:EntitiesDescriptor>`;
      assert.equal(keepUntil(wrapped, now), now + 2 * 3_600_000, 'the EntityDescriptor inside an EntitiesDescriptor counts too');
      assert.equal(durationMs('P1DT2H3M4.5S'), ((26 * 60 + 3) * 60 + 4.5) * 1000);
      assert.equal(durationMs('PT'), undefined);
      assert.equal(durationMs('-PT1H'), undefined);
    });

    it("the sign-in page's button for the SAML provider starts the same AuthnRequest; idp_identifier finds it too, and the page's corporate email box", async () => {
      const { clientId } = await samlPool();
      const fc = new FormClient(t.url);
      const login = await fc.get(`/login?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid' })}`);
      const href = /<a class="idp" role="button" href="([^"]+)">Continue with Okta<\/a>/.exec(login.html)?.[1]?.replace(/&amp;/g, '&');
      assert.ok(href, login.html);
      const r = await fc.get(href);
      assert.ok(r.location?.startsWith(idp.sso + '?'), `to the IdP, not ${r.location}`);
      assert.ok(idp.read(r.location!).id);
      const byId = await new FormClient(t.url).get(`/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid', idp_identifier: 'corp.example' })}`);
      assert.ok(byId.location?.startsWith(idp.sso + '?'), `idp_identifier: ${byId.location}`);
      // The provider has IdpIdentifiers: the page asks for a corporate email, whose domain picks the provider (as Cognito's hosted UI).
      assert.match(login.html, /<form method="get" action="\/login" class="corporate">/);
      assert.match(login.html, /name="corporate_email" type="email"/);
      const query = { client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid', state: 's' };
      const byEmail = await fc.get(`/login?${new URLSearchParams({ ...query, corporate_email: 'Alice@Corp.Example' })}`);
      assert.equal(byEmail.status, 302);
      const next = new URL(byEmail.location!, t.url);
      assert.equal(next.pathname, '/oauth2/authorize');
      assert.equal(next.searchParams.get('idp_identifier'), 'corp.example');
      assert.equal(next.searchParams.get('state'), 's');
      assert.ok((await fc.get(byEmail.location!)).location?.startsWith(idp.sso + '?'));
      const unknown = await fc.get(`/login?${new URLSearchParams({ ...query, corporate_email: 'bob@elsewhere.example' })}`);
      assert.equal(unknown.status, 400);
      assert.match(pageMessage(unknown.html) ?? '', /elsewhere\.example/);
      const notEmail = await fc.get(`/login?${new URLSearchParams({ ...query, corporate_email: 'bob' })}`);
      assert.equal(notEmail.status, 400);
      assert.match(pageMessage(notEmail.html) ?? '', /corporate email/);
      // Without identifiers, no box.
      const plain = await samlPool();
      await send(new UpdateIdentityProviderCommand({ UserPoolId: plain.poolId, ProviderName: 'Okta', IdpIdentifiers: [] }));
      const plainLogin = await fc.get(`/login?${new URLSearchParams({ ...query, client_id: plain.clientId })}`);
      assert.doesNotMatch(plainLogin.html, /corporate_email/);
    });

    it('refused, no user written: another issuer, a non-Success status, a signed response without Destination, no Recipient; an unsigned response without Destination is fine', async () => {
      const { poolId, clientId, clientSecret } = await samlPool();
      const cases: [string, Partial<ResponseOptions>, string][] = [
        // Signed with the IdP's own key, but saying it is another IdP (several providers may trust one certificate).
        ['another issuer', { issuer: 'https://evil.example/idp' }, `the assertion is issued by https://evil.example/idp, not ${idp.entityId} (Issuer, the metadata's entityID)`],
        ['a Responder status', { status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }, 'the identity provider did not sign the user in (status Responder)'],
        ['a signed response without Destination', { sign: 'response', destination: null }, 'the signed response has no Destination'],
        ['no Recipient', { recipient: null }, "the assertion's bearer SubjectConfirmationData has no Recipient"],
      ];
      for (const [name, extra, why] of cases) {
        const fc = new FormClient(t.url);
        const req = await start(fc, clientId);
        const r = await post(fc, { SAMLResponse: (await idp.response(base(poolId, { inResponseTo: req.id, ...extra }))).SAMLResponse, RelayState: req.relayState });
        const { callback } = await landed(fc, r);
        assert.equal(callback?.searchParams.get('error_description'), `The SAML response of the identity provider Okta was refused: ${why}`, name);
        assert.deepEqual(await usersOf(poolId), [], name);
      }
      // Destination is required of a signed Response only (bindings 3.5.5.2): the assertion signed, none on the Response, taken.
      const fc = new FormClient(t.url);
      const req = await start(fc, clientId);
      const { callback } = await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(poolId, { inResponseTo: req.id, destination: null }))).SAMLResponse, RelayState: req.relayState }));
      assert.equal(decodeJwt((await tokensFor(clientId, clientSecret, callback!.searchParams.get('code')!)).id_token)['cognito:username'], 'Okta_alice@corp.example');
    });

    it('one IdP-initiated assertion is used once, whichever provider of the pool trusting that IdP it is posted for', async () => {
      const { poolId, clientId } = await samlPool({ IDPInit: 'true' });
      await send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Okta2', ProviderType: 'SAML', ProviderDetails: { MetadataFile: idp.metadata, IDPInit: 'true' }, AttributeMapping: { email: 'email' } }));
      await send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email', 'profile'], CallbackURLs: [APP], SupportedIdentityProviders: ['Okta', 'Okta2'] }));
      const relay = (provider: string) => new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: APP, scope: 'openid email', identity_provider: provider }).toString();
      const resp = await idp.response(base(poolId, { nameId: 'cross' }));
      const first = await landed(new FormClient(t.url), await post(new FormClient(t.url), { SAMLResponse: resp.SAMLResponse, RelayState: relay('Okta') }));
      assert.ok(first.callback?.searchParams.get('code'));
      const fc = new FormClient(t.url);
      const second = await landed(fc, await post(fc, { SAMLResponse: resp.SAMLResponse, RelayState: relay('Okta2') }));
      assert.equal(second.callback?.searchParams.get('error_description'), 'The SAML response of the identity provider Okta2 was refused: the assertion was already used (replay)');
      assert.deepEqual(await usersOf(poolId), ['Okta_cross']);
    });

    it('two SAML sign-ins started in one browser each finish (one binding cookie per sign-in); a refused one leaves the other going', async () => {
      const { poolId, clientId } = await samlPool();
      let fc = new FormClient(t.url);
      const a = await start(fc, clientId);
      const b = await start(fc, clientId);
      for (const req of [a, b]) {
        const { callback, page } = await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(poolId, { inResponseTo: req.id, nameId: 'tabby' }))).SAMLResponse, RelayState: req.relayState }));
        assert.ok(callback?.searchParams.get('code'), pageMessage(page.html) ?? page.location ?? '');
      }
      // Another browser: C refused (a response of another audience), D started before it still finishes.
      fc = new FormClient(t.url);
      const c = await start(fc, clientId);
      const d = await start(fc, clientId);
      const refused = await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(poolId, { inResponseTo: c.id, audience: 'urn:amazon:cognito:sp:us-east-1_other' }))).SAMLResponse, RelayState: c.relayState }));
      assert.equal(refused.callback?.searchParams.get('error'), 'invalid_request');
      const { callback, page } = await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(poolId, { inResponseTo: d.id, nameId: 'tabby' }))).SAMLResponse, RelayState: d.relayState }));
      assert.ok(callback?.searchParams.get('code'), pageMessage(page.html) ?? page.location ?? '');
      // The cross-site POST (no cookie at all) of one of two sign-ins continues by GET in the browser with its own cookie.
      fc = new FormClient(t.url);
      const e = await start(fc, clientId);
      await start(fc, clientId);
      const bare = await post(new FormClient(t.url), { SAMLResponse: (await idp.response(base(poolId, { inResponseTo: e.id, nameId: 'tabby' }))).SAMLResponse, RelayState: e.relayState });
      const again = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(bare.html)![1]!.replace(/&amp;/g, '&');
      const cont = await landed(fc, await fc.get(again));
      assert.ok(cont.callback?.searchParams.get('code'), pageMessage(cont.page.html) ?? cont.page.location ?? '');
      assert.deepEqual(await usersOf(poolId), ['Okta_tabby']);
    });

    it('a multi-valued attribute is written as Cognito writes it ([a, b]); a NameID that makes a username the API cannot name is refused', async () => {
      const { poolId, clientId, clientSecret } = await samlPool({}, { pool: { Schema: [{ Name: 'groups', AttributeDataType: 'String', Mutable: true }] }, mapping: { 'custom:groups': 'groups' } });
      let fc = new FormClient(t.url);
      let req = await start(fc, clientId);
      const { callback } = await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(poolId, { inResponseTo: req.id, attributes: { email: 'g@corp.example', groups: ['admins', 'dev ops', 'qa'] } }))).SAMLResponse, RelayState: req.relayState }));
      const id = decodeJwt((await tokensFor(clientId, clientSecret, callback!.searchParams.get('code')!)).id_token);
      assert.equal(id['custom:groups'], '[admins, dev ops, qa]');
      assert.equal(attrs(await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Okta_alice@corp.example' })))['custom:groups'], '[admins, dev ops, qa]');
      for (const [nameId, why] of [
        ['Jane Doe', 'Member must satisfy regular expression pattern'],
        ['x'.repeat(200), 'Member must have length less than or equal to 128'],
      ] as const) {
        fc = new FormClient(t.url);
        req = await start(fc, clientId);
        const r = await landed(fc, await post(fc, { SAMLResponse: (await idp.response(base(poolId, { inResponseTo: req.id, nameId }))).SAMLResponse, RelayState: req.relayState }));
        assert.equal(r.callback?.searchParams.get('error'), 'invalid_request');
        assert.equal(r.callback?.searchParams.get('error_description'), `1 validation error detected: Value at 'userName' failed to satisfy constraint: ${why}${why.includes('pattern') ? ': [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+' : ''}`);
      }
      assert.deepEqual(await usersOf(poolId), ['Okta_alice@corp.example']);
    });

    it('the pool SP metadata: entity id, ACS URL, the certificate for signing (and encryption when a provider decrypts), single logout, NameID formats, AuthnRequestsSigned as the providers sign', async () => {
      const { poolId, clientId } = await samlPool();
      const cert = (await send(new GetSigningCertificateCommand({ UserPoolId: poolId }))).Certificate as string;
      const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
      const read = async (query: string) => {
        const res = await fetch(`${t.url}/saml2/metadata?${query}`);
        assert.equal(res.status, 200, query);
        assert.match(res.headers.get('content-type') ?? '', /samlmetadata\+xml/);
        const doc = new DOMParser().parseFromString(await res.text(), 'text/xml');
        const sp = doc.getElementsByTagNameNS(MD, 'SPSSODescriptor')[0]!;
        const all = (name: string) => Array.from({ length: sp.getElementsByTagNameNS(MD, name).length }, (_, i) => sp.getElementsByTagNameNS(MD, name)[i]!);
        return {
          entityId: doc.documentElement!.getAttribute('entityID'),
          signed: sp.getAttribute('AuthnRequestsSigned'),
          wantSigned: sp.getAttribute('WantAssertionsSigned'),
          keys: all('KeyDescriptor').map((k) => `${k.getAttribute('use')}:${(k.textContent ?? '').replace(/\s+/g, '') === cert}`),
          slo: all('SingleLogoutService').map((e) => `${e.getAttribute('Binding')!.replace(/.*:/, '')} ${e.getAttribute('Location')}`),
          nameIdFormats: all('NameIDFormat').map((e) => e.textContent),
          acs: all('AssertionConsumerService').map((e) => `${e.getAttribute('Binding')!.replace(/.*:/, '')} ${e.getAttribute('Location')}`),
        };
      };
      const plain = await read(`client_id=${clientId}`);
      assert.deepEqual(plain, {
        entityId: `urn:amazon:cognito:sp:${poolId}`,
        signed: 'false',
        wantSigned: 'true',
        keys: ['signing:true'],
        slo: [`HTTP-Redirect ${t.url}/saml2/logout`, `HTTP-POST ${t.url}/saml2/logout`],
        nameIdFormats: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'],
        acs: [`HTTP-POST ${acs}`],
      });
      // A second provider that signs its requests and wants encrypted responses: per provider, and for the client's providers together.
      await send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Signer', ProviderType: 'SAML', ProviderDetails: { MetadataFile: idp.metadata, RequestSigningAlgorithm: 'rsa-sha256', EncryptedResponses: 'true' } }));
      const signer = await read(`client_id=${clientId}&identity_provider=Signer`);
      assert.equal(signer.signed, 'true');
      assert.deepEqual(signer.keys, ['signing:true', 'encryption:true']);
      assert.equal((await read(`client_id=${clientId}&identity_provider=Okta`)).signed, 'false');
      await send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], CallbackURLs: [APP], SupportedIdentityProviders: ['Okta', 'Signer'] }));
      const both = await read(`client_id=${clientId}`);
      assert.equal(both.signed, 'false', 'Okta does not sign: an IdP enforcing the flag would refuse its requests');
      assert.deepEqual(both.keys, ['signing:true', 'encryption:true']);
      await send(new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Okta', ProviderDetails: { MetadataFile: idp.metadata, RequestSigningAlgorithm: 'rsa-sha256' } }));
      assert.equal((await read(`client_id=${clientId}`)).signed, 'true');
      assert.equal((await fetch(`${t.url}/saml2/metadata?client_id=${clientId}&identity_provider=Nope`)).status, 400);
      assert.equal((await fetch(`${t.url}/saml2/metadata`)).status, 400);
    });
  });
}
