/**
 * MFA settings through the real SDK, on each store: the pool's MFA configuration
 * (SetUserPoolMfaConfig, GetUserPoolMfaConfig, and MfaConfiguration in Create/Update/DescribeUserPool),
 * software tokens (AssociateSoftwareToken, VerifySoftwareToken: codes computed with otpauth at the
 * injected clock's time, drift, reuse, the secret sealed in the database), the user's factors
 * (SetUserMFAPreference, AdminSetUserMFAPreference, the legacy SetUserSettings /
 * AdminSetUserSettings) as GetUser and AdminGetUser show them, the SMS and email codes the sign-in
 * challenges will send, password recovery with MFA on, user import jobs, migration 0009, and
 * amazon-cognito-identity-js and aws-amplify v6 driving the same operations.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminSetUserSettingsCommand,
  AdminUpdateUserAttributesCommand,
  AssociateSoftwareTokenCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  CreateUserImportJobCommand,
  DescribeUserImportJobCommand,
  GetCSVHeaderCommand,
  StartUserImportJobCommand,
  ListUsersCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  SetUserSettingsCommand,
  UpdateUserPoolCommand,
  VerifySoftwareTokenCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { fetchMFAPreference, setUpTOTP, signIn, signOut, updateMFAPreference, verifyTOTPSetup } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession, type ICognitoStorage } from 'amazon-cognito-identity-js';
import { checkSoftwareTokenCode, checkMfaCode, mfaState, sendMfaCode } from '../src/domain/mfa.js';
import { Secrets } from '../src/domain/secrets.js';
import { migrate } from '../src/store/migrations.js';
import { openStore } from '../src/store/index.js';
import { totpAt as codeAt } from './client-fixtures.js';
import { adminFetch, backends, expectError, rawCall, startTestServer, TestClock, type TestServer } from './harness.js';

const PASSWORD = 'Correct-Horse-9';
const SMS_CONFIGURATION = { SnsCallerArn: 'arn:aws:iam::123456789012:role/cognito-sms', ExternalId: 'incognito-test' };
const SES = { EmailSendingAccount: 'DEVELOPER' as const, SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com' };
const SMS_OPTION = { DeliveryMedium: 'SMS' as const, AttributeName: 'phone_number' };


for (const backend of await backends()) {
  describe(`MFA settings (${backend.name})`, () => {
    let t: TestServer;
    // Half-way through a 30-second step, so that one step either way is a whole step away.
    const clock = new TestClock(Math.floor(Date.now() / 30_000) * 30_000 + 15_000);
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend, {}, { clock: clock.now });
    });
    after(() => t.close());

    async function pool(input: Partial<CreateUserPoolCommandInput> = {}) {
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'mfa', ...input }));
      return UserPool.Id as string;
    }
    async function client(poolId: string) {
      const { UserPoolClient } = await send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      );
      return UserPoolClient.ClientId as string;
    }
    /** A CONFIRMED user with a password, signed in (before any MFA is on): its access token. */
    async function signedIn(poolId: string, clientId: string, username: string, attrs: Record<string, string> = {}) {
      await send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
      const r = await send(
        new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }),
      );
      return r.AuthenticationResult.AccessToken as string;
    }
    const mfaConfig = (UserPoolId: string) => send(new GetUserPoolMfaConfigCommand({ UserPoolId }));
    const setMfaConfig = (UserPoolId: string, input: Record<string, unknown>) => send(new SetUserPoolMfaConfigCommand({ UserPoolId, ...input }));
    const associate = async (AccessToken: string) => (await send(new AssociateSoftwareTokenCommand({ AccessToken }))).SecretCode as string;
    const verify = (AccessToken: string, UserCode: string, FriendlyDeviceName?: string) =>
      send(new VerifySoftwareTokenCommand({ AccessToken, UserCode, ...(FriendlyDeviceName ? { FriendlyDeviceName } : {}) }));
    /** The MFA members of GetUser's answer (undefined members left out, as on the wire). */
    async function mfaOfGetUser(AccessToken: string) {
      const r = await send(new GetUserCommand({ AccessToken }));
      return pickMfa(r);
    }
    async function mfaOfAdminGetUser(UserPoolId: string, Username: string) {
      return pickMfa(await send(new AdminGetUserCommand({ UserPoolId, Username })));
    }
    const pickMfa = (r: any) =>
      Object.fromEntries(['MFAOptions', 'UserMFASettingList', 'PreferredMfaSetting'].filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));
    const secrets = () => new Secrets(Buffer.from(t.config.masterKey!, 'base64'));
    /** The raw users.mfa and users.extra columns, read past the store. */
    async function rawRow(poolId: string, usernameKey: string): Promise<{ mfa: string | null; extra: string }> {
      if (backend.name === 'sqlite') {
        const db = new Database(path.join(t.config.dataDir, 'incognito.sqlite'), { readonly: true });
        try {
          return db.prepare('select mfa, extra from users where pool_id = ? and username_key = ?').get(poolId, usernameKey) as { mfa: string | null; extra: string };
        } finally {
          db.close();
        }
      }
      const c = new pg.Client({ connectionString: t.config.databaseUrl, options: `-c search_path=${t.config.databaseSchema}` });
      await c.connect();
      try {
        return (await c.query('select mfa, extra from users where pool_id = $1 and username_key = $2', [poolId, usernameKey])).rows[0];
      } finally {
        await c.end();
      }
    }

    describe('the pool configuration', () => {
      it('a new pool: MFA OFF, no factor; SetUserPoolMfaConfig answers what GetUserPoolMfaConfig then shows, DescribeUserPool agrees', async () => {
        const p = await pool();
        assert.deepEqual(pickConfig(await mfaConfig(p)), { MfaConfiguration: 'OFF', SoftwareTokenMfaConfiguration: { Enabled: false } });
        const set = await setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } });
        const expected = { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } };
        assert.deepEqual(pickConfig(set), expected);
        assert.deepEqual(pickConfig(await mfaConfig(p)), expected);
        const { UserPool } = await send(new DescribeUserPoolCommand({ UserPoolId: p }));
        assert.equal(UserPool.MfaConfiguration, 'OPTIONAL');
        const raw = await rawCall(t.url, 'AWSCognitoIdentityProviderService.DescribeUserPool', JSON.stringify({ UserPoolId: p }));
        assert.equal(raw.json.UserPool.MfaFactors, undefined, 'no member UserPoolType lacks');
        // Back to OFF.
        assert.deepEqual(pickConfig(await setMfaConfig(p, { MfaConfiguration: 'OFF' })), { MfaConfiguration: 'OFF', SoftwareTokenMfaConfiguration: { Enabled: false } });
      });

      it('SMS, TOTP and email together: templates and the SMS configuration round-trip; DescribeUserPool shows the SMS message', async () => {
        const p = await pool({ EmailConfiguration: SES });
        const input = {
          MfaConfiguration: 'ON',
          SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your code: {####}', SmsConfiguration: SMS_CONFIGURATION },
          SoftwareTokenMfaConfiguration: { Enabled: true },
          EmailMfaConfiguration: { Message: 'Sign-in code {####}', Subject: 'Your code' },
        };
        const set = pickConfig(await setMfaConfig(p, input));
        assert.deepEqual(set, {
          MfaConfiguration: 'ON',
          SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your code: {####}', SmsConfiguration: SMS_CONFIGURATION },
          SoftwareTokenMfaConfiguration: { Enabled: true },
          EmailMfaConfiguration: { Message: 'Sign-in code {####}', Subject: 'Your code' },
        });
        assert.deepEqual(pickConfig(await mfaConfig(p)), set);
        const { UserPool } = await send(new DescribeUserPoolCommand({ UserPoolId: p }));
        assert.equal(UserPool.MfaConfiguration, 'ON');
        assert.equal(UserPool.SmsAuthenticationMessage, 'Your code: {####}');
        assert.deepEqual(UserPool.SmsConfiguration, SMS_CONFIGURATION);
        // A new call replaces the configuration whole: the factors it omits are off.
        assert.deepEqual(pickConfig(await setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } })), {
          MfaConfiguration: 'OPTIONAL',
          SoftwareTokenMfaConfiguration: { Enabled: true },
        });
      });

      it("refuses what Cognito refuses, with Cognito's messages", async () => {
        const p = await pool();
        await expectError(
          setMfaConfig(p, { MfaConfiguration: 'ON' }),
          'InvalidParameterException',
          "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
        );
        await expectError(
          setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: false } }),
          'InvalidParameterException',
          "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
        );
        await expectError(
          setMfaConfig(p, { MfaConfiguration: 'OFF', SoftwareTokenMfaConfiguration: { Enabled: true } }),
          'InvalidParameterException',
          "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
        );
        await expectError(
          setMfaConfig(p, { SoftwareTokenMfaConfiguration: { Enabled: true } }),
          'InvalidParameterException',
          "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
        );
        for (const SmsConfiguration of [undefined, { SnsCallerArn: 'arn:aws:iam::123456789012:role/sms' }, { SnsCallerArn: 'arn:aws:sns:us-east-1:123456789012:not-a-role', ExternalId: 'x' }]) {
          await expectError(
            setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SmsMfaConfiguration: { SmsAuthenticationMessage: 'Code {####}', ...(SmsConfiguration ? { SmsConfiguration } : {}) } }),
            'InvalidParameterException',
            'Invalid SMS MFA configuration given, external id and a valid caller arn are required',
          );
        }
        // The template must hold the placeholder (the model's pattern).
        await expectError(
          setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SmsMfaConfiguration: { SmsAuthenticationMessage: 'no placeholder', SmsConfiguration: SMS_CONFIGURATION } }),
          'InvalidParameterException',
          /smsMfaConfiguration\.smsAuthenticationMessage/,
        );
        // Email MFA needs SES (EmailSendingAccount DEVELOPER) and a tier above LITE.
        await expectError(
          setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', EmailMfaConfiguration: { Message: 'Code {####}' } }),
          'InvalidParameterException',
          /EmailSendingAccount to DEVELOPER/,
        );
        const lite = await pool({ UserPoolTier: 'LITE', EmailConfiguration: SES });
        await expectError(setMfaConfig(lite, { MfaConfiguration: 'OPTIONAL', EmailMfaConfiguration: {} }), 'FeatureUnavailableInTierException');
        await expectError(setMfaConfig('us-east-1_nopool', { MfaConfiguration: 'OFF' }), 'ResourceNotFoundException', 'User pool us-east-1_nopool does not exist.');
        await expectError(mfaConfig('us-east-1_nopool'), 'ResourceNotFoundException', 'User pool us-east-1_nopool does not exist.');
        // Nothing was written by the refused calls.
        assert.deepEqual(pickConfig(await mfaConfig(p)), { MfaConfiguration: 'OFF', SoftwareTokenMfaConfiguration: { Enabled: false } });
        // The pool's own SmsConfiguration serves the SMS factor when the request has none.
        const withSms = await pool({ SmsConfiguration: SMS_CONFIGURATION });
        assert.deepEqual(pickConfig(await setMfaConfig(withSms, { MfaConfiguration: 'OPTIONAL', SmsMfaConfiguration: {} })), {
          MfaConfiguration: 'OPTIONAL',
          SmsMfaConfiguration: { SmsConfiguration: SMS_CONFIGURATION },
          SoftwareTokenMfaConfiguration: { Enabled: false },
        });
      });

      it('CreateUserPool and UpdateUserPool: MFA ON or OPTIONAL needs a factor; UpdateUserPool without MfaConfiguration turns MFA off', async () => {
        for (const MfaConfiguration of ['ON', 'OPTIONAL'] as const) {
          await expectError(
            send(new CreateUserPoolCommand({ PoolName: 'mfa', MfaConfiguration })),
            'InvalidParameterException',
            'SMS configuration and Auto verification for phone_number are required when MFA is required/optional',
          );
        }
        const p = await pool({ MfaConfiguration: 'OPTIONAL', SmsConfiguration: SMS_CONFIGURATION, SmsAuthenticationMessage: 'Code {####}' });
        assert.deepEqual(pickConfig(await mfaConfig(p)), {
          MfaConfiguration: 'OPTIONAL',
          SmsMfaConfiguration: { SmsAuthenticationMessage: 'Code {####}', SmsConfiguration: SMS_CONFIGURATION },
          SoftwareTokenMfaConfiguration: { Enabled: false },
        });
        // TOTP added; an UpdateUserPool that keeps MFA on (without SMS) keeps TOTP.
        await setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } });
        await send(new UpdateUserPoolCommand({ UserPoolId: p, MfaConfiguration: 'ON' }));
        assert.deepEqual(pickConfig(await mfaConfig(p)), { MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } });
        // Omitted, MfaConfiguration goes back to its default, OFF, and the factors with it.
        await send(new UpdateUserPoolCommand({ UserPoolId: p }));
        assert.deepEqual(pickConfig(await mfaConfig(p)), { MfaConfiguration: 'OFF', SoftwareTokenMfaConfiguration: { Enabled: false } });
        assert.equal((await send(new DescribeUserPoolCommand({ UserPoolId: p }))).UserPool.MfaConfiguration, 'OFF');
        await expectError(
          send(new UpdateUserPoolCommand({ UserPoolId: p, MfaConfiguration: 'OPTIONAL' })),
          'InvalidParameterException',
          'SMS configuration and Auto verification for phone_number are required when MFA is required/optional',
        );
        await send(new UpdateUserPoolCommand({ UserPoolId: p, MfaConfiguration: 'OPTIONAL', SmsConfiguration: SMS_CONFIGURATION }));
        assert.deepEqual(pickConfig(await mfaConfig(p)), {
          MfaConfiguration: 'OPTIONAL',
          SmsMfaConfiguration: { SmsConfiguration: SMS_CONFIGURATION },
          SoftwareTokenMfaConfiguration: { Enabled: false },
        });
      });
    });

    describe('software tokens', () => {
      it('AssociateSoftwareToken gives a base32 secret; VerifySoftwareToken takes a code of it at the clock\'s time; the secret is sealed at rest', async () => {
        const p = await pool();
        await setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } });
        const c = await client(p);
        const token = await signedIn(p, c, 'tina');
        const secret = await associate(token);
        assert.match(secret, /^[A-Z2-7]{52}$/);
        assert.notEqual(await associate(token), secret, 'a new secret each time');
        const latest = await associate(token);
        // Sealed: neither secret appears in the database, in any form the SecretCode has.
        const pending = await rawRow(p, 'tina');
        assert.ok(pending.mfa && !pending.mfa.includes(latest) && !pending.mfa.includes(secret));
        assert.match(JSON.parse(pending.mfa).pendingTotp.secret, /^v1\./);
        // A code of the replaced secret, then a wrong one: EnableSoftwareTokenMFAException.
        await expectError(verify(token, codeAt(secret, clock.now())), 'EnableSoftwareTokenMFAException', 'Code mismatch and fail enable Software Token MFA');
        const right = codeAt(latest, clock.now());
        await expectError(verify(token, right === '000000' ? '000001' : '000000'), 'EnableSoftwareTokenMFAException', 'Code mismatch and fail enable Software Token MFA');
        const ok = await verify(token, right, 'My phone');
        assert.equal(ok.Status, 'SUCCESS');
        assert.equal(ok.Session, undefined, 'no Session for the AccessToken variant');
        const stored = JSON.parse((await rawRow(p, 'tina')).mfa!);
        assert.equal(stored.pendingTotp, undefined);
        assert.equal(stored.totp.friendlyName, 'My phone');
        assert.ok(!JSON.stringify(stored).includes(latest));
        // Verified, not yet enabled: GetUser shows no factor until SetUserMFAPreference.
        assert.deepEqual(await mfaOfGetUser(token), {});
        // Nothing pending any more.
        await expectError(verify(token, codeAt(latest, clock.now() + 30_000)), 'SoftwareTokenMFANotFoundException');
      });

      it('one step of drift either way is accepted, two are not', async () => {
        const p = await pool();
        const c = await client(p);
        const token = await signedIn(p, c, 'drift');
        let secret = await associate(token);
        const now = clock.now();
        await expectError(verify(token, codeAt(secret, now - 60_000)), 'EnableSoftwareTokenMFAException');
        await expectError(verify(token, codeAt(secret, now + 60_000)), 'EnableSoftwareTokenMFAException');
        assert.equal((await verify(token, codeAt(secret, now - 30_000))).Status, 'SUCCESS');
        secret = await associate(token);
        assert.equal((await verify(token, codeAt(secret, now + 30_000))).Status, 'SUCCESS');
        // The clock moves: the code of two steps ago no longer works, the current one does.
        secret = await associate(token);
        const old = codeAt(secret, clock.now());
        clock.advance(60_000);
        await expectError(verify(token, old), 'EnableSoftwareTokenMFAException');
        assert.equal((await verify(token, codeAt(secret, clock.now()))).Status, 'SUCCESS');
      });

      it('a code accepted once is refused after (the SOFTWARE_TOKEN_MFA check the sign-in engine runs); a new association leaves the old token working until verified', async () => {
        const p = await pool();
        await setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } });
        const c = await client(p);
        const token = await signedIn(p, c, 'reuse');
        const secret = await associate(token);
        const verifiedWith = codeAt(secret, clock.now());
        await verify(token, verifiedWith);
        const s = () => ({ store: t.server.store, secrets: secrets(), now: clock.now() });
        const user = (await t.server.store.users.get(p, 'reuse'))!;
        const Pool = { id: p };
        // The code VerifySoftwareToken took is spent.
        await assert.rejects(checkSoftwareTokenCode(s(), Pool, user, verifiedWith), { name: 'ExpiredCodeException', message: 'Your software token has already been used once.' });
        clock.advance(30_000);
        const next = codeAt(secret, clock.now());
        await checkSoftwareTokenCode(s(), Pool, user, next);
        await assert.rejects(checkSoftwareTokenCode(s(), Pool, user, next), { name: 'ExpiredCodeException' }, 'the same code twice');
        // Two requests with one fresh code: exactly one passes.
        clock.advance(30_000);
        const fresh = codeAt(secret, clock.now());
        const results = await Promise.allSettled([checkSoftwareTokenCode(s(), Pool, user, fresh), checkSoftwareTokenCode(s(), Pool, user, fresh)]);
        assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
        // A new secret is pending; the verified token keeps working until the new one is verified.
        const replacement = await associate(token);
        clock.advance(30_000);
        await checkSoftwareTokenCode(s(), Pool, user, codeAt(secret, clock.now()));
        await verify(token, codeAt(replacement, clock.now()));
        clock.advance(30_000);
        await assert.rejects(checkSoftwareTokenCode(s(), Pool, user, codeAt(secret, clock.now())), { name: 'CodeMismatchException' }, 'the old secret is gone');
        await checkSoftwareTokenCode(s(), Pool, user, codeAt(replacement, clock.now()));
        // Checking a code does not change UserLastModifiedDate.
        const before = (await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'reuse' }))).UserLastModifiedDate.getTime();
        clock.advance(30_000);
        await checkSoftwareTokenCode(s(), Pool, user, codeAt(replacement, clock.now()));
        assert.equal((await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'reuse' }))).UserLastModifiedDate.getTime(), before);
      });

      it('takes an AccessToken or a Session, not both; an unknown Session and a bad token are refused', async () => {
        const p = await pool();
        const c = await client(p);
        const token = await signedIn(p, c, 'sess');
        const session = 'x'.repeat(40);
        // The MFA_SETUP flow itself: tests/mfa-signin.test.ts.
        await expectError(send(new AssociateSoftwareTokenCommand({ Session: session })), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');
        await expectError(send(new VerifySoftwareTokenCommand({ Session: session, UserCode: '123456' })), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');
        await expectError(send(new AssociateSoftwareTokenCommand({ AccessToken: token, Session: session })), 'InvalidParameterException', /not both/);
        await expectError(send(new VerifySoftwareTokenCommand({ AccessToken: token, Session: session, UserCode: '123456' })), 'InvalidParameterException', /not both/);
        await expectError(send(new AssociateSoftwareTokenCommand({})), 'InvalidParameterException', /AccessToken or a Session/);
        await expectError(send(new AssociateSoftwareTokenCommand({ AccessToken: 'not.a.token' })), 'NotAuthorizedException', 'Invalid Access Token');
        await expectError(verify(token, '123456'), 'SoftwareTokenMFANotFoundException', 'Software Token MFA does not exist for the user.');
        await expectError(verify(token, '12345'), 'InvalidParameterException', /userCode/);
      });
    });

    describe("the user's factors", () => {
      it('a user without MFA shows none of the members; TOTP cannot be enabled before a token is verified', async () => {
        const p = await pool();
        await setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } });
        const c = await client(p);
        const token = await signedIn(p, c, 'fresh');
        assert.deepEqual(await mfaOfGetUser(token), {});
        assert.deepEqual(await mfaOfAdminGetUser(p, 'fresh'), {});
        assert.equal((await rawRow(p, 'fresh')).mfa, null, 'nothing stored');
        for (const call of [
          () => send(new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } })),
          () => send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: p, Username: 'fresh', SoftwareTokenMfaSettings: { Enabled: true } })),
        ]) {
          await expectError(call(), 'InvalidParameterException', 'User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA');
        }
        // An associated but unverified secret is not enough either.
        await associate(token);
        await expectError(
          send(new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true } })),
          'InvalidParameterException',
          'User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA',
        );
      });

      it('SetUserMFAPreference: enables, prefers and disables factors; GetUser and AdminGetUser show UserMFASettingList, PreferredMfaSetting and MFAOptions', async () => {
        const p = await pool({ EmailConfiguration: SES });
        await setMfaConfig(p, {
          MfaConfiguration: 'OPTIONAL',
          SoftwareTokenMfaConfiguration: { Enabled: true },
          SmsMfaConfiguration: { SmsConfiguration: SMS_CONFIGURATION },
          EmailMfaConfiguration: {},
        });
        const c = await client(p);
        const token = await signedIn(p, c, 'pat');
        const secret = await associate(token);
        await verify(token, codeAt(secret, clock.now()));
        const prefs = (input: Record<string, unknown>) => send(new SetUserMFAPreferenceCommand({ AccessToken: token, ...input }));
        await prefs({ SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
        const totpOnly = { UserMFASettingList: ['SOFTWARE_TOKEN_MFA'], PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' };
        assert.deepEqual(await mfaOfGetUser(token), totpOnly);
        assert.deepEqual(await mfaOfAdminGetUser(p, 'pat'), totpOnly);

        // SMS and email need somewhere to send the code.
        await expectError(prefs({ SMSMfaSettings: { Enabled: true } }), 'InvalidParameterException', 'User does not have delivery config set to turn on SMS_MFA');
        await expectError(prefs({ EmailMfaSettings: { Enabled: true } }), 'InvalidParameterException', 'User does not have delivery config set to turn on EMAIL_OTP');
        await send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: p,
            Username: 'pat',
            UserAttributes: [
              { Name: 'phone_number', Value: '+15555550123' },
              { Name: 'email', Value: 'pat@example.com' },
            ],
          }),
        );
        // An unverified phone number will do, as in Cognito.
        await prefs({ SMSMfaSettings: { Enabled: true, PreferredMfa: true }, EmailMfaSettings: { Enabled: true } });
        const three = {
          MFAOptions: [SMS_OPTION],
          UserMFASettingList: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'],
          PreferredMfaSetting: 'SMS_MFA',
        };
        assert.deepEqual(await mfaOfGetUser(token), three);
        assert.deepEqual(await mfaOfAdminGetUser(p, 'pat'), three);
        const listed = (await send(new ListUsersCommand({ UserPoolId: p, Filter: 'username = "pat"' }))).Users[0];
        assert.deepEqual(listed.MFAOptions, [SMS_OPTION], 'ListUsers shows the SMS option too');

        // Only one factor can be preferred; a preferred factor must be enabled.
        await expectError(prefs({ SMSMfaSettings: { Enabled: true, PreferredMfa: true }, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }), 'InvalidParameterException');
        await expectError(prefs({ EmailMfaSettings: { Enabled: false, PreferredMfa: true } }), 'InvalidParameterException');
        assert.deepEqual(await mfaOfGetUser(token), three, 'refused calls change nothing');

        // Email preferred: the preference moves. A factor not in the request is left as it is.
        await prefs({ EmailMfaSettings: { Enabled: true, PreferredMfa: true } });
        assert.equal((await mfaOfGetUser(token)).PreferredMfaSetting, 'EMAIL_OTP');
        assert.deepEqual((await mfaOfGetUser(token)).UserMFASettingList, ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP']);
        // Un-preferring the preferred factor leaves none preferred; disabling SMS drops MFAOptions.
        await prefs({ EmailMfaSettings: { Enabled: true, PreferredMfa: false }, SMSMfaSettings: { Enabled: false } });
        assert.deepEqual(await mfaOfGetUser(token), { UserMFASettingList: ['SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'] });
        // Everything off: the members are gone again.
        await prefs({ EmailMfaSettings: { Enabled: false }, SoftwareTokenMfaSettings: { Enabled: false } });
        assert.deepEqual(await mfaOfGetUser(token), {});
        // The verified token stays: TOTP can be turned on again without a new set-up.
        await prefs({ SoftwareTokenMfaSettings: { Enabled: true } });
        assert.deepEqual(await mfaOfGetUser(token), { UserMFASettingList: ['SOFTWARE_TOKEN_MFA'] });
      });

      it('AdminSetUserMFAPreference sets the same; unknown users and pools are refused; email MFA is refused in a LITE pool', async () => {
        const p = await pool();
        const c = await client(p);
        await signedIn(p, c, 'amy', { phone_number: '+15555550124' });
        await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: p, Username: 'amy', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
        assert.deepEqual(await mfaOfAdminGetUser(p, 'amy'), { MFAOptions: [SMS_OPTION], UserMFASettingList: ['SMS_MFA'], PreferredMfaSetting: 'SMS_MFA' });
        await expectError(
          send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: p, Username: 'nobody', SMSMfaSettings: { Enabled: true } })),
          'UserNotFoundException',
          'User does not exist.',
        );
        await expectError(
          send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: 'us-east-1_nopool', Username: 'amy', SMSMfaSettings: { Enabled: true } })),
          'ResourceNotFoundException',
        );
        const lite = await pool({ UserPoolTier: 'LITE' });
        const lc = await client(lite);
        await signedIn(lite, lc, 'lou', { email: 'lou@example.com' });
        await expectError(send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: lite, Username: 'lou', EmailMfaSettings: { Enabled: true } })), 'FeatureUnavailableInTierException');
      });

      it('the legacy switch: SetUserSettings and AdminSetUserSettings set MFAOptions (not UserMFASettingList) in the typed settings; [] turns SMS MFA off', async () => {
        const p = await pool();
        const c = await client(p);
        const token = await signedIn(p, c, 'leg', { phone_number: '+15555550125' });
        await send(new SetUserSettingsCommand({ AccessToken: token, MFAOptions: [SMS_OPTION] }));
        assert.deepEqual(await mfaOfGetUser(token), { MFAOptions: [SMS_OPTION] });
        assert.deepEqual(await mfaOfAdminGetUser(p, 'leg'), { MFAOptions: [SMS_OPTION] });
        const row = await rawRow(p, 'leg');
        assert.deepEqual(JSON.parse(row.mfa!), { mfaOptions: [SMS_OPTION] });
        assert.ok(!row.extra.includes('mfaOptions'), 'not in the untyped extra field');
        await send(new SetUserSettingsCommand({ AccessToken: token, MFAOptions: [] }));
        assert.deepEqual(await mfaOfGetUser(token), {});
        assert.equal((await rawRow(p, 'leg')).mfa, null);
        // [] also turns off SMS MFA that SetUserMFAPreference turned on.
        await send(new SetUserMFAPreferenceCommand({ AccessToken: token, SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
        await send(new AdminSetUserSettingsCommand({ UserPoolId: p, Username: 'leg', MFAOptions: [] }));
        assert.deepEqual(await mfaOfAdminGetUser(p, 'leg'), {});
        await send(new AdminSetUserSettingsCommand({ UserPoolId: p, Username: 'leg', MFAOptions: [SMS_OPTION] }));
        assert.deepEqual(JSON.parse((await rawRow(p, 'leg')).mfa!), { mfaOptions: [SMS_OPTION] });
        await expectError(
          send(new SetUserSettingsCommand({ AccessToken: token, MFAOptions: [{ DeliveryMedium: 'EMAIL', AttributeName: 'email' }] })),
          'InvalidParameterException',
          'Only SMS MFA with the phone_number attribute can be set with MFAOptions.',
        );
        await expectError(send(new SetUserSettingsCommand({ AccessToken: 'bad', MFAOptions: [] })), 'NotAuthorizedException');
      });
    });

    describe('account recovery', () => {
      it('with an AccountRecoverySetting, SMS MFA disqualifies the phone and email MFA the email for ForgotPassword', async () => {
        const p = await pool({
          EmailConfiguration: SES,
          AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_phone_number', Priority: 1 }, { Name: 'verified_email', Priority: 2 }] },
        });
        await setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SmsMfaConfiguration: { SmsConfiguration: SMS_CONFIGURATION }, EmailMfaConfiguration: {} });
        const c = await client(p);
        const attrs = { phone_number: '+15555550130', phone_number_verified: 'true', email: 'rec@example.com', email_verified: 'true' };
        const token = await signedIn(p, c, 'rec', attrs);
        const forgot = async () => (await send(new ForgotPasswordCommand({ ClientId: c, Username: 'rec' }))).CodeDeliveryDetails.DeliveryMedium;
        assert.equal(await forgot(), 'SMS', 'the phone first, as the setting says');
        await send(new SetUserMFAPreferenceCommand({ AccessToken: token, SMSMfaSettings: { Enabled: true } }));
        assert.equal(await forgot(), 'EMAIL', 'not the phone that is also the MFA factor');
        await send(new SetUserMFAPreferenceCommand({ AccessToken: token, EmailMfaSettings: { Enabled: true } }));
        await expectError(
          send(new ForgotPasswordCommand({ ClientId: c, Username: 'rec' })),
          'InvalidParameterException',
          'Cannot reset password for the user as there is no registered/verified email or phone_number',
        );
        await send(new SetUserMFAPreferenceCommand({ AccessToken: token, SMSMfaSettings: { Enabled: false } }));
        assert.equal(await forgot(), 'SMS');
      });
    });

    describe('the codes the sign-in challenges send, and mfaState', () => {
      it('sendMfaCode sends through the outbox with the pool templates and masked destinations; checkMfaCode takes that code only; mfaState follows the settings', async () => {
        const p = await pool({ EmailConfiguration: SES });
        await setMfaConfig(p, {
          MfaConfiguration: 'OPTIONAL',
          SmsMfaConfiguration: { SmsAuthenticationMessage: 'SMS code {####}', SmsConfiguration: SMS_CONFIGURATION },
          EmailMfaConfiguration: { Message: 'Email code {####}', Subject: 'Sign-in code' },
        });
        const c = await client(p);
        const token = await signedIn(p, c, 'codes', { phone_number: '+15555550126', email: 'codes@example.com' });
        await send(new SetUserMFAPreferenceCommand({ AccessToken: token, SMSMfaSettings: { Enabled: true }, EmailMfaSettings: { Enabled: true, PreferredMfa: true } }));
        const poolRecord = (await t.server.store.pools.get(p))!;
        const user = (await t.server.store.users.get(p, 'codes'))!;
        assert.deepEqual(mfaState(poolRecord, user), { configuration: 'OPTIONAL', required: true, enabled: ['SMS_MFA', 'EMAIL_OTP'], preferred: 'EMAIL_OTP', canSetUp: [] });
        const s = { secrets: secrets(), now: clock.now(), delivery: t.server.delivery };
        const outbox = async () => {
          const res = await adminFetch(`${t.url}/_incognito/messages?userPoolId=${p}&username=codes&limit=1`);
          return ((await res.json()) as any).messages[0];
        };
        const sms = await sendMfaCode(s, poolRecord, user, 'SMS');
        const smsMsg = await outbox();
        assert.equal(smsMsg.kind, 'MFA');
        assert.equal(smsMsg.destination, '+15555550126');
        assert.equal(smsMsg.body, `SMS code ${smsMsg.code}`);
        assert.deepEqual(sms.deliveryDetails, { Destination: '+*******0126', DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
        assert.equal(checkMfaCode(s, user, sms, smsMsg.code), true);
        const email = await sendMfaCode(s, poolRecord, user, 'EMAIL');
        const emailMsg = await outbox();
        assert.equal(emailMsg.subject, 'Sign-in code');
        assert.equal(emailMsg.body, `Email code ${emailMsg.code}`);
        assert.deepEqual(email.deliveryDetails, { Destination: 'c***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
        assert.equal(checkMfaCode(s, user, email, emailMsg.code), true);
        if (emailMsg.code !== smsMsg.code) assert.equal(checkMfaCode(s, user, email, smsMsg.code), false, "the other message's code");
        assert.equal(checkMfaCode({ ...s, now: email.expiresAt + 1 }, user, email, emailMsg.code), false, 'expired');
        // Cognito's default SMS text when the pool sets none.
        const plain = await pool({ MfaConfiguration: 'OPTIONAL', SmsConfiguration: SMS_CONFIGURATION });
        const plainRecord = (await t.server.store.pools.get(plain))!;
        await sendMfaCode(s, plainRecord, { ...user, poolId: plain }, 'SMS');
        const res = await adminFetch(`${t.url}/_incognito/messages?userPoolId=${plain}&username=codes&limit=1`);
        const def = ((await res.json()) as any).messages[0];
        assert.equal(def.body, `Your authentication code is ${def.code}. `);
      });
    });

    describe('user import jobs', () => {
      it('cognito:mfa_enabled true imports the user with SMS MFA on (the legacy MFAOptions), false without', async () => {
        const imp = await startTestServer(backend);
        try {
          const c = imp.cognito;
          const p = (await c.send(new CreateUserPoolCommand({ PoolName: 'imp', AutoVerifiedAttributes: ['email'], MfaConfiguration: 'OPTIONAL', SmsConfiguration: SMS_CONFIGURATION }))).UserPool!.Id!;
          const header = (await c.send(new GetCSVHeaderCommand({ UserPoolId: p }))).CSVHeader!;
          const row = (name: string, mfa: string): Record<string, string> => ({
            'cognito:username': name,
            'cognito:mfa_enabled': mfa,
            email: `${name}@example.com`,
            email_verified: 'true',
            phone_number: '+15555550199',
          });
          const file = [header.join(','), ...[row('withmfa', 'true'), row('without', 'false')].map((r) => header.map((h) => r[h] ?? '').join(','))].join('\n') + '\n';
          const job = (await c.send(new CreateUserImportJobCommand({ UserPoolId: p, JobName: 'mfa', CloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/CognitoImport' }))).UserImportJob!;
          const res = await fetch(job.PreSignedUrl!, { method: 'PUT', body: file, headers: { 'x-amz-server-side-encryption': 'aws:kms' } });
          assert.equal(res.status, 200);
          await c.send(new StartUserImportJobCommand({ UserPoolId: p, JobId: job.JobId }));
          const until = Date.now() + 60_000;
          let status: string | undefined;
          do {
            await new Promise((r) => setTimeout(r, 50));
            status = (await c.send(new DescribeUserImportJobCommand({ UserPoolId: p, JobId: job.JobId }))).UserImportJob!.Status;
          } while ((status === 'Pending' || status === 'InProgress') && Date.now() < until);
          assert.equal(status, 'Succeeded');
          assert.deepEqual((await c.send(new AdminGetUserCommand({ UserPoolId: p, Username: 'withmfa' }))).MFAOptions, [SMS_OPTION]);
          assert.equal((await c.send(new AdminGetUserCommand({ UserPoolId: p, Username: 'without' }))).MFAOptions, undefined);
        } finally {
          await imp.close();
        }
      });
    });

    describe('aws-amplify v6', () => {
      it('setUpTOTP, verifyTOTPSetup, updateMFAPreference and fetchMFAPreference for a signed-in user', async () => {
        const p = await pool();
        await setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } });
        const c = await client(p);
        await signedIn(p, c, 'amp');
        // Amplify checks its tokens against the wall clock: the server's clock is set back to it.
        clock.set(Date.now());
        const data = new Map<string, string>();
        Amplify.configure({ Auth: { Cognito: { userPoolId: p, userPoolClientId: c, userPoolEndpoint: t.url } } });
        cognitoUserPoolsTokenProvider.setKeyValueStorage({
          setItem: async (k, v) => void data.set(k, v),
          getItem: async (k) => data.get(k) ?? null,
          removeItem: async (k) => void data.delete(k),
          clear: async () => data.clear(),
        });
        const prefs = async () => {
          const { enabled, preferred } = await fetchMFAPreference();
          return { enabled, preferred };
        };
        try {
          const r = await signIn({ username: 'amp', password: PASSWORD });
          assert.equal(r.isSignedIn, true);
          assert.deepEqual(await prefs(), { enabled: undefined, preferred: undefined });
          const details = await setUpTOTP();
          assert.match(details.sharedSecret, /^[A-Z2-7]{52}$/);
          const uri = details.getSetupUri('incognito');
          assert.equal(uri.searchParams.get('secret'), details.sharedSecret);
          await assert.rejects(verifyTOTPSetup({ code: codeAt(details.sharedSecret, clock.now()) === '000000' ? '000001' : '000000' }), { name: 'EnableSoftwareTokenMFAException' });
          await verifyTOTPSetup({ code: codeAt(details.sharedSecret, clock.now()), options: { friendlyDeviceName: 'amplify phone' } });
          await updateMFAPreference({ totp: 'PREFERRED' });
          assert.deepEqual(await prefs(), { enabled: ['TOTP'], preferred: 'TOTP' });
          await updateMFAPreference({ totp: 'NOT_PREFERRED' });
          assert.deepEqual(await prefs(), { enabled: ['TOTP'], preferred: undefined });
          await updateMFAPreference({ totp: 'DISABLED' });
          assert.deepEqual(await prefs(), { enabled: undefined, preferred: undefined });
          const stored = JSON.parse((await rawRow(p, 'amp')).mfa!);
          assert.equal(stored.totp.friendlyName, 'amplify phone');
        } finally {
          await signOut();
        }
      });
    });

    describe('amazon-cognito-identity-js', () => {
      const memory = (): ICognitoStorage => {
        const data = new Map<string, string>();
        return { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k), clear: () => data.clear() };
      };
      const call = <T>(f: (cb: (err: any, r?: T) => void) => void) => new Promise<T>((resolve, reject) => f((err, r) => (err ? reject(err) : resolve(r as T))));

      it('associateSoftwareToken, verifySoftwareToken, setUserMfaPreference, enableMFA / disableMFA and getUserData on a signed-in CognitoUser', async () => {
        const p = await pool();
        await setMfaConfig(p, { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } });
        const c = await client(p);
        await signedIn(p, c, 'lib', { phone_number: '+15555550127' });
        // The library checks its tokens against the wall clock: the server's clock is set back to it.
        clock.set(Date.now());
        const userPool = new CognitoUserPool({ UserPoolId: p, ClientId: c, endpoint: t.url + '/', Storage: memory() });
        const user = new CognitoUser({ Username: 'lib', Pool: userPool, Storage: memory() });
        await new Promise<CognitoUserSession>((resolve, reject) =>
          user.authenticateUser(new AuthenticationDetails({ Username: 'lib', Password: PASSWORD }), { onSuccess: resolve, onFailure: reject }),
        );
        const secret = await new Promise<string>((resolve, reject) => user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }));
        assert.match(secret, /^[A-Z2-7]{52}$/);
        await assert.rejects(
          new Promise((resolve, reject) => user.verifySoftwareToken('000000' === codeAt(secret, clock.now()) ? '000001' : '000000', 'lib phone', { onSuccess: resolve, onFailure: reject })),
          (e: any) => e.code === 'EnableSoftwareTokenMFAException',
        );
        const verified = await new Promise<any>((resolve, reject) => user.verifySoftwareToken(codeAt(secret, clock.now()), 'lib phone', { onSuccess: resolve, onFailure: reject }));
        assert.equal(verified.Status, 'SUCCESS');
        assert.equal(await call<string>((cb) => user.setUserMfaPreference(null, { Enabled: true, PreferredMfa: true }, cb)), 'SUCCESS');
        const data = await call<any>((cb) => user.getUserData(cb, { bypassCache: true }));
        assert.deepEqual(data.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
        assert.equal(data.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
        // The legacy SMS switch (SetUserSettings) through enableMFA / getMFAOptions / disableMFA.
        assert.equal(await call<string>((cb) => user.enableMFA(cb)), 'SUCCESS');
        assert.deepEqual(await call<any>((cb) => user.getMFAOptions(cb)), [SMS_OPTION]);
        assert.equal(await call<string>((cb) => user.disableMFA(cb)), 'SUCCESS');
        const after = await call<any>((cb) => user.getUserData(cb, { bypassCache: true }));
        assert.equal(after.MFAOptions, undefined);
        assert.deepEqual(after.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
      });
    });
  });
}

for (const backend of await backends()) {
  describe(`migration 0009: the MFA settings column (${backend.name})`, () => {
    it("moves the legacy MFAOptions out of extra into the typed users.mfa, keeping extra's other members", async () => {
      const fresh = await backend.fresh();
      const { dataDir, databaseUrl, databaseSchema } = fresh.settings;
      try {
        let db: Kysely<any>;
        if (backend.name === 'sqlite') {
          db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(path.join(dataDir!, 'incognito.sqlite')) }) });
        } else {
          const c = new pg.Client({ connectionString: databaseUrl });
          await c.connect();
          await c.query(`create schema if not exists ${databaseSchema}`);
          await c.end();
          db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, options: `-c search_path=${databaseSchema}` }) }) });
        }
        await migrate(db, backend.name, databaseSchema, '0008_import_log_pending');
        const now = Date.now();
        await db.insertInto('user_pools').values({ id: 'us-east-1_old', region: 'us-east-1', name: 'old', created_at: now, updated_at: now, settings: '{}', tags: '{}' }).execute();
        const row = (key: string, extra: Record<string, unknown>) => ({
          pool_id: 'us-east-1_old', username_key: key, username: key, sub: `00000000-0000-4000-8000-00000000000${key.length}`, status: 'CONFIRMED', enabled: 1,
          attributes: '{}', password_hash: null, password_updated_at: null, extra: JSON.stringify(extra), created_at: now, updated_at: now, srp_verifier: null,
        });
        await db
          .insertInto('users')
          .values([
            row('a', { mfaOptions: [SMS_OPTION], signInFailures: { count: 2 } }),
            row('bb', { mfaOptions: [] }),
            row('ccc', { signInFailures: { count: 1 } }),
          ])
          .execute();
        await db.destroy();
        const store = await openStore({ dataDir: dataDir!, databaseUrl, databaseSchema });
        try {
          const a = (await store.users.get('us-east-1_old', 'a'))!;
          assert.deepEqual(a.mfa, { mfaOptions: [SMS_OPTION] });
          assert.deepEqual(a.extra, { signInFailures: { count: 2 } });
          const b = (await store.users.get('us-east-1_old', 'bb'))!;
          assert.deepEqual(b.mfa, {});
          assert.deepEqual(b.extra, {});
          const c = (await store.users.get('us-east-1_old', 'ccc'))!;
          assert.deepEqual(c.mfa, {});
          assert.deepEqual(c.extra, { signInFailures: { count: 1 } });
          // The hot reads carry the column too.
          assert.deepEqual((await store.reads.userByKey('us-east-1_old', 'a'))!.mfa, { mfaOptions: [SMS_OPTION] });
          assert.deepEqual((await store.reads.poolAndProfile('us-east-1_old', 'a'))!.user!.mfa, { mfaOptions: [SMS_OPTION] });
        } finally {
          await store.close();
        }
      } finally {
        await fresh.cleanup();
      }
    });
  });
}

/** The members of a Get/SetUserPoolMfaConfig answer, without the SDK's $metadata. */
function pickConfig(r: any) {
  const { $metadata: _, ...rest } = r;
  return rest;
}
