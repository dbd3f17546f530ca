/**
 * Choice-based sign-in (USER_AUTH) through the SDK, on each store, with the clock injected: the
 * pool's AllowedFirstAuthFactors and the client's ALLOW_USER_AUTH with their rules, SELECT_CHALLENGE
 * and AvailableChallenges, PREFERRED_CHALLENGE (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP), codes
 * through the outbox (wrong, expired, used, counted toward the lockout), MFA after the password only,
 * NEW_PASSWORD_REQUIRED, the admin side, SECRET_HASH, unknown users, sign-in after sign-up with the
 * Session of SignUp / ConfirmSignUp, GetUserAuthFactors, and the triggers a sign-in runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminResetUserPasswordCommand,
  AdminInitiateAuthCommand,
  AdminListUserAuthEventsCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  CompleteWebAuthnRegistrationCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserAuthFactorsCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  StartWebAuthnRegistrationCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
  VerifySoftwareTokenCommand,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { totpAt as totp } from './client-fixtures.js';
import { adminFetch, backends, expectError, rawCall, startTestServer, TestClock, type TestServer } from './harness.js';
import { lastCode } from './hosted.js';
import { lambdaStandIn } from './lambda-fixtures.js';
import { SrpClient } from './srp-client.js';
import { SoftAuthenticator } from './webauthn-authenticator.js';

const PASSWORD = 'Correct-Horse-9';
const FLOWS = ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as ExplicitAuthFlowsType[];
const SES = { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', From: 'no-reply@example.com' } as const;
const SMS = { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'incognito' };
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

for (const backend of await backends()) {
  describe(`choice-based sign-in, USER_AUTH (${backend.name})`, () => {
    const clock = new TestClock(Math.floor(Date.now() / 30_000) * 30_000 + 5_000);
    let t: TestServer;
    let standIn: Awaited<ReturnType<typeof lambdaStandIn>>;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      standIn = await lambdaStandIn();
      t = await startTestServer(backend, { lambdaEndpoint: standIn.url }, { clock: clock.now });
    });
    after(async () => {
      await t?.close();
      await standIn?.close();
    });

    async function pool(factors: string[] = ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'], extra: Record<string, unknown> = {}) {
      const poolId = (
        await send(
          new CreateUserPoolCommand({
            PoolName: 'userauth',
            EmailConfiguration: SES,
            SmsConfiguration: SMS,
            AutoVerifiedAttributes: ['email'],
            Policies: { SignInPolicy: { AllowedFirstAuthFactors: factors as any } },
            ...extra,
          }),
        )
      ).UserPool.Id as string;
      return poolId;
    }
    async function client(UserPoolId: string, extra: Record<string, unknown> = {}) {
      return (await send(new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'app', ExplicitAuthFlows: FLOWS, ...extra }))).UserPoolClient as { ClientId: string; ClientSecret?: string };
    }
    /** A confirmed user with a password (unless none), a verified email and phone (unless said). */
    async function user(UserPoolId: string, Username: string, opts: { password?: boolean; email?: boolean; phone?: boolean; temporary?: boolean } = {}) {
      const attrs: Record<string, string> = {};
      if (opts.email !== false) Object.assign(attrs, { email: `${Username}@example.com`, email_verified: 'true' });
      if (opts.phone !== false) Object.assign(attrs, { phone_number: '+15555550100', phone_number_verified: 'true' });
      await send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username,
          MessageAction: 'SUPPRESS',
          TemporaryPassword: 'Temp-Pass-123',
          UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      if (opts.password !== false && !opts.temporary) await send(new AdminSetUserPasswordCommand({ UserPoolId, Username, Password: PASSWORD, Permanent: true }));
    }
    const userAuth = (ClientId: string, AuthParameters: Record<string, string>, Session?: string) =>
      send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_AUTH', AuthParameters, ...(Session ? { Session } : {}) }));
    const respond = (ClientId: string, ChallengeName: string, Session: string, ChallengeResponses: Record<string, string>) =>
      send(new RespondToAuthChallengeCommand({ ClientId, ChallengeName: ChallengeName as any, Session, ChallengeResponses }));
    const code = (poolId: string, name: string) => lastCode(t.url, poolId, name, 'MFA');

    it('pool settings: AllowedFirstAuthFactors needs PASSWORD, the tier, SES for EMAIL_OTP, SMS for SMS_OTP; ALLOW_USER_AUTH', async () => {
      await expectError(
        send(new CreateUserPoolCommand({ PoolName: 'p', EmailConfiguration: SES, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['EMAIL_OTP'] } } })),
        'InvalidParameterException',
        'AllowedFirstAuthFactors must include PASSWORD.',
      );
      await expectError(
        send(new CreateUserPoolCommand({ PoolName: 'p', UserPoolTier: 'LITE', EmailConfiguration: SES, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } })),
        'FeatureUnavailableInTierException',
        /EMAIL_OTP requires the ESSENTIALS or PLUS/,
      );
      await expectError(
        send(new CreateUserPoolCommand({ PoolName: 'p', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } })),
        'InvalidParameterException',
        /EMAIL_OTP first factor requires the user pool to send email with Amazon SES/,
      );
      await expectError(
        send(new CreateUserPoolCommand({ PoolName: 'p', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] } } })),
        'InvalidParameterException',
        /SMS_OTP first factor requires an SmsConfiguration/,
      );
      const poolId = await pool(['PASSWORD', 'EMAIL_OTP', 'EMAIL_OTP']);
      const described = (await send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool;
      assert.deepEqual(described.Policies.SignInPolicy, { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] });
      // UpdateUserPool without the SES configuration cannot keep EMAIL_OTP.
      await expectError(
        send(new UpdateUserPoolCommand({ UserPoolId: poolId, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } })),
        'InvalidParameterException',
        /Amazon SES/,
      );
      // LITE cannot have ALLOW_USER_AUTH clients; without ALLOW_USER_AUTH the flow is refused.
      const lite = (await send(new CreateUserPoolCommand({ PoolName: 'lite', UserPoolTier: 'LITE' }))).UserPool.Id as string;
      await expectError(send(new CreateUserPoolClientCommand({ UserPoolId: lite, ClientName: 'c', ExplicitAuthFlows: FLOWS })), 'FeatureUnavailableInTierException');
      const noFlow = await client(poolId, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
      await user(poolId, 'nick');
      await expectError(userAuth(noFlow.ClientId, { USERNAME: 'nick' }), 'InvalidParameterException', 'USER_AUTH flow not enabled for this client');
      // Nor can a pool whose client allows USER_AUTH move down to LITE, until the client no longer does.
      const essentials = (await send(new CreateUserPoolCommand({ PoolName: 'ess' }))).UserPool.Id as string;
      const ua = await client(essentials);
      await expectError(send(new UpdateUserPoolCommand({ UserPoolId: essentials, UserPoolTier: 'LITE' })), 'FeatureUnavailableInTierException', new RegExp(`app client ${ua.ClientId} has it`));
      assert.equal((await send(new DescribeUserPoolCommand({ UserPoolId: essentials }))).UserPool.UserPoolTier, 'ESSENTIALS');
      await send(new UpdateUserPoolClientCommand({ UserPoolId: essentials, ClientId: ua.ClientId, ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
      await send(new UpdateUserPoolCommand({ UserPoolId: essentials, UserPoolTier: 'LITE' }));
      // SignInPolicy {} is the default, PASSWORD, and is described so; a null USERNAME is a missing one.
      const empty = (await send(new CreateUserPoolCommand({ PoolName: 'empty', Policies: { SignInPolicy: {} } }))).UserPool;
      assert.deepEqual(empty.Policies.SignInPolicy, { AllowedFirstAuthFactors: ['PASSWORD'] });
      assert.deepEqual((await send(new DescribeUserPoolCommand({ UserPoolId: empty.Id }))).UserPool.Policies.SignInPolicy, { AllowedFirstAuthFactors: ['PASSWORD'] });
      const hiding = await client(poolId, { PreventUserExistenceErrors: 'ENABLED' });
      const raw = await rawCall(
        t.url,
        'AWSCognitoIdentityProviderService.InitiateAuth',
        JSON.stringify({ ClientId: hiding.ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: null, PREFERRED_CHALLENGE: null } }),
      );
      assert.equal(raw.status, 400);
      assert.deepEqual([raw.json.__type, raw.json.message], ['InvalidParameterException', 'Missing required parameter USERNAME']);
    });

    it('SELECT_CHALLENGE: AvailableChallenges, then EMAIL_OTP: wrong code, right code, the session used once', async () => {
      const poolId = await pool();
      const { ClientId } = await client(poolId);
      await user(poolId, 'eve');
      const r = await userAuth(ClientId, { USERNAME: 'eve' });
      assert.equal(r.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(r.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);
      assert.deepEqual(r.ChallengeParameters, {});
      assert.ok(r.Session);
      await expectError(respond(ClientId, 'SELECT_CHALLENGE', r.Session, { USERNAME: 'eve', ANSWER: 'WEB_AUTHN' }), 'InvalidParameterException', /ANSWER must be one of the challenges offered/);
      await expectError(respond(ClientId, 'SELECT_CHALLENGE', r.Session, { USERNAME: 'eve' }), 'InvalidParameterException', 'Missing required parameter ANSWER');
      // The refused answers left the session usable.
      const e = await respond(ClientId, 'SELECT_CHALLENGE', r.Session, { USERNAME: 'eve', ANSWER: 'EMAIL_OTP' });
      assert.equal(e.ChallengeName, 'EMAIL_OTP');
      assert.deepEqual(e.ChallengeParameters, { CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: 'e***@e***' });
      const sent = await code(poolId, 'eve');
      assert.match(sent, /^[0-9]{6}$/);
      const wrong = sent === '000000' ? '111111' : '000000';
      await expectError(respond(ClientId, 'EMAIL_OTP', e.Session, { USERNAME: 'eve', EMAIL_OTP_CODE: wrong }), 'CodeMismatchException', 'Invalid code received for user');
      const ok = await respond(ClientId, 'EMAIL_OTP', e.Session, { USERNAME: 'eve', EMAIL_OTP_CODE: sent });
      assert.ok(ok.AuthenticationResult?.AccessToken);
      assert.equal(decodeJwt(ok.AuthenticationResult.AccessToken).username, 'eve');
      await expectError(respond(ClientId, 'EMAIL_OTP', e.Session, { USERNAME: 'eve', EMAIL_OTP_CODE: sent }), 'NotAuthorizedException', /session can only be used once/);
      // The session of SELECT_CHALLENGE was used too.
      await expectError(respond(ClientId, 'SELECT_CHALLENGE', r.Session, { USERNAME: 'eve', ANSWER: 'EMAIL_OTP' }), 'NotAuthorizedException', /session can only be used once/);
    });

    it('SELECT_CHALLENGE answered PASSWORD and PASSWORD_SRP (and the direct PASSWORD answer); a wrong password', async () => {
      const poolId = await pool();
      const { ClientId } = await client(poolId);
      await user(poolId, 'pat');
      const s1 = (await userAuth(ClientId, { USERNAME: 'pat' })).Session;
      assert.ok((await respond(ClientId, 'SELECT_CHALLENGE', s1, { USERNAME: 'pat', ANSWER: 'PASSWORD', PASSWORD })).AuthenticationResult);
      const s2 = (await userAuth(ClientId, { USERNAME: 'pat' })).Session;
      await expectError(respond(ClientId, 'SELECT_CHALLENGE', s2, { USERNAME: 'pat', ANSWER: 'PASSWORD', PASSWORD: 'Wrong-Horse-9' }), 'NotAuthorizedException', 'Incorrect username or password.');
      const s3 = (await userAuth(ClientId, { USERNAME: 'pat' })).Session;
      assert.ok((await respond(ClientId, 'PASSWORD', s3, { USERNAME: 'pat', PASSWORD })).AuthenticationResult, 'ChallengeName PASSWORD answers the SELECT_CHALLENGE session');
      const srp = new SrpClient(poolId);
      const s4 = (await userAuth(ClientId, { USERNAME: 'pat' })).Session;
      // An SRP_A that is not one (not hex, or 0 mod N) is refused as USER_SRP_AUTH refuses it, the session kept.
      for (const SRP_A of ['not-hex', '0']) {
        await expectError(respond(ClientId, 'SELECT_CHALLENGE', s4, { USERNAME: 'pat', ANSWER: 'PASSWORD_SRP', SRP_A }), 'InvalidParameterException', 'SRP_A is not a valid SRP value.');
      }
      const v = await respond(ClientId, 'SELECT_CHALLENGE', s4, { USERNAME: 'pat', ANSWER: 'PASSWORD_SRP', SRP_A: srp.A });
      assert.equal(v.ChallengeName, 'PASSWORD_VERIFIER');
      assert.equal(v.ChallengeParameters.USER_ID_FOR_SRP, 'pat');
      const done = await respond(ClientId, 'PASSWORD_VERIFIER', v.Session ?? v.ChallengeParameters.SECRET_BLOCK, srp.respond(v.ChallengeParameters, PASSWORD));
      assert.ok(done.AuthenticationResult?.IdToken);
    });

    it('PREFERRED_CHALLENGE: PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP at once; one the user lacks falls back to SELECT_CHALLENGE', async () => {
      const poolId = await pool();
      const { ClientId } = await client(poolId);
      await user(poolId, 'pia');
      await user(poolId, 'noemail', { email: false });
      assert.ok((await userAuth(ClientId, { USERNAME: 'pia', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD })).AuthenticationResult);
      await expectError(userAuth(ClientId, { USERNAME: 'pia', PREFERRED_CHALLENGE: 'PASSWORD' }), 'InvalidParameterException', 'Missing required parameter PASSWORD');
      await expectError(userAuth(ClientId, { USERNAME: 'pia', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: 'nope' }), 'NotAuthorizedException', 'Incorrect username or password.');
      await expectError(userAuth(ClientId, { USERNAME: 'pia', PREFERRED_CHALLENGE: 'CUSTOM' }), 'InvalidParameterException', /PREFERRED_CHALLENGE must be one of/);
      // A long value is not echoed whole.
      await assert.rejects(userAuth(ClientId, { USERNAME: 'pia', PREFERRED_CHALLENGE: 'X'.repeat(5000) }), (e: Error) => e.name === 'InvalidParameterException' && e.message.length < 300 && e.message.includes('XXXX…'));

      const srp = new SrpClient(poolId);
      const v = await userAuth(ClientId, { USERNAME: 'pia', PREFERRED_CHALLENGE: 'PASSWORD_SRP', SRP_A: srp.A });
      assert.equal(v.ChallengeName, 'PASSWORD_VERIFIER');
      assert.ok((await respond(ClientId, 'PASSWORD_VERIFIER', v.ChallengeParameters.SECRET_BLOCK, srp.respond(v.ChallengeParameters, PASSWORD))).AuthenticationResult);

      const e = await userAuth(ClientId, { USERNAME: 'pia', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      assert.equal(e.ChallengeName, 'EMAIL_OTP');
      assert.equal(e.AvailableChallenges, undefined);
      assert.ok((await respond(ClientId, 'EMAIL_OTP', e.Session, { USERNAME: 'pia', EMAIL_OTP_CODE: await code(poolId, 'pia') })).AuthenticationResult);

      const s = await userAuth(ClientId, { USERNAME: 'pia', PREFERRED_CHALLENGE: 'SMS_OTP' });
      assert.equal(s.ChallengeName, 'SMS_OTP');
      assert.deepEqual(s.ChallengeParameters, { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******0100' });
      const smsCode = await code(poolId, 'pia');
      await expectError(respond(ClientId, 'SMS_OTP', s.Session, { USERNAME: 'pia', SMS_MFA_CODE: smsCode }), 'InvalidParameterException', 'Missing required parameter SMS_OTP_CODE');
      assert.ok((await respond(ClientId, 'SMS_OTP', s.Session, { USERNAME: 'pia', SMS_OTP_CODE: smsCode })).AuthenticationResult);

      // No verified email: EMAIL_OTP is not offered, and preferring it gives the choice.
      const f = await userAuth(ClientId, { USERNAME: 'noemail', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      assert.equal(f.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(f.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
      // An email not verified is not a sign-in factor either.
      await send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'noemail', UserAttributes: [{ Name: 'email', Value: 'n@example.com' }] }));
      assert.deepEqual((await userAuth(ClientId, { USERNAME: 'noemail' })).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
      // WEB_AUTHN is offered only to users with a passkey (none yet).
      const withPasskeys = await pool(['PASSWORD', 'EMAIL_OTP', 'WEB_AUTHN']);
      const c2 = await client(withPasskeys);
      await user(withPasskeys, 'wes');
      const w = await userAuth(c2.ClientId, { USERNAME: 'wes', PREFERRED_CHALLENGE: 'WEB_AUTHN' });
      assert.equal(w.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(w.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
    });

    it('codes: expiry with the session, wrong codes counted toward the lockout, a user without any factor', async () => {
      const poolId = await pool();
      const { ClientId } = await client(poolId);
      await user(poolId, 'lou');
      const e = await userAuth(ClientId, { USERNAME: 'lou', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const sent = await code(poolId, 'lou');
      clock.advance(3 * 60_000 + 1);
      await expectError(respond(ClientId, 'EMAIL_OTP', e.Session, { USERNAME: 'lou', EMAIL_OTP_CODE: sent }), 'NotAuthorizedException', /session is expired/);

      const again = await userAuth(ClientId, { USERNAME: 'lou', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const good = await code(poolId, 'lou');
      const wrong = good === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) {
        await expectError(respond(ClientId, 'EMAIL_OTP', again.Session, { USERNAME: 'lou', EMAIL_OTP_CODE: wrong }), 'CodeMismatchException');
      }
      // Locked out now: even the right code, and a new sign-in, are refused.
      await expectError(respond(ClientId, 'EMAIL_OTP', again.Session, { USERNAME: 'lou', EMAIL_OTP_CODE: good }), 'NotAuthorizedException', 'Password attempts exceeded');
      await expectError(userAuth(ClientId, { USERNAME: 'lou', PREFERRED_CHALLENGE: 'EMAIL_OTP' }), 'NotAuthorizedException', 'Password attempts exceeded');
      clock.advance(60_000);
      const later = await userAuth(ClientId, { USERNAME: 'lou', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      assert.ok((await respond(ClientId, 'EMAIL_OTP', later.Session, { USERNAME: 'lou', EMAIL_OTP_CODE: await code(poolId, 'lou') })).AuthenticationResult);

      // A passwordless user whose email is no longer verified has nothing to sign in with.
      await send(new SignUpCommand({ ClientId, Username: 'unreachable', UserAttributes: [{ Name: 'email', Value: 'u@example.com' }] }));
      await send(new ConfirmSignUpCommand({ ClientId, Username: 'unreachable', ConfirmationCode: await lastCode(t.url, poolId, 'unreachable', 'SIGN_UP') }));
      await send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'unreachable', UserAttributes: [{ Name: 'email_verified', Value: 'false' }] }));
      await expectError(userAuth(ClientId, { USERNAME: 'unreachable' }), 'NotAuthorizedException', 'The user has no sign-in method that this user pool allows.');
    });

    it('MFA follows the password only; in a pool that requires MFA only the password is offered', async () => {
      const poolId = await pool(['PASSWORD', 'EMAIL_OTP'], { MfaConfiguration: 'OFF' });
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      const { ClientId } = await client(poolId);
      await user(poolId, 'mia');
      const first = await userAuth(ClientId, { USERNAME: 'mia', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
      const AccessToken = first.AuthenticationResult.AccessToken;
      const { SecretCode } = await send(new AssociateSoftwareTokenCommand({ AccessToken }));
      await send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totp(SecretCode, clock.now()) }));
      clock.advance(30_000);
      await send(new SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));

      const p = await userAuth(ClientId, { USERNAME: 'mia', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
      assert.equal(p.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      assert.ok((await respond(ClientId, 'SOFTWARE_TOKEN_MFA', p.Session, { USERNAME: 'mia', SOFTWARE_TOKEN_MFA_CODE: totp(SecretCode, clock.now()) })).AuthenticationResult);
      const e = await userAuth(ClientId, { USERNAME: 'mia', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const done = await respond(ClientId, 'EMAIL_OTP', e.Session, { USERNAME: 'mia', EMAIL_OTP_CODE: await code(poolId, 'mia') });
      assert.ok(done.AuthenticationResult, 'a passwordless first factor asks no MFA');

      const factors = await send(new GetUserAuthFactorsCommand({ AccessToken: done.AuthenticationResult.AccessToken }));
      assert.deepEqual(factors, {
        $metadata: factors.$metadata,
        Username: 'mia',
        PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
        UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
        ConfiguredUserAuthFactors: ['PASSWORD', 'EMAIL_OTP'],
      });

      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      assert.deepEqual((await userAuth(ClientId, { USERNAME: 'mia' })).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
    });

    it('NEW_PASSWORD_REQUIRED after a temporary password; the admin side; SECRET_HASH', async () => {
      const poolId = await pool();
      const { ClientId } = await client(poolId);
      await user(poolId, 'tom', { temporary: true });
      const r = await userAuth(ClientId, { USERNAME: 'tom', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: 'Temp-Pass-123' });
      assert.equal(r.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      assert.ok((await respond(ClientId, 'NEW_PASSWORD_REQUIRED', r.Session, { USERNAME: 'tom', NEW_PASSWORD: PASSWORD })).AuthenticationResult);

      const a = await send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'tom' } }));
      assert.equal(a.ChallengeName, 'SELECT_CHALLENGE');
      const e = await send(new AdminRespondToAuthChallengeCommand({ UserPoolId: poolId, ClientId, ChallengeName: 'SELECT_CHALLENGE', Session: a.Session, ChallengeResponses: { USERNAME: 'tom', ANSWER: 'EMAIL_OTP' } }));
      const done = await send(
        new AdminRespondToAuthChallengeCommand({ UserPoolId: poolId, ClientId, ChallengeName: 'EMAIL_OTP', Session: e.Session, ChallengeResponses: { USERNAME: 'tom', EMAIL_OTP_CODE: await code(poolId, 'tom') } }),
      );
      assert.ok(done.AuthenticationResult?.AccessToken);

      const secret = await client(poolId, { GenerateSecret: true });
      const hash = (name: string) => createHmac('sha256', secret.ClientSecret!).update(name + secret.ClientId).digest('base64');
      await expectError(userAuth(secret.ClientId, { USERNAME: 'tom' }), 'NotAuthorizedException', /configured for secret but secret was not received/);
      const s = await userAuth(secret.ClientId, { USERNAME: 'tom', SECRET_HASH: hash('tom') });
      await expectError(respond(secret.ClientId, 'SELECT_CHALLENGE', s.Session, { USERNAME: 'tom', ANSWER: 'PASSWORD', PASSWORD }), 'NotAuthorizedException', /configured for secret but secret was not received/);
      assert.ok((await respond(secret.ClientId, 'SELECT_CHALLENGE', s.Session, { USERNAME: 'tom', ANSWER: 'PASSWORD', PASSWORD, SECRET_HASH: hash('tom') })).AuthenticationResult);
      // A session is bound to its client.
      const other = await userAuth(ClientId, { USERNAME: 'tom' });
      await expectError(respond(secret.ClientId, 'SELECT_CHALLENGE', other.Session, { USERNAME: 'tom', ANSWER: 'PASSWORD', PASSWORD, SECRET_HASH: hash('tom') }), 'NotAuthorizedException', /Invalid session/);
    });

    it('unknown users: UserNotFoundException (LEGACY); under PreventUserExistenceErrors a known and an unknown name answer alike', async () => {
      const poolId = await pool();
      const legacy = await client(poolId);
      await expectError(userAuth(legacy.ClientId, { USERNAME: 'ghost' }), 'UserNotFoundException', 'User does not exist.');
      const hiding = await client(poolId, { PreventUserExistenceErrors: 'ENABLED' });
      const H = hiding.ClientId;
      await user(poolId, 'eve');
      await user(poolId, 'nophone', { phone: false });
      await user(poolId, 'off');
      await send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'off' }));
      await user(poolId, 'reset');
      await send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'reset' }));
      await send(new SignUpCommand({ ClientId: H, Username: 'pending', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'pending@example.com' }] }));
      // A passwordless user whose email is not verified: nothing it could use, told nothing at the start.
      await send(new SignUpCommand({ ClientId: H, Username: 'unreachable', UserAttributes: [{ Name: 'email', Value: 'u@example.com' }] }));
      await send(new ConfirmSignUpCommand({ ClientId: H, Username: 'unreachable', ConfirmationCode: await lastCode(t.url, poolId, 'unreachable', 'SIGN_UP') }));
      await send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'unreachable', UserAttributes: [{ Name: 'email_verified', Value: 'false' }] }));
      const all = ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP'];
      for (const name of ['eve', 'nophone', 'off', 'reset', 'pending', 'unreachable', 'ghost', 'ghost@example.com']) {
        // The same offer for every name: the pool's factors, whatever the user has or is.
        const r = await userAuth(H, { USERNAME: name });
        assert.equal(r.ChallengeName, 'SELECT_CHALLENGE', name);
        assert.deepEqual(r.AvailableChallenges, all, name);
        for (const factor of ['EMAIL_OTP', 'SMS_OTP']) {
          const c = await userAuth(H, { USERNAME: name, PREFERRED_CHALLENGE: factor });
          assert.equal(c.ChallengeName, factor, `${name} ${factor}`);
          assert.equal(c.ChallengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, factor === 'EMAIL_OTP' ? 'EMAIL' : 'SMS');
        }
      }
      // A wrong code: the same error for a user and for nobody, the session kept for another try.
      for (const name of ['eve', 'nophone', 'ghost']) {
        const c = await userAuth(H, { USERNAME: name, PREFERRED_CHALLENGE: 'SMS_OTP' });
        for (let i = 0; i < 2; i++) {
          await expectError(respond(H, 'SMS_OTP', c.Session, { USERNAME: name, SMS_OTP_CODE: '000000' }), 'CodeMismatchException', 'Invalid code received for user');
        }
      }
      const e = await respond(H, 'SELECT_CHALLENGE', (await userAuth(H, { USERNAME: 'ghost@example.com' })).Session, { USERNAME: 'ghost@example.com', ANSWER: 'EMAIL_OTP' });
      assert.equal(e.ChallengeName, 'EMAIL_OTP');
      assert.equal(e.ChallengeParameters.CODE_DELIVERY_DESTINATION, 'g***@e***');
      await expectError(respond(H, 'EMAIL_OTP', e.Session, { USERNAME: 'ghost@example.com', EMAIL_OTP_CODE: '123456' }), 'CodeMismatchException', 'Invalid code received for user');
      // The simulated phone is the same for a name each time, and not the same for every name.
      const phone = async (USERNAME: string) => (await userAuth(H, { USERNAME, PREFERRED_CHALLENGE: 'SMS_OTP' })).ChallengeParameters.CODE_DELIVERY_DESTINATION;
      assert.equal(await phone('ghost'), await phone('ghost'));
      const phones = new Set([await phone('ghost'), await phone('ghost2'), await phone('ghost3'), await phone('ghost4')]);
      assert.ok(phones.size > 1, [...phones].join(' '));
      // The user's state is told at the answer, as USER_SRP_AUTH tells it at PASSWORD_VERIFIER.
      const off = await userAuth(H, { USERNAME: 'off', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      await expectError(respond(H, 'EMAIL_OTP', off.Session, { USERNAME: 'off', EMAIL_OTP_CODE: '123456' }), 'NotAuthorizedException', 'User is disabled.');
      const pending = await userAuth(H, { USERNAME: 'pending', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      await expectError(respond(H, 'EMAIL_OTP', pending.Session, { USERNAME: 'pending', EMAIL_OTP_CODE: '123456' }), 'UserNotConfirmedException');
      // No code went to the disabled user, the unconfirmed one, or the unverified address.
      for (const name of ['off', 'pending', 'unreachable']) assert.equal(await lastCode(t.url, poolId, name, 'MFA').catch(() => undefined), undefined, name);
      // PASSWORD for a user without one, and for nobody: a wrong password.
      for (const name of ['unreachable', 'ghost']) {
        await expectError(userAuth(H, { USERNAME: name, PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD }), 'NotAuthorizedException', 'Incorrect username or password.');
        const p = await userAuth(H, { USERNAME: name });
        await expectError(respond(H, 'SELECT_CHALLENGE', p.Session, { USERNAME: name, ANSWER: 'PASSWORD', PASSWORD }), 'NotAuthorizedException', 'Incorrect username or password.');
      }
      // A user who has the factor still signs in with it.
      const ok = await userAuth(H, { USERNAME: 'eve', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      assert.ok((await respond(H, 'EMAIL_OTP', ok.Session, { USERNAME: 'eve', EMAIL_OTP_CODE: await code(poolId, 'eve') })).AuthenticationResult?.AccessToken);
      // LEGACY keeps telling the user's state and factors at once.
      await expectError(userAuth(legacy.ClientId, { USERNAME: 'off' }), 'NotAuthorizedException', 'User is disabled.');
      assert.deepEqual((await userAuth(legacy.ClientId, { USERNAME: 'nophone' })).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
    });

    it("an answer naming another user than the session's is refused; an alias of the user, or no USERNAME, is not", async () => {
      const poolId = await pool(['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'], { AliasAttributes: ['email'] });
      const { ClientId } = await client(poolId);
      await user(poolId, 'carol');
      await user(poolId, 'alice');
      const c = await userAuth(ClientId, { USERNAME: 'carol', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const sent = await code(poolId, 'carol');
      await expectError(respond(ClientId, 'EMAIL_OTP', c.Session, { USERNAME: 'alice', EMAIL_OTP_CODE: sent }), 'NotAuthorizedException', 'Incorrect username or password.');
      const again = await userAuth(ClientId, { USERNAME: 'carol', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const byAlias = await respond(ClientId, 'EMAIL_OTP', again.Session, { USERNAME: 'carol@example.com', EMAIL_OTP_CODE: await code(poolId, 'carol') });
      assert.equal(decodeJwt(byAlias.AuthenticationResult.AccessToken).username, 'carol');
      const s = await userAuth(ClientId, { USERNAME: 'carol' });
      await expectError(respond(ClientId, 'SELECT_CHALLENGE', s.Session, { USERNAME: 'alice', ANSWER: 'PASSWORD', PASSWORD }), 'NotAuthorizedException', 'Incorrect username or password.');
      const bare = await userAuth(ClientId, { USERNAME: 'carol', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const none = await respond(ClientId, 'EMAIL_OTP', bare.Session, { EMAIL_OTP_CODE: await code(poolId, 'carol') });
      assert.equal(decodeJwt(none.AuthenticationResult.AccessToken).username, 'carol');
    });

    it('passwordless users: AdminCreateUser without (or with a blank) TemporaryPassword, ChangePassword without PreviousPassword', async () => {
      const poolId = await pool();
      const { ClientId } = await client(poolId);
      const email = (name: string) => [
        { Name: 'email', Value: `${name}@example.com` },
        { Name: 'email_verified', Value: 'true' },
      ];
      const pat = (await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'pat', UserAttributes: email('pat') }))).User;
      assert.equal(pat.UserStatus, 'CONFIRMED');
      const blank = (await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bea', TemporaryPassword: '', MessageAction: 'SUPPRESS', UserAttributes: email('bea') }))).User;
      assert.equal(blank.UserStatus, 'CONFIRMED');
      // The invitation gives the username and no password.
      const res = await adminFetch(`${t.url}/_incognito/messages?userPoolId=${poolId}&username=pat`);
      const { messages } = (await res.json()) as { messages: { kind: string; body: string; code: string | null }[] };
      const invitation = messages.find((m) => m.kind === 'INVITATION');
      assert.ok(invitation, JSON.stringify(messages));
      assert.equal(invitation.body.trim(), 'Your username is pat.');
      // No password to sign in with (PASSWORD is not offered); the email code signs in.
      const select = await userAuth(ClientId, { USERNAME: 'pat', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
      assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(select.AvailableChallenges, ['EMAIL_OTP']);
      const c = await userAuth(ClientId, { USERNAME: 'pat', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const signedIn = await respond(ClientId, 'EMAIL_OTP', c.Session, { USERNAME: 'pat', EMAIL_OTP_CODE: await code(poolId, 'pat') });
      const AccessToken = signedIn.AuthenticationResult.AccessToken;
      // A user without a password sets one without PreviousPassword; then it must be given.
      await send(new ChangePasswordCommand({ AccessToken, ProposedPassword: PASSWORD }));
      assert.ok((await userAuth(ClientId, { USERNAME: 'pat', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD })).AuthenticationResult?.AccessToken);
      await expectError(send(new ChangePasswordCommand({ AccessToken, ProposedPassword: 'Another-Pass-77' })), 'InvalidParameterException', 'PreviousPassword is required to change the password.');
      await send(new ChangePasswordCommand({ AccessToken, PreviousPassword: PASSWORD, ProposedPassword: 'Another-Pass-77' }));
      // A pool without passwordless sign-in still generates a temporary password, blank or omitted.
      const plain = await pool(['PASSWORD']);
      for (const TemporaryPassword of [undefined, '']) {
        const u = (await send(new AdminCreateUserCommand({ UserPoolId: plain, Username: `u${TemporaryPassword ?? 'none'}x`, MessageAction: 'SUPPRESS', ...(TemporaryPassword !== undefined ? { TemporaryPassword } : {}) }))).User;
        assert.equal(u.UserStatus, 'FORCE_CHANGE_PASSWORD');
      }
    });

    it('sign-in after sign-up: SignUp without a password, ConfirmSignUp returns a Session, InitiateAuth USER_AUTH with it, once', async () => {
      const poolId = await pool(['PASSWORD', 'EMAIL_OTP']);
      const { ClientId } = await client(poolId);
      const su = await send(new SignUpCommand({ ClientId, Username: 'newbie', UserAttributes: [{ Name: 'email', Value: 'newbie@example.com' }] }));
      assert.equal(su.UserConfirmed, false);
      assert.ok(su.Session, 'SignUp returns a Session to a client with ALLOW_USER_AUTH');
      await expectError(userAuth(ClientId, { USERNAME: 'newbie' }, su.Session), 'UserNotConfirmedException', 'User is not confirmed.');
      const signUpCode = await lastCode(t.url, poolId, 'newbie', 'SIGN_UP');
      const confirmed = await send(new ConfirmSignUpCommand({ ClientId, Username: 'newbie', ConfirmationCode: signUpCode }));
      assert.ok(confirmed.Session);
      await expectError(userAuth(ClientId, { USERNAME: 'someone-else' }, confirmed.Session), 'UserNotFoundException', 'User does not exist.');
      await user(poolId, 'bystander');
      await expectError(userAuth(ClientId, { USERNAME: 'bystander' }, confirmed.Session), 'NotAuthorizedException', 'Invalid session for the user.');
      // The session was taken by the other user's attempt: gone.
      await expectError(userAuth(ClientId, { USERNAME: 'newbie' }, confirmed.Session), 'NotAuthorizedException', /session can only be used once/);
      // The SignUp Session works once the user is confirmed too.
      const done = await userAuth(ClientId, { USERNAME: 'newbie' }, su.Session);
      assert.ok(done.AuthenticationResult?.AccessToken);
      assert.equal(decodeJwt(done.AuthenticationResult.IdToken).email_verified, true);
      await expectError(userAuth(ClientId, { USERNAME: 'newbie' }, su.Session), 'NotAuthorizedException', /session can only be used once/);
      // The passwordless user signs in with an email code afterwards, and has no password factor.
      const factors = await send(new GetUserAuthFactorsCommand({ AccessToken: done.AuthenticationResult.AccessToken }));
      assert.deepEqual(factors.ConfiguredUserAuthFactors, ['EMAIL_OTP']);
      assert.deepEqual((await userAuth(ClientId, { USERNAME: 'newbie' })).AvailableChallenges, ['EMAIL_OTP']);

      // Expired, and bound to the client.
      await send(new SignUpCommand({ ClientId, Username: 'late', UserAttributes: [{ Name: 'email', Value: 'late@example.com' }] }));
      const late = await send(new ConfirmSignUpCommand({ ClientId, Username: 'late', ConfirmationCode: await lastCode(t.url, poolId, 'late', 'SIGN_UP') }));
      const other = await client(poolId);
      await expectError(userAuth(other.ClientId, { USERNAME: 'late' }, late.Session), 'NotAuthorizedException', /Invalid session/);
      await send(new SignUpCommand({ ClientId, Username: 'later', UserAttributes: [{ Name: 'email', Value: 'later@example.com' }] }));
      const later = await send(new ConfirmSignUpCommand({ ClientId, Username: 'later', ConfirmationCode: await lastCode(t.url, poolId, 'later', 'SIGN_UP') }));
      clock.advance(3 * 60_000 + 1);
      await expectError(userAuth(ClientId, { USERNAME: 'later' }, later.Session), 'NotAuthorizedException', /session is expired/);

      // A client without ALLOW_USER_AUTH gets no Session; a pool without passwordless factors needs a password.
      const plain = await client(poolId, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
      const su2 = await send(new SignUpCommand({ ClientId: plain.ClientId, Username: 'plain', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'plain@example.com' }] }));
      assert.equal(su2.Session, undefined);
      const c2 = await send(new ConfirmSignUpCommand({ ClientId: plain.ClientId, Username: 'plain', ConfirmationCode: await lastCode(t.url, poolId, 'plain', 'SIGN_UP') }));
      assert.equal(c2.Session, undefined);
      const passwordOnly = await pool(['PASSWORD']);
      const c3 = await client(passwordOnly);
      await expectError(send(new SignUpCommand({ ClientId: c3.ClientId, Username: 'x', UserAttributes: [{ Name: 'email', Value: 'x@example.com' }] })), 'InvalidParameterException', /password is required/);
    });

    it('devices: a passwordless sign-in of a pool that tracks devices is given a device; a DEVICE_KEY not the user\'s is refused', async () => {
      const poolId = await pool(['PASSWORD', 'EMAIL_OTP'], { DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true } });
      const { ClientId } = await client(poolId);
      await user(poolId, 'dev');
      const e = await userAuth(ClientId, { USERNAME: 'dev', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const done = await respond(ClientId, 'EMAIL_OTP', e.Session, { USERNAME: 'dev', EMAIL_OTP_CODE: await code(poolId, 'dev') });
      const device = done.AuthenticationResult.NewDeviceMetadata;
      assert.ok(device?.DeviceKey && device.DeviceGroupKey);
      assert.equal(decodeJwt(done.AuthenticationResult.AccessToken).device_key, device.DeviceKey);
      const named = await userAuth(ClientId, { USERNAME: 'dev', PREFERRED_CHALLENGE: 'EMAIL_OTP', DEVICE_KEY: device.DeviceKey });
      const again = await respond(ClientId, 'EMAIL_OTP', named.Session, { USERNAME: 'dev', EMAIL_OTP_CODE: await code(poolId, 'dev') });
      assert.equal(again.AuthenticationResult.NewDeviceMetadata, undefined, 'the named device is used, no new one');
      assert.equal(decodeJwt(again.AuthenticationResult.AccessToken).device_key, device.DeviceKey);
      const unknown = await userAuth(ClientId, { USERNAME: 'dev', PREFERRED_CHALLENGE: 'EMAIL_OTP', DEVICE_KEY: 'us-east-1_00000000-0000-4000-8000-000000000000' });
      await expectError(respond(ClientId, 'EMAIL_OTP', unknown.Session, { USERNAME: 'dev', EMAIL_OTP_CODE: await code(poolId, 'dev') }), 'ResourceNotFoundException', 'Device does not exist.');
    });

    it('auth events: a passwordless sign-in and a wrong code are recorded as the first step', async () => {
      const poolId = await pool(['PASSWORD', 'EMAIL_OTP'], { UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' } });
      const { ClientId } = await client(poolId);
      await user(poolId, 'ava');
      const e = await userAuth(ClientId, { USERNAME: 'ava', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const sent = await code(poolId, 'ava');
      await expectError(respond(ClientId, 'EMAIL_OTP', e.Session, { USERNAME: 'ava', EMAIL_OTP_CODE: sent === '000000' ? '111111' : '000000' }), 'CodeMismatchException');
      clock.advance(1_000); // the events are listed newest first
      assert.ok((await respond(ClientId, 'EMAIL_OTP', e.Session, { USERNAME: 'ava', EMAIL_OTP_CODE: sent })).AuthenticationResult);
      const events = (await send(new AdminListUserAuthEventsCommand({ UserPoolId: poolId, Username: 'ava' }))).AuthEvents;
      assert.deepEqual(
        events.map((x: any) => [x.EventType, x.EventResponse, x.ChallengeResponses]),
        [
          ['SignIn', 'Pass', [{ ChallengeName: 'Password', ChallengeResponse: 'Success' }]],
          ['SignIn', 'Fail', [{ ChallengeName: 'Password', ChallengeResponse: 'Failure' }]],
        ],
      );
    });

    it('triggers: PreAuthentication, CustomMessage_Authentication with the code, PostAuthentication, once each', async () => {
      standIn.functions.pre = (event) => event;
      standIn.functions.post = (event) => event;
      standIn.functions.message = (event) => {
        event.response.emailMessage = `Sign in with ${event.request.codeParameter} (${event.triggerSource})`;
        event.response.emailSubject = 'Your code';
        return event;
      };
      const LambdaConfig = { PreAuthentication: arn('pre'), PostAuthentication: arn('post'), CustomMessage: arn('message') };
      const poolId = await pool(['PASSWORD', 'EMAIL_OTP'], { LambdaConfig });
      const { ClientId } = await client(poolId);
      await user(poolId, 'tia');
      standIn.calls.length = 0;
      const r = await userAuth(ClientId, { USERNAME: 'tia' });
      const e = await respond(ClientId, 'SELECT_CHALLENGE', r.Session, { USERNAME: 'tia', ANSWER: 'EMAIL_OTP' });
      const sent = await code(poolId, 'tia');
      assert.ok((await respond(ClientId, 'EMAIL_OTP', e.Session, { USERNAME: 'tia', EMAIL_OTP_CODE: sent })).AuthenticationResult);
      const sources = standIn.calls.map((c) => c.event.triggerSource);
      assert.deepEqual(sources, ['PreAuthentication_Authentication', 'CustomMessage_Authentication', 'PostAuthentication_Authentication']);
      assert.equal(standIn.calls[1]!.event.request.codeParameter, '{####}');
      // PREFERRED_CHALLENGE PASSWORD of a name the pool does not have: its UserMigration function.
      standIn.functions.migrate = (event) =>
        event.request.password === 'Old-Password-1'
          ? { ...event, response: { ...event.response, userAttributes: { email: `${event.userName}@example.com`, email_verified: 'true' }, messageAction: 'SUPPRESS' } }
          : { ...event, response: { ...event.response, userAttributes: null } };
      const migrating = await pool(['PASSWORD', 'EMAIL_OTP'], { LambdaConfig: { UserMigration: arn('migrate') } });
      const mc = await client(migrating);
      assert.ok((await userAuth(mc.ClientId, { USERNAME: 'olga', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: 'Old-Password-1' })).AuthenticationResult);
      assert.deepEqual((await userAuth(mc.ClientId, { USERNAME: 'olga' })).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP'], 'migrated with her password and verified email');
      // A password chosen after SELECT_CHALLENGE runs PreAuthentication once, too.
      standIn.calls.length = 0;
      const p = await userAuth(ClientId, { USERNAME: 'tia' });
      assert.ok((await respond(ClientId, 'SELECT_CHALLENGE', p.Session, { USERNAME: 'tia', ANSWER: 'PASSWORD', PASSWORD })).AuthenticationResult);
      assert.deepEqual(
        standIn.calls.map((c) => c.event.triggerSource),
        ['PreAuthentication_Authentication', 'PostAuthentication_Authentication'],
      );
    });
  });
}

// ---------------------------------------------------------------------------------------------
// WEB_AUTHN: the engine's passkey paths, with the software authenticator of
// tests/webauthn-authenticator.ts registering through StartWebAuthnRegistration /
// CompleteWebAuthnRegistration (tests/passkeys.test.ts has the passkey module's own checks).
// ---------------------------------------------------------------------------------------------

const RP_ID = 'localhost';
const ORIGIN = 'https://localhost';

for (const backend of await backends()) {
  describe(`USER_AUTH with WEB_AUTHN (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t?.close());

    it('a registered passkey is offered, signs in without MFA, a wrong assertion is refused and counted', async () => {
      const UserPoolId = (
        await send(new CreateUserPoolCommand({ PoolName: 'passkeys', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } }))
      ).UserPool.Id as string;
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true }, WebAuthnConfiguration: { RelyingPartyId: RP_ID } } as any));
      const { ClientId } = (await send(new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'app', ExplicitAuthFlows: FLOWS }))).UserPoolClient;
      await send(new AdminCreateUserCommand({ UserPoolId, Username: 'kim', MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId, Username: 'kim', Password: PASSWORD, Permanent: true }));
      const signedIn = await send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'kim', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD } }));
      const AccessToken = signedIn.AuthenticationResult.AccessToken;
      const authenticator = new SoftAuthenticator(ORIGIN);
      const started = await send(new StartWebAuthnRegistrationCommand({ AccessToken }));
      await send(new CompleteWebAuthnRegistrationCommand({ AccessToken, Credential: authenticator.create(started.CredentialCreationOptions) }));
      assert.deepEqual((await send(new GetUserAuthFactorsCommand({ AccessToken }))).ConfiguredUserAuthFactors, ['PASSWORD', 'WEB_AUTHN']);

      const select = await send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'kim' } }));
      assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN']);
      const w = await send(new RespondToAuthChallengeCommand({ ClientId, ChallengeName: 'SELECT_CHALLENGE', Session: select.Session, ChallengeResponses: { USERNAME: 'kim', ANSWER: 'WEB_AUTHN' } }));
      assert.equal(w.ChallengeName, 'WEB_AUTHN');
      const options = JSON.parse(w.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
      assert.equal(options.rpId, RP_ID);
      const done = await send(
        new RespondToAuthChallengeCommand({ ClientId, ChallengeName: 'WEB_AUTHN', Session: w.Session, ChallengeResponses: { USERNAME: 'kim', CREDENTIAL: JSON.stringify(authenticator.get(options)) } }),
      );
      assert.ok(done.AuthenticationResult?.AccessToken, 'a passkey signs in, MFA not asked');

      // An assertion for another challenge is refused.
      const again = await send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'kim', PREFERRED_CHALLENGE: 'WEB_AUTHN' } }));
      assert.equal(again.ChallengeName, 'WEB_AUTHN');
      const stale = authenticator.get(JSON.parse(again.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS), undefined, { challenge: randomBytes(32).toString('base64url') });
      await assert.rejects(
        send(new RespondToAuthChallengeCommand({ ClientId, ChallengeName: 'WEB_AUTHN', Session: again.Session, ChallengeResponses: { USERNAME: 'kim', CREDENTIAL: JSON.stringify(stale) } })),
        (e: Error) => e.name === 'NotAuthorizedException' || e.name.startsWith('WebAuthn'),
      );

      // Under PreventUserExistenceErrors WEB_AUTHN is offered to every name and asked alike: a user
      // without a passkey and nobody get request options, and kim's passkey is refused for both.
      const hiding = (await send(new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'hiding', ExplicitAuthFlows: FLOWS, PreventUserExistenceErrors: 'ENABLED' }))).UserPoolClient.ClientId;
      await send(new AdminCreateUserCommand({ UserPoolId, Username: 'lee', MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId, Username: 'lee', Password: PASSWORD, Permanent: true }));
      for (const name of ['kim', 'lee', 'nobody']) {
        const s = await send(new InitiateAuthCommand({ ClientId: hiding, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: name } }));
        assert.deepEqual(s.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN'], name);
      }
      for (const name of ['lee', 'nobody']) {
        const c = await send(new InitiateAuthCommand({ ClientId: hiding, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: name, PREFERRED_CHALLENGE: 'WEB_AUTHN' } }));
        assert.equal(c.ChallengeName, 'WEB_AUTHN', name);
        const o = JSON.parse(c.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
        assert.equal(o.rpId, RP_ID);
        assert.equal(o.allowCredentials.length, 1);
        const assertion = authenticator.get({ ...o, allowCredentials: [] });
        await expectError(
          send(new RespondToAuthChallengeCommand({ ClientId: hiding, ChallengeName: 'WEB_AUTHN', Session: c.Session, ChallengeResponses: { USERNAME: name, CREDENTIAL: JSON.stringify(assertion) } })),
          'NotAuthorizedException',
          'The passkey was not accepted: it is not registered for this user.',
        );
      }
    });
  });
}
