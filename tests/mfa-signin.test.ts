/**
 * MFA in the sign-in engine through the SDK, on each store, with the clock injected: the
 * SOFTWARE_TOKEN_MFA, SMS_MFA and EMAIL_OTP challenges on the password, SRP and admin flows (and
 * after NEW_PASSWORD_REQUIRED), SELECT_MFA_TYPE, MFA_SETUP with AssociateSoftwareToken and
 * VerifySoftwareToken called with the Session, wrong and reused codes, expiry and the lockout, and
 * MFA with remembered devices (MFA before the device's proof, or the proof instead of MFA).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateDeviceStatusCommand,
  AssociateSoftwareTokenCommand,
  ConfirmDeviceCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
  type DeviceConfigurationType,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { totpAt as totp } from './client-fixtures.js';
import { adminFetch, backends, expectError, startTestServer, TestClock, type TestServer } from './harness.js';
import { FormClient, lastCode, pageMessage, type PageResult } from './hosted.js';
import { DeviceSrpClient, makeDeviceSecret, SrpClient } from './srp-client.js';

const PASSWORD = 'Correct-Horse-9';
const TEMPORARY = 'Temp-Pass-123';
const CALLBACK = 'http://localhost:8976/callback';
const FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH'] as ExplicitAuthFlowsType[];
const SMS = { SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'incognito' }, SmsAuthenticationMessage: 'Your sign-in code: {####}' };

for (const backend of await backends()) {
  describe(`MFA at sign-in (${backend.name})`, () => {
    // On a 30-second boundary, so that "one step later" is exact.
    const clock = new TestClock(Math.floor(Date.now() / 30_000) * 30_000 + 5_000);
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend, {}, { clock: clock.now });
    });
    after(() => t?.close());

    async function pool(mfa: 'ON' | 'OPTIONAL', factors: { totp?: boolean; sms?: boolean; email?: boolean }, DeviceConfiguration?: DeviceConfigurationType) {
      const input: any = { PoolName: 'mfa', ...(DeviceConfiguration ? { DeviceConfiguration } : {}) };
      if (factors.email) input.EmailConfiguration = { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', From: 'no-reply@example.com' };
      if (factors.sms) input.SmsConfiguration = SMS.SmsConfiguration;
      const poolId = (await send(new CreateUserPoolCommand(input))).UserPool.Id as string;
      await send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: poolId,
          MfaConfiguration: mfa,
          ...(factors.totp ? { SoftwareTokenMfaConfiguration: { Enabled: true } } : {}),
          ...(factors.sms ? { SmsMfaConfiguration: SMS } : {}),
          ...(factors.email ? { EmailMfaConfiguration: { Message: 'Email code {####}', Subject: 'Your code' } } : {}),
        }),
      );
      const clientId = (
        await send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: 'app',
            ExplicitAuthFlows: FLOWS,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid'],
            CallbackURLs: [CALLBACK],
            SupportedIdentityProviders: ['COGNITO'],
          }),
        )
      ).UserPoolClient.ClientId as string;
      return { poolId, clientId };
    }
    async function user(poolId: string, Username: string, attrs: Record<string, string> = {}, temporary = false) {
      await send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username,
          MessageAction: 'SUPPRESS',
          TemporaryPassword: TEMPORARY,
          UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      if (!temporary) await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
    }
    const passwordAuth = (ClientId: string, USERNAME: string, pw = PASSWORD) =>
      send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: pw } }));
    const respond = (ClientId: string, ChallengeName: string, Session: string, ChallengeResponses: Record<string, string>) =>
      send(new RespondToAuthChallengeCommand({ ClientId, ChallengeName: ChallengeName as any, Session, ChallengeResponses }));
    /** A user with a verified software token, set up while signed in (no MFA yet). */
    async function withToken(poolId: string, clientId: string, name: string): Promise<string> {
      const first = await passwordAuth(clientId, name);
      assert.ok(first.AuthenticationResult, `${name} signs in without MFA before a token: ${JSON.stringify(first)}`);
      const AccessToken = first.AuthenticationResult.AccessToken;
      const { SecretCode } = await send(new AssociateSoftwareTokenCommand({ AccessToken }));
      await send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totp(SecretCode, clock.now()), FriendlyDeviceName: 'phone' }));
      clock.advance(30_000); // the set-up code's step is used up
      await send(new SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
      return SecretCode;
    }

    it('SOFTWARE_TOKEN_MFA on the password, SRP and admin flows: wrong, reused and drifted codes', async () => {
      const { poolId, clientId } = await pool('OPTIONAL', { totp: true });
      await user(poolId, 'tina');
      const secret = await withToken(poolId, clientId, 'tina');

      const r = await passwordAuth(clientId, 'tina');
      assert.equal(r.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      assert.deepEqual(r.ChallengeParameters, { FRIENDLY_DEVICE_NAME: 'phone', USER_ID_FOR_SRP: 'tina' });
      assert.equal(r.AuthenticationResult, undefined);
      const wrong = totp(secret, clock.now() + 120_000);
      await expectError(respond(clientId, 'SOFTWARE_TOKEN_MFA', r.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: wrong }), 'CodeMismatchException', 'Invalid code received for user');
      // The session survives a wrong code.
      const code = totp(secret, clock.now());
      const done = await respond(clientId, 'SOFTWARE_TOKEN_MFA', r.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: code });
      assert.equal((await send(new GetUserCommand({ AccessToken: done.AuthenticationResult.AccessToken }))).Username, 'tina');
      // Used: the session, and the code (in a new sign-in).
      await expectError(respond(clientId, 'SOFTWARE_TOKEN_MFA', r.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: code }), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');
      const again = await passwordAuth(clientId, 'tina');
      await expectError(respond(clientId, 'SOFTWARE_TOKEN_MFA', again.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: code }), 'ExpiredCodeException', 'Your software token has already been used once.');
      // Two steps ahead is too far; one step ahead passes (a phone's clock a little fast).
      await expectError(
        respond(clientId, 'SOFTWARE_TOKEN_MFA', again.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: totp(secret, clock.now() + 60_000) }),
        'CodeMismatchException',
        'Invalid code received for user',
      );
      assert.ok((await respond(clientId, 'SOFTWARE_TOKEN_MFA', again.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: totp(secret, clock.now() + 30_000) })).AuthenticationResult);
      // That step is used now: a code of the current step (older) is refused too.
      const third = await passwordAuth(clientId, 'tina');
      await expectError(respond(clientId, 'SOFTWARE_TOKEN_MFA', third.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: totp(secret, clock.now()) }), 'ExpiredCodeException', 'Your software token has already been used once.');
      clock.advance(60_000);

      // SRP: PASSWORD_VERIFIER, then the token.
      const srp = new SrpClient(poolId);
      const init = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'tina', SRP_A: srp.A } }));
      const mfa = await respond(clientId, 'PASSWORD_VERIFIER', undefined as any, srp.respond(init.ChallengeParameters, PASSWORD));
      assert.equal(mfa.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      assert.ok((await respond(clientId, 'SOFTWARE_TOKEN_MFA', mfa.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: totp(secret, clock.now()) })).AuthenticationResult);
      clock.advance(30_000);

      // Admin flow and AdminRespondToAuthChallenge.
      const a = await send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'tina', PASSWORD } }));
      assert.equal(a.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      const ad = await send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: a.Session,
          ChallengeResponses: { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: totp(secret, clock.now()) },
        }),
      );
      assert.ok(ad.AuthenticationResult.AccessToken);
      clock.advance(30_000);

      // Turned off again: no challenge.
      await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'tina', SoftwareTokenMfaSettings: { Enabled: false } }));
      assert.ok((await passwordAuth(clientId, 'tina')).AuthenticationResult);
    });

    it('MFA_SETUP in a pool that requires MFA: AssociateSoftwareToken and VerifySoftwareToken with the Session, after NEW_PASSWORD_REQUIRED', async () => {
      const { poolId, clientId } = await pool('ON', { totp: true });
      await user(poolId, 'sam', {}, true);
      const np = await passwordAuth(clientId, 'sam', TEMPORARY);
      assert.equal(np.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      const setup = await respond(clientId, 'NEW_PASSWORD_REQUIRED', np.Session, { USERNAME: 'sam', NEW_PASSWORD: PASSWORD });
      assert.equal(setup.ChallengeName, 'MFA_SETUP');
      assert.equal(setup.AuthenticationResult, undefined);
      assert.deepEqual(JSON.parse(setup.ChallengeParameters.MFAS_CAN_SETUP), ['SOFTWARE_TOKEN_MFA']);
      // Not yet set up: MFA_SETUP cannot be answered; the session stays usable.
      await expectError(respond(clientId, 'MFA_SETUP', setup.Session, { USERNAME: 'sam' }), 'InvalidParameterException', /VerifySoftwareToken/);
      const assoc = await send(new AssociateSoftwareTokenCommand({ Session: setup.Session }));
      assert.match(assoc.SecretCode, /^[A-Z2-7]+$/);
      assert.ok(assoc.Session && assoc.Session !== setup.Session);
      await expectError(
        send(new VerifySoftwareTokenCommand({ Session: assoc.Session, UserCode: totp(assoc.SecretCode, clock.now() + 120_000) })),
        'EnableSoftwareTokenMFAException',
        'Code mismatch and fail enable Software Token MFA',
      );
      const verified = await send(new VerifySoftwareTokenCommand({ Session: assoc.Session, UserCode: totp(assoc.SecretCode, clock.now()), FriendlyDeviceName: 'laptop' }));
      assert.equal(verified.Status, 'SUCCESS');
      assert.ok(verified.Session);
      // The associate session was replaced.
      await expectError(send(new AssociateSoftwareTokenCommand({ Session: setup.Session })), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');
      const done = await respond(clientId, 'MFA_SETUP', verified.Session, { USERNAME: 'sam' });
      const me = await send(new GetUserCommand({ AccessToken: done.AuthenticationResult.AccessToken }));
      assert.deepEqual(me.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
      clock.advance(30_000);
      // The next sign-in asks for the token.
      const next = await passwordAuth(clientId, 'sam');
      assert.equal(next.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      assert.ok((await respond(clientId, 'SOFTWARE_TOKEN_MFA', next.Session, { USERNAME: 'sam', SOFTWARE_TOKEN_MFA_CODE: totp(assoc.SecretCode, clock.now()) })).AuthenticationResult);
      clock.advance(30_000);
    });

    it('SMS_MFA and EMAIL_OTP: codes through the outbox, masked destinations, SELECT_MFA_TYPE', async () => {
      const { poolId, clientId } = await pool('OPTIONAL', { sms: true, email: true, totp: true });
      await user(poolId, 'sue', { phone_number: '+15555550123', email: 'sue@example.com', email_verified: 'true' });
      await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'sue', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const r = await passwordAuth(clientId, 'sue');
      assert.equal(r.ChallengeName, 'SMS_MFA');
      assert.equal(r.ChallengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
      assert.match(r.ChallengeParameters.CODE_DELIVERY_DESTINATION, /^\+\*+0123$/);
      const sms = await lastCode(t.url, poolId, 'sue', 'MFA');
      const wrong = sms === '000000' ? '111111' : '000000';
      await expectError(respond(clientId, 'SMS_MFA', r.Session, { USERNAME: 'sue', SMS_MFA_CODE: wrong }), 'CodeMismatchException', 'Invalid code received for user');
      assert.ok((await respond(clientId, 'SMS_MFA', r.Session, { USERNAME: 'sue', SMS_MFA_CODE: sms })).AuthenticationResult);

      // Email as well, neither preferred: SELECT_MFA_TYPE; Amplify's EMAIL_MFA spelling is accepted.
      await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'sue', SMSMfaSettings: { Enabled: true, PreferredMfa: false }, EmailMfaSettings: { Enabled: true } }));
      const s = await passwordAuth(clientId, 'sue');
      assert.equal(s.ChallengeName, 'SELECT_MFA_TYPE');
      assert.deepEqual(JSON.parse(s.ChallengeParameters.MFAS_CAN_CHOOSE), ['SMS_MFA', 'EMAIL_OTP']);
      await expectError(respond(clientId, 'SELECT_MFA_TYPE', s.Session, { USERNAME: 'sue', ANSWER: 'SOFTWARE_TOKEN_MFA' }), 'InvalidParameterException', /SMS_MFA, EMAIL_OTP/);
      const e = await respond(clientId, 'SELECT_MFA_TYPE', s.Session, { USERNAME: 'sue', ANSWER: 'EMAIL_MFA' });
      assert.equal(e.ChallengeName, 'EMAIL_OTP');
      assert.equal(e.ChallengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
      assert.match(e.ChallengeParameters.CODE_DELIVERY_DESTINATION, /^s\*+@e\*+/);
      const res = await adminFetch(`${t.url}/_incognito/messages?userPoolId=${poolId}&username=sue&limit=1`);
      const [mail] = ((await res.json()) as any).messages;
      assert.equal(mail.medium, 'EMAIL');
      assert.equal(mail.subject, 'Your code');
      assert.equal(mail.body, `Email code ${mail.code}`);
      // The code is good for 3 minutes; the session with it too: a late answer finds it expired.
      clock.advance(3 * 60_000 + 1);
      await expectError(respond(clientId, 'EMAIL_OTP', e.Session, { USERNAME: 'sue', EMAIL_OTP_CODE: mail.code }), 'NotAuthorizedException', 'Invalid session for the user, session is expired.');
      const s2 = await passwordAuth(clientId, 'sue');
      const e2 = await respond(clientId, 'SELECT_MFA_TYPE', s2.Session, { USERNAME: 'sue', ANSWER: 'EMAIL_OTP' });
      assert.ok((await respond(clientId, 'EMAIL_OTP', e2.Session, { USERNAME: 'sue', EMAIL_OTP_CODE: await lastCode(t.url, poolId, 'sue', 'MFA') })).AuthenticationResult);
    });

    it('SMS MFA required by the pool for a user with a phone number; five wrong codes lock the user out', async () => {
      const { poolId, clientId } = await pool('ON', { sms: true });
      await user(poolId, 'liam', { phone_number: '+15555550999' });
      let r = await passwordAuth(clientId, 'liam');
      assert.equal(r.ChallengeName, 'SMS_MFA');
      const code = await lastCode(t.url, poolId, 'liam', 'MFA');
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) await expectError(respond(clientId, 'SMS_MFA', r.Session, { USERNAME: 'liam', SMS_MFA_CODE: wrong }), 'CodeMismatchException', 'Invalid code received for user');
      // Locked: even the right code is refused now, and so is the password.
      await expectError(respond(clientId, 'SMS_MFA', r.Session, { USERNAME: 'liam', SMS_MFA_CODE: code }), 'NotAuthorizedException', 'Password attempts exceeded');
      await expectError(passwordAuth(clientId, 'liam'), 'NotAuthorizedException', 'Password attempts exceeded');
      clock.advance(1_001);
      r = await passwordAuth(clientId, 'liam');
      assert.ok((await respond(clientId, 'SMS_MFA', r.Session, { USERNAME: 'liam', SMS_MFA_CODE: await lastCode(t.url, poolId, 'liam', 'MFA') })).AuthenticationResult);
    });

    it("remembered devices: MFA, then the device's proof (answered with the MFA answer's Session too); with ChallengeRequiredOnNewDevice a remembered device's proof instead of MFA; an unknown device refused before a code is sent", async () => {
      for (const ChallengeRequiredOnNewDevice of [true, false]) {
        const name = ChallengeRequiredOnNewDevice ? 'dana' : 'dino';
        const { poolId, clientId } = await pool('OPTIONAL', { sms: true }, { ChallengeRequiredOnNewDevice, DeviceOnlyRememberedOnUserPrompt: true });
        await user(poolId, name, { phone_number: '+15555550111' });
        await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: name, SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
        const signIn = (DEVICE_KEY?: string) =>
          send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD, ...(DEVICE_KEY ? { DEVICE_KEY } : {}) } }));
        const messages = async () => ((await (await adminFetch(`${t.url}/_incognito/messages?userPoolId=${poolId}&username=${name}`)).json()) as any).messages.length as number;
        const sms = async (r: any, DEVICE_KEY?: string) => {
          assert.equal(r.ChallengeName, 'SMS_MFA');
          return respond(clientId, 'SMS_MFA', r.Session, { USERNAME: name, SMS_MFA_CODE: await lastCode(t.url, poolId, name, 'MFA'), ...(DEVICE_KEY ? { DEVICE_KEY } : {}) });
        };
        const deviceProof = async (challenge: any, secret: ReturnType<typeof makeDeviceSecret>) => {
          assert.equal(challenge.ChallengeName, 'DEVICE_SRP_AUTH');
          const d = new DeviceSrpClient(secret);
          const verifier = await respond(clientId, 'DEVICE_SRP_AUTH', challenge.Session, d.start(name));
          return respond(clientId, 'DEVICE_PASSWORD_VERIFIER', verifier.Session, d.respond(verifier.ChallengeParameters));
        };

        // A new device comes with the tokens after MFA; confirmed, not remembered (the user is asked).
        const first = (await sms(await signIn())).AuthenticationResult;
        const secret = makeDeviceSecret(first.NewDeviceMetadata);
        const confirmed = await send(new ConfirmDeviceCommand({ AccessToken: first.AccessToken, DeviceKey: secret.deviceKey, DeviceSecretVerifierConfig: secret.config, DeviceName: 'laptop' }));
        assert.equal(confirmed.UserConfirmationNecessary, true);

        // A confirmed device that is not remembered: MFA first, then the device's proof, answered
        // with the Session the code was sent with (as amazon-cognito-identity-js does).
        const a = await signIn(secret.deviceKey);
        const afterMfa = await sms(a, secret.deviceKey);
        assert.equal(afterMfa.ChallengeName, 'DEVICE_SRP_AUTH');
        assert.deepEqual(afterMfa.ChallengeParameters, {});
        const viaDevice = await deviceProof({ ...afterMfa, Session: a.Session }, secret);
        assert.equal(decodeJwt(viaDevice.AuthenticationResult.AccessToken).device_key, secret.deviceKey);
        // Single use all the same: that value answers nothing now.
        await expectError(respond(clientId, 'SMS_MFA', a.Session, { USERNAME: name, SMS_MFA_CODE: '123456' }), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');

        // Remembered: with ChallengeRequiredOnNewDevice the device's proof stands in for MFA (no
        // code is sent); without it, MFA still comes first.
        await send(new AdminUpdateDeviceStatusCommand({ UserPoolId: poolId, Username: name, DeviceKey: secret.deviceKey, DeviceRememberedStatus: 'remembered' }));
        const sent = await messages();
        const b = await signIn(secret.deviceKey);
        if (ChallengeRequiredOnNewDevice) {
          assert.equal(b.ChallengeName, 'DEVICE_SRP_AUTH');
          assert.equal(await messages(), sent, 'no MFA code is sent');
          assert.equal(decodeJwt((await deviceProof(b, secret)).AuthenticationResult.AccessToken).device_key, secret.deviceKey);
        } else {
          assert.ok((await deviceProof(await sms(b, secret.deviceKey), secret)).AuthenticationResult.AccessToken);
        }

        // A device the user does not have: refused right after the password, before any code is sent.
        const before = await messages();
        await expectError(signIn('us-east-1_00000000-0000-4000-8000-000000000000'), 'ResourceNotFoundException', 'Device does not exist.');
        assert.equal(await messages(), before);
      }
    });

    describe('on the hosted login page', () => {
      async function loginPage(clientId: string) {
        const browser = new FormClient(t.url);
        const page = await browser.follow(await browser.get(`/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`));
        assert.match(page.html, /<h1>Sign in<\/h1>/);
        return { browser, page };
      }
      const signedIn = (r: PageResult) => {
        assert.equal(r.status, 302, r.html);
        assert.ok(r.location?.startsWith(CALLBACK) && new URL(r.location).searchParams.get('code'), `callback with a code: ${r.location}`);
      };

      it('a software token code: wrong, then right', async () => {
        const { poolId, clientId } = await pool('OPTIONAL', { totp: true });
        await user(poolId, 'tom');
        const secret = await withToken(poolId, clientId, 'tom');
        const { browser, page } = await loginPage(clientId);
        let r = await browser.submit(page, { username: 'tom', password: PASSWORD });
        assert.equal(r.status, 200);
        assert.match(r.html, /<h1>Enter your authentication code<\/h1>/);
        assert.match(r.html, /authenticator app \(phone\)/);
        r = await browser.submit(r, { code: totp(secret, clock.now() + 120_000) });
        assert.equal(r.status, 400);
        assert.equal(pageMessage(r.html), 'Invalid code received for user');
        signedIn(await browser.submit(r, { code: totp(secret, clock.now()) }));
        clock.advance(30_000);
      });

      it('a pool that requires MFA: new password, then the authenticator set-up page with a QR code, then the code at the next sign-in', async () => {
        const { poolId, clientId } = await pool('ON', { totp: true });
        await user(poolId, 'quinn', {}, true);
        const { browser, page } = await loginPage(clientId);
        let r = await browser.submit(page, { username: 'quinn', password: TEMPORARY });
        assert.match(r.html, /<h1>Change your password<\/h1>/);
        r = await browser.submit(r, { new_password: PASSWORD, confirm_password: PASSWORD });
        assert.equal(r.status, 200, r.html);
        assert.match(r.html, /<h1>Set up an authenticator app<\/h1>/);
        assert.match(r.html, /<svg class="qr" role="img"[^>]*viewBox/);
        // The key, shown in groups of four (spans).
        const secret = /id="secret">(.*?)<\/p>/.exec(r.html)![1]!.replace(/<[^>]*>/g, '');
        assert.match(secret, /^[A-Z2-7]+$/);
        r = await browser.submit(r, { code: totp(secret, clock.now() + 120_000) });
        assert.equal(r.status, 400);
        assert.equal(pageMessage(r.html), 'Code mismatch and fail enable Software Token MFA');
        signedIn(await browser.submit(r, { code: totp(secret, clock.now()), device_name: 'Pixel' }));
        clock.advance(30_000);
        const again = await loginPage(clientId);
        r = await again.browser.submit(again.page, { username: 'quinn', password: PASSWORD });
        assert.match(r.html, /authenticator app \(Pixel\)/);
        signedIn(await again.browser.submit(r, { code: totp(secret, clock.now()) }));
        clock.advance(30_000);
      });

      it('a choice of factors, then a code by text message', async () => {
        const { poolId, clientId } = await pool('OPTIONAL', { sms: true, email: true });
        await user(poolId, 'cleo', { phone_number: '+15555550142', email: 'cleo@example.com', email_verified: 'true' });
        await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'cleo', SMSMfaSettings: { Enabled: true }, EmailMfaSettings: { Enabled: true } }));
        const { browser, page } = await loginPage(clientId);
        let r = await browser.submit(page, { username: 'cleo', password: PASSWORD });
        assert.match(r.html, /<h1>Choose how to confirm it is you<\/h1>/);
        assert.match(r.html, /name="answer" value="SMS_MFA">Text message \(SMS\)</);
        assert.match(r.html, /name="answer" value="EMAIL_OTP">Email</);
        r = await browser.submit(r, { answer: 'SMS_MFA' });
        assert.match(r.html, /We sent a code by text message to \+\*+0142\./);
        // Typed as authenticator apps and messages group it: the space is not part of the code.
        const code = await lastCode(t.url, poolId, 'cleo', 'MFA');
        signedIn(await browser.submit(r, { code: ` ${code.slice(0, 3)} ${code.slice(3)} ` }));
      });
    });
  });
}
