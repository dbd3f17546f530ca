/**
 * Passkeys as MFA, through the SDK on each store with the software authenticator
 * (tests/webauthn-authenticator.ts): WebAuthnConfiguration FactorConfiguration
 * MULTI_FACTOR_WITH_USER_VERIFICATION in a pool that requires MFA (ON) offers WEB_AUTHN as a first
 * factor, asks and checks user verification, and signs in without another MFA step; without user
 * verification the passkey is refused; SINGLE_FACTOR offers only the password under MFA ON; the
 * offer is the same for every name under PreventUserExistenceErrors; WebAuthnMfaSettings in
 * (Admin)SetUserMFAPreference with its rules, and its effect (user verification required).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  CompleteWebAuthnRegistrationCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand,
  type WebAuthnFactorConfigurationType,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';
import { SoftAuthenticator } from './webauthn-authenticator.js';
import { FormClient, pageMessage } from './hosted.js';

const PASSWORD = 'Correct-Horse-9';
const ORIGIN = 'http://localhost:3000';
const CALLBACK = 'https://app.example.net/callback';
const FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const;

for (const backend of await backends()) {
  describe(`passkeys as MFA (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t?.close());

    /**
     * A pool with PASSWORD and WEB_AUTHN first factors, TOTP MFA, RP ID localhost, UserVerification
     * preferred and the FactorConfiguration given; MFA OFF until `mfa` is called (users register
     * their passkeys before).
     */
    async function setup(factor: WebAuthnFactorConfigurationType | undefined) {
      const UserPoolId: string = (
        await send(new CreateUserPoolCommand({ PoolName: 'passkey-mfa', UserPoolTier: 'ESSENTIALS', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } }))
      ).UserPool.Id;
      const client = async (hides = false) =>
        (
          await send(
            new CreateUserPoolClientCommand({
              UserPoolId,
              ClientName: hides ? 'hiding' : 'app',
              ExplicitAuthFlows: [...FLOWS],
              ...(hides ? { PreventUserExistenceErrors: 'ENABLED' } : {}),
              CallbackURLs: [CALLBACK],
              AllowedOAuthFlows: ['code'],
              AllowedOAuthFlowsUserPoolClient: true,
              AllowedOAuthScopes: ['openid'],
              SupportedIdentityProviders: ['COGNITO'],
            }),
          )
        ).UserPoolClient.ClientId as string;
      const ClientId = await client();
      await send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId,
          MfaConfiguration: 'OFF',
          WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred', ...(factor ? { FactorConfiguration: factor } : {}) },
        }),
      );
      /** A user with a password and an email; its access token (signed in while MFA is OFF). */
      const user = async (Username: string) => {
        await send(new AdminCreateUserCommand({ UserPoolId, Username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${Username}@example.com` }] }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId, Username, Password: PASSWORD, Permanent: true }));
        return (await send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: Username, PASSWORD } }))).AuthenticationResult.AccessToken as string;
      };
      /** A passkey registered for the user with a software authenticator (UV on unless told). */
      const register = async (AccessToken: string, uv = true) => {
        const auth = new SoftAuthenticator(ORIGIN, { uv: true });
        const { CredentialCreationOptions } = await send(new StartWebAuthnRegistrationCommand({ AccessToken }));
        await send(new CompleteWebAuthnRegistrationCommand({ AccessToken, Credential: auth.create(CredentialCreationOptions) }));
        auth.uv = uv;
        return auth;
      };
      const mfa = (MfaConfiguration: 'ON' | 'OPTIONAL') => send(new SetUserPoolMfaConfigCommand({ UserPoolId, MfaConfiguration, SoftwareTokenMfaConfiguration: { Enabled: true } }));
      const userAuth = (AuthParameters: Record<string, string>, cid = ClientId) => send(new InitiateAuthCommand({ ClientId: cid, AuthFlow: 'USER_AUTH', AuthParameters }));
      const respond = (ChallengeName: string, Session: string, ChallengeResponses: Record<string, string>, cid = ClientId) =>
        send(new RespondToAuthChallengeCommand({ ClientId: cid, ChallengeName: ChallengeName as any, Session, ChallengeResponses }));
      return { UserPoolId, ClientId, client, user, register, mfa, userAuth, respond };
    }

    it('MFA ON, MULTI_FACTOR_WITH_USER_VERIFICATION: WEB_AUTHN is offered, asks user verification, and signs in without another MFA step', async () => {
      const s = await setup('MULTI_FACTOR_WITH_USER_VERIFICATION');
      const auth = await s.register(await s.user('mia'));
      await s.user('nopk');
      await s.mfa('ON');
      // The password still needs MFA (no factor set up yet: MFA_SETUP).
      const pw = await send(new InitiateAuthCommand({ ClientId: s.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'mia', PASSWORD } }));
      assert.equal(pw.ChallengeName, 'MFA_SETUP');
      // SELECT_CHALLENGE offers the passkey to the user who has one, not to one who has none.
      const select = await s.userAuth({ USERNAME: 'mia' });
      assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN']);
      assert.deepEqual((await s.userAuth({ USERNAME: 'nopk' })).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      const w = await s.respond('SELECT_CHALLENGE', select.Session, { USERNAME: 'mia', ANSWER: 'WEB_AUTHN' });
      assert.equal(w.ChallengeName, 'WEB_AUTHN');
      const options = JSON.parse(w.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
      assert.equal(options.userVerification, 'required', 'the pool prefers user verification; as MFA it is required');
      const done = await s.respond('WEB_AUTHN', w.Session, { USERNAME: 'mia', CREDENTIAL: JSON.stringify(auth.get(options)) });
      assert.equal(done.ChallengeName, undefined);
      assert.ok(done.AuthenticationResult.AccessToken);
      assert.equal((await send(new GetUserCommand({ AccessToken: done.AuthenticationResult.AccessToken }))).Username, 'mia');
      // PREFERRED_CHALLENGE WEB_AUTHN goes straight to the passkey.
      const direct = await s.userAuth({ USERNAME: 'mia', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
      assert.equal(direct.ChallengeName, 'WEB_AUTHN');
      const options2 = JSON.parse(direct.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
      assert.ok((await s.respond('WEB_AUTHN', direct.Session, { USERNAME: 'mia', CREDENTIAL: JSON.stringify(auth.get(options2)) })).AuthenticationResult.IdToken);
    });

    it('MFA ON, MULTI_FACTOR_WITH_USER_VERIFICATION: an assertion without user verification is refused', async () => {
      const s = await setup('MULTI_FACTOR_WITH_USER_VERIFICATION');
      const auth = await s.register(await s.user('noah'), false);
      await s.mfa('ON');
      const w = await s.userAuth({ USERNAME: 'noah', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
      assert.equal(w.ChallengeName, 'WEB_AUTHN');
      const options = JSON.parse(w.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
      await expectError(
        s.respond('WEB_AUTHN', w.Session, { USERNAME: 'noah', CREDENTIAL: JSON.stringify(auth.get(options)) }),
        'NotAuthorizedException',
        /counts as MFA must verify the user .*user verification/,
      );
      // The same passkey with user verification passes.
      auth.uv = true;
      const w2 = await s.userAuth({ USERNAME: 'noah', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
      const options2 = JSON.parse(w2.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
      assert.ok((await s.respond('WEB_AUTHN', w2.Session, { USERNAME: 'noah', CREDENTIAL: JSON.stringify(auth.get(options2)) })).AuthenticationResult.AccessToken);
    });

    it('MFA ON, SINGLE_FACTOR (or not set): WEB_AUTHN is not offered; PREFERRED_CHALLENGE WEB_AUTHN gets SELECT_CHALLENGE without it', async () => {
      for (const factor of ['SINGLE_FACTOR', undefined] as const) {
        const s = await setup(factor);
        await s.register(await s.user('sam'));
        await s.mfa('ON');
        const select = await s.userAuth({ USERNAME: 'sam' });
        assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP'], `FactorConfiguration ${factor}`);
        const preferred = await s.userAuth({ USERNAME: 'sam', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
        assert.equal(preferred.ChallengeName, 'SELECT_CHALLENGE');
        assert.deepEqual(preferred.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      }
    });

    it('MFA ON, MULTI_FACTOR_WITH_USER_VERIFICATION, PreventUserExistenceErrors: the same offer and the same options for every name', async () => {
      const s = await setup('MULTI_FACTOR_WITH_USER_VERIFICATION');
      const hiding = await s.client(true);
      const auth = await s.register(await s.user('hana'));
      await s.user('nopass');
      await s.mfa('ON');
      for (const name of ['hana', 'nopass', 'nobody-here']) {
        const select = await s.userAuth({ USERNAME: name }, hiding);
        assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN'], name);
        const w = await s.respond('SELECT_CHALLENGE', select.Session, { USERNAME: name, ANSWER: 'WEB_AUTHN' }, hiding);
        assert.equal(w.ChallengeName, 'WEB_AUTHN', name);
        const options = JSON.parse(w.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
        assert.equal(options.userVerification, 'required', name);
        assert.equal(options.allowCredentials.length, 1, name);
        if (name === 'hana') {
          assert.ok((await s.respond('WEB_AUTHN', w.Session, { USERNAME: name, CREDENTIAL: JSON.stringify(auth.get(options)) }, hiding)).AuthenticationResult.AccessToken);
        }
      }
    });

    it('hosted pages, MFA ON: the passkey button only where passkeys count as MFA; its ceremony asks user verification and signs in without MFA', async () => {
      const s = await setup('MULTI_FACTOR_WITH_USER_VERIFICATION');
      const auth = await s.register(await s.user('hugo'), false);
      await s.mfa('ON');
      const browser = new FormClient(t.url);
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: s.ClientId, response_type: 'code', redirect_uri: CALLBACK })}`;
      const login = await browser.follow(await browser.get(authorize));
      assert.match(login.html, /Sign in with a passkey/);
      const ceremony = async () => {
        const page = await browser.submit(await browser.follow(await browser.get(authorize)), { username: 'hugo', password: '', method: 'passkey' });
        assert.equal(page.status, 200, page.html);
        const options = JSON.parse(/<script type="application\/json" id="passkey-options">([^<]*)<\/script>/.exec(page.html)![1]!);
        assert.equal(options.userVerification, 'required');
        return { page, options };
      };
      // Without user verification: refused, back to the sign-in page with the reason.
      const first = await ceremony();
      const refused = await browser.submit(first.page, { credential: JSON.stringify(auth.get(first.options, undefined, { origin: new URL(t.url).origin })) });
      assert.equal(refused.status, 400);
      assert.match(pageMessage(refused.html)!, /must verify the user/);
      // With it: straight to the callback with a code, no MFA page.
      auth.uv = true;
      const second = await ceremony();
      const done = await browser.submit(second.page, { credential: JSON.stringify(auth.get(second.options, undefined, { origin: new URL(t.url).origin })) });
      assert.equal(done.status, 302, done.html);
      assert.ok(done.location!.startsWith(`${CALLBACK}?code=`), done.location!);
      // SINGLE_FACTOR under MFA ON: no passkey button.
      const single = await setup('SINGLE_FACTOR');
      await single.mfa('ON');
      const plain = await browser.follow(await browser.get(`/oauth2/authorize?${new URLSearchParams({ client_id: single.ClientId, response_type: 'code', redirect_uri: CALLBACK })}`));
      assert.equal(plain.status, 200);
      assert.doesNotMatch(plain.html, /Sign in with a passkey/);
    });

    it('WebAuthnMfaSettings: needs a MULTI_FACTOR_WITH_USER_VERIFICATION pool and another MFA method; kept out of UserMFASettingList', async () => {
      const single = await setup('SINGLE_FACTOR');
      const tokenS = await single.user('sia');
      await expectError(
        send(new SetUserMFAPreferenceCommand({ AccessToken: tokenS, EmailMfaSettings: { Enabled: true }, WebAuthnMfaSettings: { Enabled: true } })),
        'InvalidParameterException',
        /FactorConfiguration to MULTI_FACTOR_WITH_USER_VERIFICATION/,
      );
      // Turning it off is always accepted.
      await send(new SetUserMFAPreferenceCommand({ AccessToken: tokenS, WebAuthnMfaSettings: { Enabled: false } }));

      const s = await setup('MULTI_FACTOR_WITH_USER_VERIFICATION');
      const token = await s.user('mo');
      const stored = async () => (await t.server.store.users.get(s.UserPoolId, 'mo'))!.mfa;
      // Alone: no other MFA method, refused (the user would be locked out without the passkey); nothing written.
      await expectError(send(new SetUserMFAPreferenceCommand({ AccessToken: token, WebAuthnMfaSettings: { Enabled: true } })), 'InvalidParameterException', /needs another MFA method enabled/);
      await expectError(
        send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: s.UserPoolId, Username: 'mo', WebAuthnMfaSettings: { Enabled: true } })),
        'InvalidParameterException',
        /needs another MFA method enabled/,
      );
      assert.equal((await stored()).webAuthnMfa, undefined);
      // With email MFA in the same request: accepted, stored; UserMFASettingList lists email MFA only.
      await send(new SetUserMFAPreferenceCommand({ AccessToken: token, EmailMfaSettings: { Enabled: true }, WebAuthnMfaSettings: { Enabled: true } }));
      assert.equal((await stored()).webAuthnMfa, true);
      assert.deepEqual((await send(new GetUserCommand({ AccessToken: token }))).UserMFASettingList, ['EMAIL_OTP']);
      assert.deepEqual((await send(new AdminGetUserCommand({ UserPoolId: s.UserPoolId, Username: 'mo' }))).UserMFASettingList, ['EMAIL_OTP']);
      // A request without WebAuthnMfaSettings leaves it as it is.
      await send(new SetUserMFAPreferenceCommand({ AccessToken: token, EmailMfaSettings: { Enabled: true, PreferredMfa: true } }));
      assert.equal((await stored()).webAuthnMfa, true);
      // The last other method cannot go while passkey MFA is on; both together can.
      await expectError(
        send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: s.UserPoolId, Username: 'mo', EmailMfaSettings: { Enabled: false } })),
        'InvalidParameterException',
        /turn passkey MFA off/,
      );
      assert.deepEqual((await stored()).enabled, ['EMAIL_OTP']);
      await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: s.UserPoolId, Username: 'mo', EmailMfaSettings: { Enabled: false }, WebAuthnMfaSettings: { Enabled: false } }));
      const after = await stored();
      assert.equal(after.webAuthnMfa, undefined);
      assert.equal(after.enabled, undefined);
    });

    it('WebAuthnMfaSettings Enabled: the user’s passkey sign-ins must verify the user, in a pool whose UserVerification is only preferred', async () => {
      const s = await setup('MULTI_FACTOR_WITH_USER_VERIFICATION');
      const token = await s.user('uma');
      const auth = await s.register(token, false);
      const signIn = async () => {
        const w = await s.userAuth({ USERNAME: 'uma', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
        assert.equal(w.ChallengeName, 'WEB_AUTHN');
        const options = JSON.parse(w.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
        return { options, answer: () => s.respond('WEB_AUTHN', w.Session, { USERNAME: 'uma', CREDENTIAL: JSON.stringify(auth.get(options)) }) };
      };
      // Before: MFA OFF, UV preferred, an assertion without UV signs in.
      const before = await signIn();
      assert.equal(before.options.userVerification, 'preferred');
      assert.ok((await before.answer()).AuthenticationResult.AccessToken);
      await send(new SetUserMFAPreferenceCommand({ AccessToken: token, EmailMfaSettings: { Enabled: true }, WebAuthnMfaSettings: { Enabled: true } }));
      const after = await signIn();
      assert.equal(after.options.userVerification, 'required');
      await expectError(after.answer(), 'NotAuthorizedException', /user verification/);
      auth.uv = true;
      assert.ok((await (await signIn()).answer()).AuthenticationResult.AccessToken);
    });
  });
}
