/**
 * MFA at sign-in with the real clients, end to end against a running server, on each store, the
 * server's clock injected (TOTP codes are computed with otpauth at that clock's time; SMS and email
 * codes are read from the outbox):
 *
 * - amazon-cognito-identity-js: authenticateUser reaching totpRequired (SRP and USER_PASSWORD_AUTH)
 *   then sendMFACode(code, callbacks, 'SOFTWARE_TOKEN_MFA'), a wrong code then the right one;
 *   mfaRequired (SMS) then sendMFACode; mfaSetup in a pool that requires MFA, then
 *   associateSoftwareToken (with the sign-in's Session) and verifySoftwareToken; selectMFAType then
 *   sendMFASelectionAnswer; setDeviceStatusRemembered, after which the next sign-in proves the
 *   device instead of MFA when ChallengeRequiredOnNewDevice is true, and passes MFA then the device
 *   when it is false.
 * - aws-amplify v6: signIn reaching CONTINUE_SIGN_IN_WITH_TOTP_SETUP (directly, or after
 *   CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION), CONFIRM_SIGN_IN_WITH_TOTP_CODE,
 *   CONFIRM_SIGN_IN_WITH_SMS_CODE, CONFIRM_SIGN_IN_WITH_EMAIL_CODE and
 *   CONTINUE_SIGN_IN_WITH_MFA_SELECTION, each finished with confirmSignIn; a wrong code then the
 *   right one on the same sign-in; rememberDevice, after which the next signIn skips MFA.
 *
 * Both clients check their tokens against the wall clock, so each test starts the server's clock
 * at the wall clock's time (on a 30-second boundary, plus 5 s) and only moves it forward by whole
 * TOTP steps. Amplify is a singleton: each test configures it for its own pool with a fresh token
 * store, and signs out after.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
  type CreateUserPoolCommandInput,
  type DeviceConfigurationType,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession, type ICognitoStorage } from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, fetchDevices, rememberDevice, signIn, signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { giveNavigator, memoryStorage, recordCognitoCalls, totpAt as codeAt } from './client-fixtures.js';
import { backends, startTestServer, TestClock, type TestServer } from './harness.js';
import { lastCode } from './hosted.js';

const PASSWORD = 'Correct-Horse-9';
const FLOWS: ExplicitAuthFlowsType[] = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
const SMS_CONFIGURATION = { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'incognito' };
const EMAIL_CONFIGURATION = { EmailSendingAccount: 'DEVELOPER' as const, SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', From: 'no-reply@example.com' };

/** A six-digit code that is not `code`. */
const other = (code: string) => (code === '000000' ? '111111' : '000000');

const calls = recordCognitoCalls();
giveNavigator();


/** Where an amazon-cognito-identity-js sign-in stopped: a callback and what it was given. */
type Step =
  | { kind: 'onSuccess'; session: CognitoUserSession; userConfirmationNecessary?: boolean }
  | { kind: 'totpRequired' | 'mfaRequired' | 'mfaSetup' | 'selectMFAType'; challengeName: string; parameters: Record<string, string> };

/** Runs one call of the library with every callback it may answer through, as one Step. */
function step(call: (callbacks: any) => void): Promise<Step> {
  return new Promise<Step>((resolve, reject) => {
    const challenge = (kind: Exclude<Step['kind'], 'onSuccess'>) => (challengeName: string, parameters: Record<string, string>) => resolve({ kind, challengeName, parameters });
    call({
      onSuccess: (session: CognitoUserSession, userConfirmationNecessary?: boolean) =>
        resolve({ kind: 'onSuccess', session, ...(userConfirmationNecessary !== undefined ? { userConfirmationNecessary } : {}) }),
      onFailure: reject,
      totpRequired: challenge('totpRequired'),
      mfaRequired: challenge('mfaRequired'),
      mfaSetup: challenge('mfaSetup'),
      selectMFAType: challenge('selectMFAType'),
      newPasswordRequired: () => reject(new Error('unexpected newPasswordRequired')),
      customChallenge: () => reject(new Error('unexpected customChallenge')),
    });
  });
}
function signedIn(s: Step): CognitoUserSession {
  assert.equal(s.kind, 'onSuccess', `signed in, not ${s.kind}`);
  return (s as Extract<Step, { kind: 'onSuccess' }>).session;
}

for (const backend of await backends()) {
  describe(`MFA with real clients (${backend.name})`, () => {
    const clock = new TestClock();
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend, {}, { clock: clock.now });
    });
    after(() => t?.close());
    // The wall clock's time, on a 30-second boundary plus 5 s, so that "the next step" is exact.
    beforeEach(() => clock.set(Math.floor(Date.now() / 30_000) * 30_000 + 5_000));

    /** A pool with MFA (OPTIONAL or ON) and the factors given, optionally tracking devices; an app client without a secret. */
    async function pool(mfa: 'ON' | 'OPTIONAL', factors: { totp?: boolean; sms?: boolean; email?: boolean }, DeviceConfiguration?: DeviceConfigurationType) {
      const input: CreateUserPoolCommandInput = { PoolName: 'mfa-clients', ...(DeviceConfiguration ? { DeviceConfiguration } : {}) };
      if (factors.sms) input.SmsConfiguration = SMS_CONFIGURATION;
      if (factors.email) input.EmailConfiguration = EMAIL_CONFIGURATION;
      const poolId = (await send(new CreateUserPoolCommand(input))).UserPool.Id as string;
      await send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: poolId,
          MfaConfiguration: mfa,
          ...(factors.totp ? { SoftwareTokenMfaConfiguration: { Enabled: true } } : {}),
          ...(factors.sms ? { SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your sign-in code: {####}', SmsConfiguration: SMS_CONFIGURATION } } : {}),
          ...(factors.email ? { EmailMfaConfiguration: { Message: 'Email code {####}', Subject: 'Your code' } } : {}),
        }),
      );
      const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: FLOWS }))).UserPoolClient.ClientId as string;
      return { poolId, clientId };
    }
    async function user(poolId: string, Username: string, attrs: Record<string, string> = {}) {
      await send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS', UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })) }),
      );
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
    }
    /** A verified software token for the user (signed in before MFA is on), turned on; returns its secret. */
    async function withToken(clientId: string, Username: string, preferred = true): Promise<string> {
      const first = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: Username, PASSWORD } }));
      const AccessToken = first.AuthenticationResult.AccessToken;
      const { SecretCode } = await send(new AssociateSoftwareTokenCommand({ AccessToken }));
      await send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: codeAt(SecretCode, clock.now()), FriendlyDeviceName: 'phone' }));
      clock.advance(30_000); // the set-up code's step is used up
      await send(new SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: preferred } }));
      return SecretCode;
    }
    const mfaCode = (poolId: string, username: string) => lastCode(t.url, poolId, username, 'MFA');

    describe('amazon-cognito-identity-js', () => {
      function libUser(poolId: string, clientId: string, Username: string, Storage: ICognitoStorage = memoryStorage()) {
        const userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: t.url + '/', Storage });
        return new CognitoUser({ Username, Pool: userPool, Storage });
      }
      const authenticate = (u: CognitoUser, Username: string) => step((cb) => u.authenticateUser(new AuthenticationDetails({ Username, Password: PASSWORD }), cb));

      it("totpRequired (SRP and USER_PASSWORD_AUTH), then sendMFACode with 'SOFTWARE_TOKEN_MFA': a wrong code, then the right one", async () => {
        const { poolId, clientId } = await pool('OPTIONAL', { totp: true });
        await user(poolId, 'tess');
        const secret = await withToken(clientId, 'tess');

        const u = libUser(poolId, clientId, 'tess');
        calls.length = 0;
        const s = await authenticate(u, 'tess');
        assert.equal(s.kind, 'totpRequired');
        assert.deepEqual(s, { kind: 'totpRequired', challengeName: 'SOFTWARE_TOKEN_MFA', parameters: { FRIENDLY_DEVICE_NAME: 'phone', USER_ID_FOR_SRP: 'tess' } });
        await assert.rejects(step((cb) => u.sendMFACode(other(codeAt(secret, clock.now())), cb, 'SOFTWARE_TOKEN_MFA')), { name: 'CodeMismatchException', message: 'Invalid code received for user' });
        // The library keeps the session; the server kept it usable.
        const session = signedIn(await step((cb) => u.sendMFACode(codeAt(secret, clock.now()), cb, 'SOFTWARE_TOKEN_MFA')));
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:SOFTWARE_TOKEN_MFA', 'RespondToAuthChallenge:SOFTWARE_TOKEN_MFA']);
        assert.equal(session.getAccessToken().payload.username, 'tess');
        assert.equal((await send(new GetUserCommand({ AccessToken: session.getAccessToken().getJwtToken() }))).Username, 'tess');
        clock.advance(30_000);

        // USER_PASSWORD_AUTH reaches the same callback.
        const p = libUser(poolId, clientId, 'tess');
        p.setAuthenticationFlowType('USER_PASSWORD_AUTH');
        calls.length = 0;
        const sp = await authenticate(p, 'tess');
        assert.equal(sp.kind, 'totpRequired');
        signedIn(await step((cb) => p.sendMFACode(codeAt(secret, clock.now()), cb, 'SOFTWARE_TOKEN_MFA')));
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:SOFTWARE_TOKEN_MFA']);
      });

      it('mfaRequired for SMS, then sendMFACode with the code from the text message', async () => {
        const { poolId, clientId } = await pool('OPTIONAL', { sms: true });
        await user(poolId, 'sid', { phone_number: '+15555550123' });
        await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'sid', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
        const u = libUser(poolId, clientId, 'sid');
        const s = await authenticate(u, 'sid');
        assert.deepEqual(s, {
          kind: 'mfaRequired',
          challengeName: 'SMS_MFA',
          parameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******0123', USER_ID_FOR_SRP: 'sid' },
        });
        const code = await mfaCode(poolId, 'sid');
        await assert.rejects(step((cb) => u.sendMFACode(other(code), cb)), { name: 'CodeMismatchException' });
        const session = signedIn(await step((cb) => u.sendMFACode(code, cb)));
        assert.equal(session.getIdToken().payload['cognito:username'], 'sid');
      });

      it('mfaSetup in a pool that requires MFA: associateSoftwareToken with the Session, verifySoftwareToken, signed in; the next sign-in asks for the code', async () => {
        const { poolId, clientId } = await pool('ON', { totp: true });
        await user(poolId, 'max');
        const u = libUser(poolId, clientId, 'max');
        calls.length = 0;
        const s = await authenticate(u, 'max');
        assert.equal(s.kind, 'mfaSetup');
        assert.deepEqual(s, { kind: 'mfaSetup', challengeName: 'MFA_SETUP', parameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]', USER_ID_FOR_SRP: 'max' } });
        const secret = await new Promise<string>((resolve, reject) => u.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }));
        assert.match(secret, /^[A-Z2-7]{52}$/);
        await assert.rejects(
          new Promise((resolve, reject) => u.verifySoftwareToken(other(codeAt(secret, clock.now())), 'lib phone', { onSuccess: resolve, onFailure: reject })),
          { name: 'EnableSoftwareTokenMFAException', message: 'Code mismatch and fail enable Software Token MFA' },
        );
        // The session survives the wrong code: the right one signs in.
        const session = await new Promise<CognitoUserSession>((resolve, reject) =>
          u.verifySoftwareToken(codeAt(secret, clock.now()), 'lib phone', { onSuccess: resolve as any, onFailure: reject }),
        );
        assert.deepEqual(calls, [
          'InitiateAuth',
          'RespondToAuthChallenge:PASSWORD_VERIFIER',
          'AssociateSoftwareToken',
          'VerifySoftwareToken',
          'VerifySoftwareToken',
          'RespondToAuthChallenge:MFA_SETUP',
        ]);
        const me = await send(new GetUserCommand({ AccessToken: session.getAccessToken().getJwtToken() }));
        assert.deepEqual(me.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
        clock.advance(30_000);

        const next = libUser(poolId, clientId, 'max');
        const n = await authenticate(next, 'max');
        assert.deepEqual(n, { kind: 'totpRequired', challengeName: 'SOFTWARE_TOKEN_MFA', parameters: { FRIENDLY_DEVICE_NAME: 'lib phone', USER_ID_FOR_SRP: 'max' } });
        signedIn(await step((cb) => next.sendMFACode(codeAt(secret, clock.now()), cb, 'SOFTWARE_TOKEN_MFA')));
      });

      it('selectMFAType, then sendMFASelectionAnswer: SOFTWARE_TOKEN_MFA leads to totpRequired, SMS_MFA to mfaRequired', async () => {
        const { poolId, clientId } = await pool('OPTIONAL', { totp: true, sms: true });
        await user(poolId, 'cleo', { phone_number: '+15555550142' });
        const secret = await withToken(clientId, 'cleo', false);
        await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'cleo', SMSMfaSettings: { Enabled: true } }));

        const u = libUser(poolId, clientId, 'cleo');
        const s = await authenticate(u, 'cleo');
        assert.deepEqual(s, { kind: 'selectMFAType', challengeName: 'SELECT_MFA_TYPE', parameters: { MFAS_CAN_CHOOSE: '["SMS_MFA","SOFTWARE_TOKEN_MFA"]', USER_ID_FOR_SRP: 'cleo' } });
        const totp = await step((cb) => u.sendMFASelectionAnswer('SOFTWARE_TOKEN_MFA', cb));
        assert.deepEqual(totp, { kind: 'totpRequired', challengeName: 'SOFTWARE_TOKEN_MFA', parameters: { FRIENDLY_DEVICE_NAME: 'phone' } });
        signedIn(await step((cb) => u.sendMFACode(codeAt(secret, clock.now()), cb, 'SOFTWARE_TOKEN_MFA')));

        const v = libUser(poolId, clientId, 'cleo');
        assert.equal((await authenticate(v, 'cleo')).kind, 'selectMFAType');
        const sms = await step((cb) => v.sendMFASelectionAnswer('SMS_MFA', cb));
        assert.deepEqual(sms, { kind: 'mfaRequired', challengeName: 'SMS_MFA', parameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******0142' } });
        const code = await mfaCode(poolId, 'cleo');
        signedIn(await step((cb) => v.sendMFACode(code, cb)));
      });

      it('setDeviceStatusRemembered with ChallengeRequiredOnNewDevice: the next sign-in proves the device and skips MFA', async () => {
        const { poolId, clientId } = await pool('OPTIONAL', { totp: true }, { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true });
        await user(poolId, 'dev');
        const secret = await withToken(clientId, 'dev');
        const Storage = memoryStorage();
        const u = libUser(poolId, clientId, 'dev', Storage);
        calls.length = 0;
        assert.equal((await authenticate(u, 'dev')).kind, 'totpRequired');
        // The MFA answer's tokens carry a new device, which the library confirms.
        const first = await step((cb) => u.sendMFACode(codeAt(secret, clock.now()), cb, 'SOFTWARE_TOKEN_MFA'));
        assert.deepEqual({ ...first, session: undefined }, { kind: 'onSuccess', session: undefined, userConfirmationNecessary: true });
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:SOFTWARE_TOKEN_MFA', 'ConfirmDevice']);
        const deviceKey = Storage.getItem(`CognitoIdentityServiceProvider.${clientId}.dev.deviceKey`);
        assert.ok(deviceKey);
        clock.advance(30_000);

        // Confirmed, not remembered yet: MFA still, then the device's proof.
        const v = libUser(poolId, clientId, 'dev', Storage);
        calls.length = 0;
        assert.equal((await authenticate(v, 'dev')).kind, 'totpRequired');
        const second = signedIn(await step((cb) => v.sendMFACode(codeAt(secret, clock.now()), cb, 'SOFTWARE_TOKEN_MFA')));
        assert.deepEqual(calls, [
          'InitiateAuth',
          'RespondToAuthChallenge:PASSWORD_VERIFIER',
          'RespondToAuthChallenge:SOFTWARE_TOKEN_MFA',
          'RespondToAuthChallenge:DEVICE_SRP_AUTH',
          'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER',
        ]);
        assert.equal(second.getAccessToken().payload.device_key, deviceKey);
        clock.advance(30_000);

        assert.equal(await new Promise((resolve, reject) => v.setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject })), 'SUCCESS');
        const w = libUser(poolId, clientId, 'dev', Storage);
        calls.length = 0;
        const third = signedIn(await authenticate(w, 'dev'));
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:DEVICE_SRP_AUTH', 'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER']);
        assert.equal(third.getAccessToken().payload.device_key, deviceKey);
      });

      it('setDeviceStatusRemembered without ChallengeRequiredOnNewDevice: the next sign-in still asks for MFA, then proves the device', async () => {
        const { poolId, clientId } = await pool('OPTIONAL', { totp: true }, { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true });
        await user(poolId, 'nod');
        const secret = await withToken(clientId, 'nod');
        const Storage = memoryStorage();
        const u = libUser(poolId, clientId, 'nod', Storage);
        assert.equal((await authenticate(u, 'nod')).kind, 'totpRequired');
        signedIn(await step((cb) => u.sendMFACode(codeAt(secret, clock.now()), cb, 'SOFTWARE_TOKEN_MFA')));
        assert.equal(await new Promise((resolve, reject) => u.setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject })), 'SUCCESS');
        const deviceKey = Storage.getItem(`CognitoIdentityServiceProvider.${clientId}.nod.deviceKey`);
        clock.advance(30_000);

        const v = libUser(poolId, clientId, 'nod', Storage);
        calls.length = 0;
        assert.equal((await authenticate(v, 'nod')).kind, 'totpRequired');
        const session = signedIn(await step((cb) => v.sendMFACode(codeAt(secret, clock.now()), cb, 'SOFTWARE_TOKEN_MFA')));
        assert.deepEqual(calls, [
          'InitiateAuth',
          'RespondToAuthChallenge:PASSWORD_VERIFIER',
          'RespondToAuthChallenge:SOFTWARE_TOKEN_MFA',
          'RespondToAuthChallenge:DEVICE_SRP_AUTH',
          'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER',
        ]);
        assert.equal(session.getAccessToken().payload.device_key, deviceKey);
      });
    });

    describe('aws-amplify v6', () => {
      afterEach(() => signOut());

      /** Amplify configured for the pool and app client, with a fresh token store. */
      function configure(poolId: string, clientId: string) {
        const data = new Map<string, string>();
        Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: t.url } } });
        cognitoUserPoolsTokenProvider.setKeyValueStorage({
          setItem: async (k, v) => void data.set(k, v),
          getItem: async (k) => data.get(k) ?? null,
          removeItem: async (k) => void data.delete(k),
          clear: async () => data.clear(),
        });
      }
      const username = async () => (await fetchAuthSession()).tokens?.accessToken.payload.username;

      it('CONTINUE_SIGN_IN_WITH_TOTP_SETUP, confirmSignIn with the code: DONE; then CONFIRM_SIGN_IN_WITH_TOTP_CODE, a wrong code, then the right one', async () => {
        const { poolId, clientId } = await pool('ON', { totp: true });
        await user(poolId, 'amy');
        configure(poolId, clientId);
        calls.length = 0;
        const r = await signIn({ username: 'amy', password: PASSWORD });
        assert.equal(r.isSignedIn, false);
        assert.equal(r.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
        const details = (r.nextStep as { totpSetupDetails: { sharedSecret: string; getSetupUri(app: string, account?: string): URL } }).totpSetupDetails;
        const uri = details.getSetupUri('incognito');
        assert.equal(uri.protocol, 'otpauth:');
        const secret = uri.searchParams.get('secret')!;
        assert.equal(secret, details.sharedSecret);
        assert.match(secret, /^[A-Z2-7]{52}$/);
        await assert.rejects(confirmSignIn({ challengeResponse: other(codeAt(secret, clock.now())) }), { name: 'EnableSoftwareTokenMFAException' });
        const done = await confirmSignIn({ challengeResponse: codeAt(secret, clock.now()), options: { friendlyDeviceName: 'amplify phone' } });
        assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
        assert.deepEqual(calls, [
          'InitiateAuth',
          'RespondToAuthChallenge:PASSWORD_VERIFIER',
          'AssociateSoftwareToken',
          'VerifySoftwareToken',
          'VerifySoftwareToken',
          'RespondToAuthChallenge:MFA_SETUP',
        ]);
        assert.equal(await username(), 'amy');
        await signOut();
        clock.advance(30_000);

        const again = await signIn({ username: 'amy', password: PASSWORD });
        assert.deepEqual(again, { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' } });
        await assert.rejects(confirmSignIn({ challengeResponse: other(codeAt(secret, clock.now())) }), { name: 'CodeMismatchException', message: 'Invalid code received for user' });
        // Amplify keeps the sign-in's session after the refusal; the server kept it usable.
        assert.deepEqual(await confirmSignIn({ challengeResponse: codeAt(secret, clock.now()) }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
        assert.equal(await username(), 'amy');
      });

      it("CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION in a pool that offers TOTP and email: confirmSignIn with 'TOTP', then the TOTP set-up", async () => {
        const { poolId, clientId } = await pool('ON', { totp: true, email: true });
        await user(poolId, 'ivy', { email: 'ivy@example.com', email_verified: 'true' });
        configure(poolId, clientId);
        const r = await signIn({ username: 'ivy', password: PASSWORD });
        assert.deepEqual(r, { isSignedIn: false, nextStep: { signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION', allowedMFATypes: ['TOTP', 'EMAIL'] } });
        const setup = await confirmSignIn({ challengeResponse: 'TOTP' });
        assert.equal(setup.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
        const secret = (setup.nextStep as { totpSetupDetails: { sharedSecret: string } }).totpSetupDetails.sharedSecret;
        assert.deepEqual(await confirmSignIn({ challengeResponse: codeAt(secret, clock.now()) }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
        assert.equal(await username(), 'ivy');
      });

      it('CONFIRM_SIGN_IN_WITH_SMS_CODE (SRP and USER_PASSWORD_AUTH) and CONFIRM_SIGN_IN_WITH_EMAIL_CODE, with the codes from the outbox', async () => {
        const { poolId, clientId } = await pool('OPTIONAL', { sms: true, email: true });
        await user(poolId, 'sam', { phone_number: '+15555550177' });
        await user(poolId, 'eve', { email: 'eve@example.com', email_verified: 'true' });
        await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'sam', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
        await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'eve', EmailMfaSettings: { Enabled: true, PreferredMfa: true } }));
        configure(poolId, clientId);

        const sms = await signIn({ username: 'sam', password: PASSWORD });
        assert.deepEqual(sms, { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE', codeDeliveryDetails: { deliveryMedium: 'SMS', destination: '+*******0177' } } });
        assert.deepEqual(await confirmSignIn({ challengeResponse: await mfaCode(poolId, 'sam') }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
        assert.equal(await username(), 'sam');
        await signOut();

        calls.length = 0;
        const plain = await signIn({ username: 'sam', password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
        assert.equal(plain.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
        assert.deepEqual((await confirmSignIn({ challengeResponse: await mfaCode(poolId, 'sam') })).nextStep, { signInStep: 'DONE' });
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:SMS_MFA']);
        await signOut();

        const email = await signIn({ username: 'eve', password: PASSWORD });
        assert.deepEqual(email, { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'e***@e***' } } });
        const code = await mfaCode(poolId, 'eve');
        await assert.rejects(confirmSignIn({ challengeResponse: other(code) }), { name: 'CodeMismatchException' });
        assert.deepEqual(await confirmSignIn({ challengeResponse: code }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
        assert.equal(await username(), 'eve');
      });

      it("CONTINUE_SIGN_IN_WITH_MFA_SELECTION, then confirmSignIn with 'SMS', 'TOTP' or 'EMAIL' and the code", async () => {
        const { poolId, clientId } = await pool('OPTIONAL', { totp: true, sms: true, email: true });
        await user(poolId, 'all', { phone_number: '+15555550188', email: 'all@example.com', email_verified: 'true' });
        const secret = await withToken(clientId, 'all', false);
        await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'all', SMSMfaSettings: { Enabled: true }, EmailMfaSettings: { Enabled: true } }));
        configure(poolId, clientId);

        const choose = async () => {
          const r = await signIn({ username: 'all', password: PASSWORD });
          assert.deepEqual(r, { isSignedIn: false, nextStep: { signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION', allowedMFATypes: ['SMS', 'TOTP', 'EMAIL'] } });
        };
        await choose();
        const sms = await confirmSignIn({ challengeResponse: 'SMS' });
        assert.deepEqual(sms.nextStep, { signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE', codeDeliveryDetails: { deliveryMedium: 'SMS', destination: '+*******0188' } });
        assert.equal((await confirmSignIn({ challengeResponse: await mfaCode(poolId, 'all') })).isSignedIn, true);
        await signOut();

        await choose();
        assert.deepEqual((await confirmSignIn({ challengeResponse: 'TOTP' })).nextStep, { signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' });
        assert.equal((await confirmSignIn({ challengeResponse: codeAt(secret, clock.now()) })).isSignedIn, true);
        await signOut();

        await choose();
        calls.length = 0;
        const email = await confirmSignIn({ challengeResponse: 'EMAIL' });
        assert.deepEqual(email.nextStep, { signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'a***@e***' } });
        assert.equal((await confirmSignIn({ challengeResponse: await mfaCode(poolId, 'all') })).isSignedIn, true);
        assert.deepEqual(calls, ['RespondToAuthChallenge:SELECT_MFA_TYPE', 'RespondToAuthChallenge:EMAIL_OTP']);
        assert.equal(await username(), 'all');
      });

      it('rememberDevice with ChallengeRequiredOnNewDevice: the next signIn proves the device and skips MFA; without it, MFA then the device', async () => {
        for (const ChallengeRequiredOnNewDevice of [true, false]) {
          const name = ChallengeRequiredOnNewDevice ? 'rem' : 'norem';
          const { poolId, clientId } = await pool('OPTIONAL', { totp: true }, { ChallengeRequiredOnNewDevice, DeviceOnlyRememberedOnUserPrompt: true });
          await user(poolId, name);
          const secret = await withToken(clientId, name);
          configure(poolId, clientId);
          calls.length = 0;
          assert.equal((await signIn({ username: name, password: PASSWORD })).nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
          assert.equal((await confirmSignIn({ challengeResponse: codeAt(secret, clock.now()) })).isSignedIn, true);
          assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:SOFTWARE_TOKEN_MFA', 'ConfirmDevice']);
          const deviceKey = (await fetchAuthSession()).tokens!.accessToken.payload.device_key;
          assert.ok(deviceKey);
          await rememberDevice();
          assert.deepEqual((await fetchDevices()).map((d) => d.id), [deviceKey]);
          await signOut();
          clock.advance(30_000);

          calls.length = 0;
          const r = await signIn({ username: name, password: PASSWORD });
          if (ChallengeRequiredOnNewDevice) {
            assert.deepEqual(r, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
            assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:DEVICE_SRP_AUTH', 'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER']);
          } else {
            assert.deepEqual(r, { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' } });
            assert.equal((await confirmSignIn({ challengeResponse: codeAt(secret, clock.now()) })).isSignedIn, true);
            assert.deepEqual(calls, [
              'InitiateAuth',
              'RespondToAuthChallenge:PASSWORD_VERIFIER',
              'RespondToAuthChallenge:SOFTWARE_TOKEN_MFA',
              'RespondToAuthChallenge:DEVICE_SRP_AUTH',
              'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER',
            ]);
          }
          assert.equal((await fetchAuthSession()).tokens!.accessToken.payload.device_key, deviceKey);
          await signOut();
        }
      });
    });
  });
}
