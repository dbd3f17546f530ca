/**
 * Passkeys through the SDK, on each store, with a software authenticator
 * (tests/webauthn-authenticator.ts): WebAuthnConfiguration in Set/GetUserPoolMfaConfig, the relying
 * party ID's defaults, StartWebAuthnRegistration's options, CompleteWebAuthnRegistration's checks
 * (challenge binding, single use, expiry, app client, origin, RP ID, user verification, the
 * per-user limit), ListWebAuthnCredentials' pages, DeleteWebAuthnCredential, credentials going
 * with their user and pool; and the WEB_AUTHN factor of the sign-in engine (src/signin/passkey.ts:
 * hasPasskey, passkeyChallenge, passkeyVerify: signature, counter, origin, RP ID, user verification).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  CompleteWebAuthnRegistrationCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  DeleteWebAuthnCredentialCommand,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand,
  UpdateUserPoolCommand,
  type WebAuthnConfigurationType,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, TestClock, type TestServer } from './harness.js';
import { SoftAuthenticator } from './webauthn-authenticator.js';
import { FormClient, pageMessage } from './hosted.js';
import { hasPasskey, passkeyChallenge, passkeyVerify } from '../src/signin/passkey.js';
import type { Ctx } from '../src/operations/context.js';

const PASSWORD = 'Correct-Horse-9';
const ORIGIN = 'http://localhost:3000';

for (const backend of await backends()) {
  describe(`passkeys (${backend.name})`, () => {
    const clock = new TestClock();
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend, {}, { clock: clock.now });
    });
    after(() => t?.close());

    /** A pool offering passkeys (WEB_AUTHN first factor), RP ID localhost unless told, and an app client. */
    async function setup(opts: { webAuthn?: WebAuthnConfigurationType | null; factors?: string[]; tier?: 'LITE' | 'ESSENTIALS'; callbacks?: string[] } = {}) {
      const poolId: string = (
        await send(
          new CreateUserPoolCommand({
            PoolName: 'passkeys',
            UserPoolTier: opts.tier ?? 'ESSENTIALS',
            Policies: { SignInPolicy: { AllowedFirstAuthFactors: (opts.factors ?? ['PASSWORD', 'WEB_AUTHN']) as any } },
          }),
        )
      ).UserPool.Id;
      const client = async (ClientName = 'app') =>
        (
          await send(
            new CreateUserPoolClientCommand({
              UserPoolId: poolId,
              ClientName,
              ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', ...(opts.tier === 'LITE' ? [] : ['ALLOW_USER_AUTH' as const]), 'ALLOW_REFRESH_TOKEN_AUTH'],
              ...(opts.callbacks
                ? { CallbackURLs: opts.callbacks, AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: ['openid'], SupportedIdentityProviders: ['COGNITO'] }
                : {}),
            }),
          )
        ).UserPoolClient.ClientId as string;
      const clientId = await client();
      if (opts.webAuthn !== null) {
        await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: opts.webAuthn ?? { RelyingPartyId: 'localhost', UserVerification: 'required' } }));
      }
      const user = async (Username: string, cid = clientId) => {
        await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS' })).catch((e) => {
          if (e.name !== 'UsernameExistsException') throw e;
        });
        await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
        const r = await send(new InitiateAuthCommand({ ClientId: cid, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: Username, PASSWORD } }));
        return r.AuthenticationResult.AccessToken as string;
      };
      /** Start, the authenticator's answer, Complete: the new credential's ID. */
      const register = async (AccessToken: string, auth = new SoftAuthenticator(ORIGIN)) => {
        const { CredentialCreationOptions } = await send(new StartWebAuthnRegistrationCommand({ AccessToken }));
        const cred = auth.create(CredentialCreationOptions);
        await send(new CompleteWebAuthnRegistrationCommand({ AccessToken, Credential: cred }));
        return { id: cred.id as string, auth, options: CredentialCreationOptions };
      };
      const list = async (AccessToken: string, extra: { MaxResults?: number; NextToken?: string } = {}) => send(new ListWebAuthnCredentialsCommand({ AccessToken, ...extra }));
      return { poolId, clientId, client, user, register, list };
    }

    /** The context passkey.ts runs in (what the sign-in engine hands it). */
    const ctxOf = (): Ctx => ({ store: t.server.store, now: clock.now(), publicUrl: t.url }) as unknown as Ctx;
    const records = async (poolId: string, username: string) => {
      const pool = (await t.server.store.pools.get(poolId))!;
      const user = (await t.server.store.users.get(poolId, username))!;
      return { pool, user };
    };

    describe('WebAuthnConfiguration', () => {
      it('GetUserPoolMfaConfig shows no WebAuthnConfiguration before one is set, then what SetUserPoolMfaConfig sets', async () => {
        const { poolId } = await setup({ webAuthn: null });
        const before = await send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
        assert.equal(before.WebAuthnConfiguration, undefined);
        const uvOnly = await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: {} }));
        assert.deepEqual(uvOnly.WebAuthnConfiguration, { UserVerification: 'preferred' });
        const set = await send(
          new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: { RelyingPartyId: 'auth.example.com', UserVerification: 'required' } }),
        );
        assert.deepEqual(set.WebAuthnConfiguration, { RelyingPartyId: 'auth.example.com', UserVerification: 'required' });
        const got = await send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
        assert.deepEqual(got.WebAuthnConfiguration, { RelyingPartyId: 'auth.example.com', UserVerification: 'required' });
        // A request without it (turning TOTP on) keeps it.
        await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }));
        assert.deepEqual((await send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }))).WebAuthnConfiguration, {
          RelyingPartyId: 'auth.example.com',
          UserVerification: 'required',
        });
        // UpdateUserPool keeps it; DescribeUserPool does not show it (UserPoolType has no such member).
        await send(new UpdateUserPoolCommand({ UserPoolId: poolId, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } }));
        assert.equal((await send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }))).WebAuthnConfiguration.RelyingPartyId, 'auth.example.com');
        const described = (await send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool;
        assert.equal(described.WebAuthnConfiguration, undefined);
        // FactorConfiguration is kept as given.
        const mfa = await send(
          new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: { RelyingPartyId: 'localhost', FactorConfiguration: 'MULTI_FACTOR_WITH_USER_VERIFICATION' } }),
        );
        assert.deepEqual(mfa.WebAuthnConfiguration, { RelyingPartyId: 'localhost', UserVerification: 'preferred', FactorConfiguration: 'MULTI_FACTOR_WITH_USER_VERIFICATION' });
      });

      it('refuses a relying party ID that is not a host name, and passkeys in the LITE tier', async () => {
        const { poolId } = await setup({ webAuthn: null });
        for (const bad of ['https://auth.example.com', 'auth.example.com:443', 'auth.example.com/login', 'Auth.Example.com', '127.0.0.1', 'a..b', '-a.example.com']) {
          await expectError(send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: { RelyingPartyId: bad } })), 'InvalidParameterException', /is not a host name/);
        }
        await expectError(send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: { UserVerification: 'always' as any } })), 'InvalidParameterException');
        const lite = await setup({ webAuthn: null, tier: 'LITE', factors: ['PASSWORD'] });
        await expectError(
          send(new SetUserPoolMfaConfigCommand({ UserPoolId: lite.poolId, WebAuthnConfiguration: { RelyingPartyId: 'localhost' } })),
          'FeatureUnavailableInTierException',
        );
      });
    });

    describe('StartWebAuthnRegistration', () => {
      it("answers Cognito's CredentialCreationOptions", async () => {
        const s = await setup();
        const token = await s.user('ana');
        const { pool, user } = await records(s.poolId, 'ana');
        const { CredentialCreationOptions: o } = await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
        assert.deepEqual(Object.keys(o).sort(), ['authenticatorSelection', 'challenge', 'excludeCredentials', 'pubKeyCredParams', 'rp', 'timeout', 'user']);
        assert.deepEqual(o.rp, { id: 'localhost', name: 'localhost' });
        assert.deepEqual(o.user, { id: Buffer.from(user.sub).toString('base64url'), name: 'ana', displayName: '' });
        assert.match(o.challenge, /^[A-Za-z0-9_-]{22}$/);
        assert.deepEqual(o.pubKeyCredParams, [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -257 },
        ]);
        assert.equal(o.timeout, 60000);
        assert.deepEqual(o.excludeCredentials, []);
        assert.deepEqual(o.authenticatorSelection, { requireResidentKey: true, residentKey: 'required', userVerification: 'required' });
        assert.equal(pool.id, s.poolId);
        // Each call, a new challenge.
        const again = (await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }))).CredentialCreationOptions;
        assert.notEqual(again.challenge, o.challenge);
      });

      it('takes the relying party ID from the custom domain, else the prefix domain, else refuses', async () => {
        const s = await setup({ webAuthn: { UserVerification: 'preferred' } });
        const token = await s.user('ben');
        await expectError(send(new StartWebAuthnRegistrationCommand({ AccessToken: token })), 'WebAuthnConfigurationMissingException', /no passkey relying party/);
        const prefix = `pk${Math.random().toString(36).slice(2, 10)}`;
        await send(new CreateUserPoolDomainCommand({ UserPoolId: s.poolId, Domain: prefix }));
        const o = (await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }))).CredentialCreationOptions;
        assert.equal(o.rp.id, `${prefix}.auth.us-east-1.amazoncognito.com`);
        assert.equal(o.authenticatorSelection.userVerification, 'preferred');
        await send(new DeleteUserPoolDomainCommand({ UserPoolId: s.poolId, Domain: prefix }));
        const custom = `${prefix}.example.com`;
        await send(
          new CreateUserPoolDomainCommand({ UserPoolId: s.poolId, Domain: custom, CustomDomainConfig: { CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123' } }),
        );
        assert.equal((await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }))).CredentialCreationOptions.rp.id, custom);
      });

      it('WebAuthnNotEnabledException when the pool does not offer WEB_AUTHN; NotAuthorizedException for a bad token', async () => {
        const s = await setup({ factors: ['PASSWORD'] });
        const token = await s.user('cy');
        await expectError(send(new StartWebAuthnRegistrationCommand({ AccessToken: token })), 'WebAuthnNotEnabledException', /AllowedFirstAuthFactors/);
        await expectError(send(new StartWebAuthnRegistrationCommand({ AccessToken: 'a.b.c' })), 'NotAuthorizedException');
      });
    });

    describe('CompleteWebAuthnRegistration', () => {
      it('stores the passkey: listed with its details, excluded from the next registration', async () => {
        const s = await setup();
        const token = await s.user('dee');
        clock.advance(1000);
        const { id } = await s.register(token);
        const listed = await s.list(token);
        assert.equal(listed.Credentials.length, 1);
        const c = listed.Credentials[0];
        assert.equal(c.CredentialId, id);
        assert.equal(c.FriendlyCredentialName, 'Passkey');
        assert.equal(c.RelyingPartyId, 'localhost');
        assert.equal(c.AuthenticatorAttachment, 'platform');
        assert.deepEqual(c.AuthenticatorTransports, ['internal']);
        assert.equal(c.CreatedAt.getTime(), clock.now());
        assert.equal(listed.NextToken, undefined);
        const next = (await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }))).CredentialCreationOptions;
        assert.deepEqual(next.excludeCredentials, [{ type: 'public-key', id }]);
        // A known provider's AAGUID names the passkey.
        const google = new SoftAuthenticator(ORIGIN, { aaguid: 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4' });
        await s.register(token, google);
        assert.ok((await s.list(token)).Credentials.some((x: any) => x.FriendlyCredentialName === 'Google Password Manager'));
      });

      it('the challenge is single use, expires, and binds the app client', async () => {
        const s = await setup();
        const token = await s.user('eve');
        const auth = new SoftAuthenticator(ORIGIN);
        const o1 = (await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }))).CredentialCreationOptions;
        const cred = auth.create(o1);
        await send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: cred }));
        await expectError(send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: cred })), 'WebAuthnChallengeNotFoundException');
        // Without a Start: none.
        await expectError(send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: auth.create(o1) })), 'WebAuthnChallengeNotFoundException');
        // A challenge that is not the pending one.
        await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
        await expectError(
          send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: auth.create(o1, { challenge: 'AAAAAAAAAAAAAAAAAAAAAA' }) })),
          'WebAuthnChallengeNotFoundException',
        );
        // A new Start replaces the earlier challenge.
        const o2 = (await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }))).CredentialCreationOptions;
        const o3 = (await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }))).CredentialCreationOptions;
        await expectError(send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: auth.create(o2) })), 'WebAuthnChallengeNotFoundException');
        // Expired after five minutes.
        clock.advance(5 * 60_000 + 1);
        const fresh = await s.user('eve');
        await expectError(send(new CompleteWebAuthnRegistrationCommand({ AccessToken: fresh, Credential: auth.create(o3) })), 'WebAuthnChallengeNotFoundException');
        // Started with one app client, completed with another's token.
        const other = await s.client('other');
        const otherToken = await s.user('eve', other);
        const o4 = (await send(new StartWebAuthnRegistrationCommand({ AccessToken: fresh }))).CredentialCreationOptions;
        await expectError(
          send(new CompleteWebAuthnRegistrationCommand({ AccessToken: otherToken, Credential: auth.create(o4) })),
          'WebAuthnClientMismatchException',
          /another app client/,
        );
        // The right client still can.
        await send(new CompleteWebAuthnRegistrationCommand({ AccessToken: fresh, Credential: auth.create(o4) }));
        assert.equal((await s.list(fresh)).Credentials.length, 2);
      });

      it('checks the origin, the relying party ID and user verification', async () => {
        const s = await setup({ callbacks: ['https://app.example.net/callback'] });
        const token = await s.user('fay');
        const attempt = async (make: (o: any) => any) => {
          const o = (await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }))).CredentialCreationOptions;
          return send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: make(o) }));
        };
        const auth = new SoftAuthenticator(ORIGIN);
        await expectError(attempt((o) => auth.create(o, { origin: 'https://evil.example' })), 'WebAuthnOriginNotAllowedException', /evil\.example/);
        await expectError(attempt((o) => auth.create(o, { origin: 'http://app.example.net' })), 'WebAuthnOriginNotAllowedException');
        await expectError(attempt((o) => auth.create(o, { rpId: 'example.com' })), 'WebAuthnRelyingPartyMismatchException');
        await expectError(attempt((o) => auth.create(o, { uv: false })), 'WebAuthnCredentialNotSupportedException', /user verification/);
        await expectError(attempt((o) => auth.create(o, { type: 'webauthn.get' })), 'InvalidParameterException', /webauthn\.create/);
        await expectError(attempt(() => ({ id: 'x', type: 'public-key' })), 'InvalidParameterException', /RegistrationResponseJSON/);
        await expectError(attempt(() => 'not a credential'), 'InvalidParameterException');
        // Allowed: localhost on any port, a subdomain of the RP ID, the client's callback origin, this server's own origin.
        await attempt((o) => auth.create(o, { origin: 'http://localhost:8080' }));
        await attempt((o) => auth.create(o, { origin: 'http://app.localhost:5173' }));
        await attempt((o) => auth.create(o, { origin: 'https://app.example.net' }));
        await attempt((o) => auth.create(o, { origin: t.url }));
        // In a cross-origin frame: only inside a top-level page of an allowed origin (WebAuthn L3 §7.1, topOrigin).
        await expectError(attempt((o) => auth.create(o, { framedIn: 'https://evil.example' })), 'WebAuthnOriginNotAllowedException', /frame inside https:\/\/evil\.example/);
        await expectError(attempt((o) => auth.create(o, { framedIn: null })), 'WebAuthnOriginNotAllowedException', /frame inside a page of unknown origin/);
        await attempt((o) => auth.create(o, { framedIn: 'https://app.example.net' }));
        assert.equal((await s.list(token)).Credentials.length, 5);
      });

      it('user verification preferred accepts an authenticator that does not verify the user', async () => {
        const s = await setup({ webAuthn: { RelyingPartyId: 'localhost', UserVerification: 'preferred' } });
        const token = await s.user('gus');
        await s.register(token, new SoftAuthenticator(ORIGIN, { uv: false }));
        assert.equal((await s.list(token)).Credentials.length, 1);
      });

      it('LimitExceededException past 20 passkeys a user', async () => {
        const s = await setup();
        const token = await s.user('hal');
        for (let i = 0; i < 20; i++) await s.register(token);
        await expectError(send(new StartWebAuthnRegistrationCommand({ AccessToken: token })), 'LimitExceededException', /at most 20/);
      });
    });

    describe('ListWebAuthnCredentials and DeleteWebAuthnCredential', () => {
      it('pages through the passkeys, deletes one, and only the owner can', async () => {
        const s = await setup();
        const token = await s.user('ida');
        const ids = [];
        for (let i = 0; i < 3; i++) ids.push((await s.register(token)).id);
        const seen: string[] = [];
        let NextToken: string | undefined;
        do {
          const p = await s.list(token, { MaxResults: 2, ...(NextToken ? { NextToken } : {}) });
          assert.ok(p.Credentials.length <= 2);
          seen.push(...p.Credentials.map((c: any) => c.CredentialId));
          NextToken = p.NextToken;
        } while (NextToken);
        assert.deepEqual(seen, [...ids].sort());
        assert.equal((await s.list(token, { MaxResults: 0 })).Credentials.length, 3);
        await expectError(s.list(token, { MaxResults: 21 }), 'InvalidParameterException');
        await expectError(s.list(token, { NextToken: 'bm90LWEtdG9rZW4' }), 'InvalidParameterException');

        const other = await s.user('jon');
        await expectError(send(new DeleteWebAuthnCredentialCommand({ AccessToken: other, CredentialId: ids[0] })), 'ResourceNotFoundException');
        await send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: ids[0] }));
        assert.deepEqual(
          (await s.list(token)).Credentials.map((c: any) => c.CredentialId),
          ids.slice(1).sort(),
        );
        await expectError(send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: ids[0] })), 'ResourceNotFoundException');
        // A long ID is not echoed whole.
        await assert.rejects(send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: 'x'.repeat(10_000) })), (e: any) => {
          assert.equal(e.name, 'ResourceNotFoundException');
          assert.ok(e.message.length < 200, e.message);
          return true;
        });
      });

      it('the passkeys go with their user and with their pool', async () => {
        const s = await setup();
        const token = await s.user('kim');
        await s.register(token);
        await send(new AdminDeleteUserCommand({ UserPoolId: s.poolId, Username: 'kim' }));
        const again = await s.user('kim');
        assert.deepEqual((await s.list(again)).Credentials, []);
        await s.register(again);
        const { user } = await records(s.poolId, 'kim');
        assert.equal((await t.server.store.webauthn.count(s.poolId, user.usernameKey)), 1);
        await send(new DeleteUserPoolCommand({ UserPoolId: s.poolId }));
        assert.equal((await t.server.store.webauthn.count(s.poolId, user.usernameKey)), 0);
      });
    });

    describe('the hosted /passkeys/add page (HTTP)', () => {
      it('checks the client, the callback and the session; registers with the page\'s options; refuses a bad origin and a missing CSRF token', async () => {
        const callback = 'https://app.example.net/callback';
        const s = await setup({ callbacks: [callback] });
        await s.user('uma');
        const browser = new FormClient(t.url);
        const add = `/passkeys/add?${new URLSearchParams({ client_id: s.clientId, redirect_uri: callback })}`;
        assert.equal((await browser.get('/passkeys/add')).status, 400);
        const mismatch = await browser.get(`/passkeys/add?${new URLSearchParams({ client_id: s.clientId, redirect_uri: 'https://app.example.net/other' })}`);
        assert.equal(mismatch.status, 400);
        assert.match(pageMessage(mismatch.html)!, /redirect_mismatch/);
        assert.equal((await browser.get(`/passkeys/add?${new URLSearchParams({ client_id: 'nosuchclient', redirect_uri: callback })}`)).status, 400);
        assert.equal((await browser.get(add)).status, 401, 'not signed in');
        // Sign in on the hosted page (its session cookie), then the passkey page.
        const login = await browser.follow(await browser.get(`/oauth2/authorize?${new URLSearchParams({ client_id: s.clientId, response_type: 'code', redirect_uri: callback })}`));
        assert.match(login.html, /Sign in with a passkey/);
        const signedIn = await browser.submit(login, { username: 'uma', password: PASSWORD, method: 'password' });
        assert.equal(signedIn.status, 302);
        assert.ok(signedIn.location!.startsWith(`${callback}?code=`));
        const page = await browser.get(add);
        assert.equal(page.status, 200);
        assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
        const optionsOf = (html: string) => JSON.parse(/<script type="application\/json" id="passkey-options">([\s\S]*?)<\/script>/.exec(html)![1]!);
        const options = optionsOf(page.html);
        assert.equal(options.rp.id, 'localhost');
        assert.equal(options.user.name, 'uma');
        // The browser's answer from another origin: refused, said on the page.
        const auth = new SoftAuthenticator(t.url);
        const bad = await browser.submit(page, { credential: JSON.stringify(auth.create(options, { origin: 'https://evil.example' })) });
        assert.equal(bad.status, 400);
        assert.match(pageMessage(bad.html)!, /origin https:\/\/evil\.example is not allowed/);
        // Without the form's CSRF token: refused.
        const again = await browser.get(add);
        const forged = await browser.request('/passkeys/add', {
          method: 'POST',
          body: new URLSearchParams({ client_id: s.clientId, redirect_uri: callback, credential: JSON.stringify(auth.create(optionsOf(again.html))) }),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(forged.status, 403);
        // The page's own options, answered from this server's origin: stored, back to the app.
        const fresh = await browser.get(add);
        const done = await browser.submit(fresh, { credential: JSON.stringify(auth.create(optionsOf(fresh.html))) });
        assert.equal(done.status, 302);
        assert.equal(done.location, callback);
        const { user } = await records(s.poolId, 'uma');
        assert.equal(await t.server.store.webauthn.count(s.poolId, user.usernameKey), 1);
        // The scripts.
        const lib = await browser.get('/passkeys/webauthn.js');
        assert.equal(lib.status, 200);
        assert.match(lib.headers.get('content-type')!, /^text\/javascript/);
        assert.match(lib.html, /SimpleWebAuthnBrowser/);
        assert.match((await browser.get('/passkeys/passkey.js')).html, /startRegistration/);
      });
    });

    describe('the WEB_AUTHN factor (signin/passkey.ts)', () => {
      it('hasPasskey, the request options, and a verified assertion that records its use', async () => {
        const s = await setup();
        const token = await s.user('lia');
        let { pool, user } = await records(s.poolId, 'lia');
        assert.equal(await hasPasskey(ctxOf(), pool, user), false);
        const { id, auth } = await s.register(token);
        assert.equal(await hasPasskey(ctxOf(), pool, user), true);
        const client = (await t.server.store.clients.get(s.clientId))!;
        const { parameters, challenge } = await passkeyChallenge(ctxOf(), pool, client, user);
        const options = JSON.parse(parameters.CREDENTIAL_REQUEST_OPTIONS);
        assert.deepEqual(Object.keys(options), ['hints', 'attestation', 'attestationFormats', 'challenge', 'timeout', 'rpId', 'allowCredentials', 'userVerification']);
        assert.equal(options.challenge, challenge);
        assert.equal(options.rpId, 'localhost');
        assert.equal(options.timeout, 180000);
        assert.equal(options.userVerification, 'required');
        assert.deepEqual(options.allowCredentials, [{ id, type: 'public-key', transports: ['internal'] }]);
        clock.advance(60_000);
        await passkeyVerify(ctxOf(), pool, client, user, challenge, JSON.stringify(auth.get(options)));
        const stored = (await t.server.store.webauthn.get(s.poolId, user.usernameKey, id))!;
        assert.equal(stored.signCount, 1);
        assert.equal(stored.lastUsedAt, clock.now());
        // A pool that stops offering WEB_AUTHN: no passkey is offered.
        await send(new UpdateUserPoolCommand({ UserPoolId: s.poolId, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] } } }));
        ({ pool, user } = await records(s.poolId, 'lia'));
        assert.equal(await hasPasskey(ctxOf(), pool, user), false);
      });

      it('refuses a replayed or backward counter, a wrong challenge, origin, RP ID, key, user, and a missing user verification', async () => {
        const s = await setup();
        const token = await s.user('max');
        const { id, auth } = await s.register(token);
        const { pool, user } = await records(s.poolId, 'max');
        const client = (await t.server.store.clients.get(s.clientId))!;
        const challenge = async () => {
          const c = await passkeyChallenge(ctxOf(), pool, client, user);
          return { options: JSON.parse(c.parameters.CREDENTIAL_REQUEST_OPTIONS), challenge: c.challenge };
        };
        const refused = async (p: Promise<unknown>, reason: RegExp) =>
          assert.rejects(p, (e: any) => {
            assert.equal(e.type, 'NotAuthorizedException', e.message);
            assert.match(e.message, reason);
            return true;
          });

        const c1 = await challenge();
        const answer = JSON.stringify(auth.get(c1.options));
        await passkeyVerify(ctxOf(), pool, client, user, c1.challenge, answer);
        // The same assertion again: its counter did not move.
        await refused(passkeyVerify(ctxOf(), pool, client, user, c1.challenge, answer), /counter/);
        const c2 = await challenge();
        await refused(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(auth.get(c2.options, id, { counter: 1 }))), /counter/);
        await refused(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(auth.get(c1.options))), /another challenge/);
        await refused(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(auth.get(c2.options, id, { origin: 'https://evil.example' }))), /origin/);
        await refused(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(auth.get(c2.options, id, { framedIn: 'https://evil.example' }))), /frame inside https:\/\/evil\.example/);
        await refused(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(auth.get(c2.options, id, { rpId: 'example.com' }))), /relying party/);
        await refused(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(auth.get(c2.options, id, { uv: false }))), /user verification/);
        const other = new SoftAuthenticator(ORIGIN);
        other.create({ rp: { id: 'localhost' }, user: { id: 'eA' }, challenge: 'x' });
        const stranger = [...other.keys.values()][0]!;
        await refused(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(auth.get(c2.options, id, { signWith: stranger }))), /signature/);
        await refused(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(other.get(c2.options, stranger.id))), /not registered/);
        await refused(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(auth.get(c2.options, id, { userHandle: 'b3RoZXI' }))), /user handle/);
        // Another user's passkey is not this user's.
        const token2 = await s.user('ned');
        const second = await s.register(token2);
        await refused(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(second.auth.get(c2.options, second.id))), /not registered/);
        await assert.rejects(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, undefined), (e: any) => e.type === 'InvalidParameterException');
        await assert.rejects(passkeyVerify(ctxOf(), pool, client, user, c2.challenge, '{'), (e: any) => e.type === 'InvalidParameterException');
        // After every refusal, the right answer still works.
        await passkeyVerify(ctxOf(), pool, client, user, c2.challenge, JSON.stringify(auth.get(c2.options, id)));
      });

      it('through USER_AUTH: PREFERRED_CHALLENGE and SELECT_CHALLENGE, the admin flow, a replayed assertion refused', async () => {
        const s = await setup();
        const token = await s.user('pia');
        const { id, auth } = await s.register(token);
        const { user } = await records(s.poolId, 'pia');
        const userAuth = (AuthParameters: Record<string, string>) => send(new InitiateAuthCommand({ ClientId: s.clientId, AuthFlow: 'USER_AUTH', AuthParameters }));
        const respond = (ChallengeName: string, Session: string, ChallengeResponses: Record<string, string>) =>
          send(new RespondToAuthChallengeCommand({ ClientId: s.clientId, ChallengeName: ChallengeName as any, Session, ChallengeResponses }));
        const w = await userAuth({ USERNAME: 'pia', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
        assert.equal(w.ChallengeName, 'WEB_AUTHN');
        assert.deepEqual(Object.keys(w.ChallengeParameters), ['CREDENTIAL_REQUEST_OPTIONS']);
        const options = JSON.parse(w.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
        assert.deepEqual(options.allowCredentials, [{ id, type: 'public-key', transports: ['internal'] }]);
        const answer = JSON.stringify(auth.get(options));
        const done = await respond('WEB_AUTHN', w.Session, { USERNAME: 'pia', CREDENTIAL: answer });
        assert.ok(done.AuthenticationResult.AccessToken);
        assert.equal((await t.server.store.webauthn.get(s.poolId, user.usernameKey, id))!.signCount, 1);
        // The same assertion in a new sign-in: another challenge, and a counter that did not move.
        const w2 = await userAuth({ USERNAME: 'pia', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
        await expectError(respond('WEB_AUTHN', w2.Session, { USERNAME: 'pia', CREDENTIAL: answer }), 'NotAuthorizedException', /another challenge/);
        // SELECT_CHALLENGE offers it; the answer WEB_AUTHN asks for the passkey.
        const select = await userAuth({ USERNAME: 'pia' });
        assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
        assert.ok(select.AvailableChallenges.includes('WEB_AUTHN'));
        const w3 = await respond('SELECT_CHALLENGE', select.Session, { USERNAME: 'pia', ANSWER: 'WEB_AUTHN' });
        assert.equal(w3.ChallengeName, 'WEB_AUTHN');
        const opts3 = JSON.parse(w3.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
        assert.ok((await respond('WEB_AUTHN', w3.Session, { USERNAME: 'pia', CREDENTIAL: JSON.stringify(auth.get(opts3)) })).AuthenticationResult.IdToken);
        // The admin flow.
        const a = await send(new AdminInitiateAuthCommand({ UserPoolId: s.poolId, ClientId: s.clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'pia', PREFERRED_CHALLENGE: 'WEB_AUTHN' } }));
        assert.equal(a.ChallengeName, 'WEB_AUTHN');
        const adminDone = await send(
          new AdminRespondToAuthChallengeCommand({
            UserPoolId: s.poolId,
            ClientId: s.clientId,
            ChallengeName: 'WEB_AUTHN',
            Session: a.Session,
            ChallengeResponses: { USERNAME: 'pia', CREDENTIAL: JSON.stringify(auth.get(JSON.parse(a.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS))) },
          }),
        );
        assert.ok(adminDone.AuthenticationResult.AccessToken);
        assert.equal((await t.server.store.webauthn.get(s.poolId, user.usernameKey, id))!.signCount, 3);
        // A passkey of another relying party ID than the pool's now is not offered; back, it is.
        await send(new SetUserPoolMfaConfigCommand({ UserPoolId: s.poolId, WebAuthnConfiguration: { RelyingPartyId: 'auth.example.com', UserVerification: 'required' } }));
        const moved = await userAuth({ USERNAME: 'pia', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
        assert.equal(moved.ChallengeName, 'SELECT_CHALLENGE');
        assert.ok(!moved.AvailableChallenges.includes('WEB_AUTHN'));
        await send(new SetUserPoolMfaConfigCommand({ UserPoolId: s.poolId, WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' } }));
        assert.equal((await userAuth({ USERNAME: 'pia', PREFERRED_CHALLENGE: 'WEB_AUTHN' })).ChallengeName, 'WEB_AUTHN');
        // Deleted, the passkey is no longer offered.
        await send(new DeleteWebAuthnCredentialCommand({ AccessToken: done.AuthenticationResult.AccessToken, CredentialId: id }));
        assert.equal((await userAuth({ USERNAME: 'pia', PREFERRED_CHALLENGE: 'WEB_AUTHN' })).ChallengeName, 'SELECT_CHALLENGE');
      });

      it('an authenticator that keeps no counter (always 0) signs in again and again', async () => {
        const s = await setup();
        const token = await s.user('oli');
        const { auth } = await s.register(token, new SoftAuthenticator(ORIGIN, { counterStep: 0 }));
        const { pool, user } = await records(s.poolId, 'oli');
        const client = (await t.server.store.clients.get(s.clientId))!;
        for (let i = 0; i < 2; i++) {
          const c = await passkeyChallenge(ctxOf(), pool, client, user);
          await passkeyVerify(ctxOf(), pool, client, user, c.challenge, JSON.stringify(auth.get(JSON.parse(c.parameters.CREDENTIAL_REQUEST_OPTIONS))));
        }
      });
    });
  });
}
