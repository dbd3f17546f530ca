/**
 * Differences from Cognito found by the outside acceptance pass (boto3, the AWS CLI, pycognito),
 * each through the AWS SDK on both stores, with the clock injected. Evidence: docs/decisions.md,
 * "Acceptance pass".
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  ConfirmDeviceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { totpAt as totp } from './client-fixtures.js';
import { adminFetch, backends, expectError, startTestServer, TestClock, type TestServer } from './harness.js';
import { CLI } from './process.js';
import { DeviceSrpClient, makeDeviceSecret, SrpClient } from './srp-client.js';

const PASSWORD = 'Correct-Horse-9';

for (const backend of await backends()) {
  describe(`acceptance pass (${backend.name})`, () => {
    // 5 s into a 30-second step.
    const clock = new TestClock(Math.floor(Date.now() / 30_000) * 30_000 + 5_000);
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend, {}, { clock: clock.now });
    });
    after(() => t?.close());

    async function totpPool() {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'accept' }))).UserPool.Id as string;
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })))
        .UserPoolClient.ClientId as string;
      return { poolId, clientId };
    }
    async function user(poolId: string, Username: string) {
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
    }
    const passwordAuth = (ClientId: string, USERNAME: string) => send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD } }));

    it('a software token code already used (by VerifySoftwareToken) is ExpiredCodeException "Your software token has already been used once.", not counted, the session kept', async () => {
      const { poolId, clientId } = await totpPool();
      await user(poolId, 'vera');
      const AccessToken = (await passwordAuth(clientId, 'vera')).AuthenticationResult.AccessToken;
      const { SecretCode } = await send(new AssociateSoftwareTokenCommand({ AccessToken }));
      const setupCode = totp(SecretCode, clock.now());
      assert.equal((await send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: setupCode }))).Status, 'SUCCESS');
      await send(new SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));

      // Signing in within the same 30 seconds with the code just used to verify the token.
      const r = await passwordAuth(clientId, 'vera');
      assert.equal(r.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      const answer = (code: string) =>
        send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: r.Session, ChallengeResponses: { USERNAME: 'vera', SOFTWARE_TOKEN_MFA_CODE: code } }));
      // More times than the lockout allows wrong answers: a spent code is not a wrong one.
      for (let i = 0; i < 6; i++) await expectError(answer(setupCode), 'ExpiredCodeException', 'Your software token has already been used once.');
      // A wrong code is still a mismatch.
      await expectError(answer(totp(SecretCode, clock.now() + 90_000)), 'CodeMismatchException', 'Invalid code received for user');
      // The next step's code passes, in the same session.
      clock.advance(30_000);
      const done = await answer(totp(SecretCode, clock.now()));
      assert.ok(done.AuthenticationResult?.AccessToken);
      clock.advance(30_000);
    });

    it('device SRP answered without the Session (pycognito, AWS\'s Java SRP example): DEVICE_SRP_AUTH found by USERNAME and DEVICE_KEY, DEVICE_PASSWORD_VERIFIER by its SECRET_BLOCK; the MFA it skips', async () => {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'devices', DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false } })))
        .UserPool.Id as string;
      const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })))
        .UserPoolClient.ClientId as string;
      await user(poolId, 'dana');
      const first = await passwordAuth(clientId, 'dana');
      const meta = first.AuthenticationResult.NewDeviceMetadata;
      const secret = makeDeviceSecret(meta);
      await send(new ConfirmDeviceCommand({ AccessToken: first.AuthenticationResult.AccessToken, DeviceKey: meta.DeviceKey, DeviceSecretVerifierConfig: secret.config, DeviceName: 'laptop' }));
      // MFA on from now: the remembered device is to skip it.
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      const respond = (ChallengeName: string, ChallengeResponses: Record<string, string>, Session?: string) =>
        send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: ChallengeName as any, ChallengeResponses, ...(Session ? { Session } : {}) }));
      /** pycognito's AWSSRP.authenticate_user with a device: no Session after PASSWORD_VERIFIER. */
      const sessionless = async (devicePassword?: string) => {
        const srp = new SrpClient(poolId);
        const init = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'dana', SRP_A: srp.A, DEVICE_KEY: meta.DeviceKey } }));
        const c = await respond('PASSWORD_VERIFIER', { ...srp.respond(init.ChallengeParameters, PASSWORD), DEVICE_KEY: meta.DeviceKey });
        assert.equal(c.ChallengeName, 'DEVICE_SRP_AUTH');
        const d = new DeviceSrpClient(secret);
        const v = await respond('DEVICE_SRP_AUTH', d.start('dana'));
        assert.equal(v.ChallengeName, 'DEVICE_PASSWORD_VERIFIER');
        return { v, d, done: () => respond('DEVICE_PASSWORD_VERIFIER', d.respond(v.ChallengeParameters, devicePassword)) };
      };
      const { done } = await sessionless();
      const signedIn = await done();
      assert.equal(signedIn.ChallengeName, undefined);
      assert.equal(decodeJwt(signedIn.AuthenticationResult.AccessToken).device_key, meta.DeviceKey);
      // Each step single use, without the Session as with it.
      const again = await sessionless();
      await again.done();
      await expectError(again.done(), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');
      await expectError(respond('DEVICE_SRP_AUTH', again.d.start('dana')), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');
      // No pending DEVICE_SRP_AUTH for a user that never proved the password, or that does not exist.
      await expectError(respond('DEVICE_SRP_AUTH', { USERNAME: 'nobody', DEVICE_KEY: meta.DeviceKey, SRP_A: again.d.A }), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');
      await expectError(respond('DEVICE_SRP_AUTH', { DEVICE_KEY: meta.DeviceKey, SRP_A: again.d.A }), 'InvalidParameterException', 'Missing required parameter USERNAME');
      // A wrong device secret is still refused.
      const wrong = await sessionless('not-the-device-password');
      await expectError(wrong.done(), 'NotAuthorizedException', 'Incorrect username or password.');
      // Two sign-ins of the device at once (a double click): both are asked DEVICE_SRP_AUTH, no error; one device proof ends one.
      const both = await Promise.all(
        [0, 1].map(() => send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'dana', PASSWORD, DEVICE_KEY: meta.DeviceKey } }))),
      );
      assert.deepEqual(both.map((b) => b.ChallengeName), ['DEVICE_SRP_AUTH', 'DEVICE_SRP_AUTH']);
      const d2 = new DeviceSrpClient(secret);
      const v2 = await respond('DEVICE_SRP_AUTH', d2.start('dana'));
      assert.ok((await respond('DEVICE_PASSWORD_VERIFIER', d2.respond(v2.ChallengeParameters))).AuthenticationResult.AccessToken);
      // With the Session (amazon-cognito-identity-js, Amplify) as before; the session is the SECRET_BLOCK.
      const withSession = await sessionless();
      assert.equal(withSession.v.Session, withSession.v.ChallengeParameters.SECRET_BLOCK);
      assert.ok((await respond('DEVICE_PASSWORD_VERIFIER', withSession.d.respond(withSession.v.ChallengeParameters), withSession.v.Session)).AuthenticationResult.AccessToken);
    });

    it('MFA_SETUP in a pool that offers no software token (SMS only, a user without a phone): the answer says what the user lacks, not to call AssociateSoftwareToken', async () => {
      const SmsConfiguration = { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'incognito' };
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'sms', SmsConfiguration, MfaConfiguration: 'ON' }))).UserPool.Id as string;
      const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })))
        .UserPoolClient.ClientId as string;
      await user(poolId, 'nophone');
      const r = await passwordAuth(clientId, 'nophone');
      assert.equal(r.ChallengeName, 'MFA_SETUP');
      assert.deepEqual(JSON.parse(r.ChallengeParameters.MFAS_CAN_SETUP), ['SMS_MFA']);
      await expectError(
        send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'MFA_SETUP', Session: r.Session, ChallengeResponses: { USERNAME: 'nophone' } })),
        'InvalidParameterException',
        /^The user has no MFA factor and this user pool offers SMS_MFA, which cannot be set up during sign-in: give the user a phone_number/,
      );
      await expectError(send(new AssociateSoftwareTokenCommand({ Session: r.Session })), 'InvalidParameterException', 'This user pool does not offer software token MFA, so no software token can be set up.');
    });

    it('a right SMS_MFA code verifies the phone: phone_number_verified true (user and ID token); a phone another user holds as a verified alias stays unverified', async () => {
      const SmsConfiguration = { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'incognito' };
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'sms', SmsConfiguration, AliasAttributes: ['phone_number'] }))).UserPool.Id as string;
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SmsMfaConfiguration: { SmsConfiguration } }));
      const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })))
        .UserPoolClient.ClientId as string;
      const withPhone = async (Username: string, phone: string, verified?: string) => {
        await send(
          new AdminCreateUserCommand({
            UserPoolId: poolId,
            Username,
            MessageAction: 'SUPPRESS',
            UserAttributes: [{ Name: 'phone_number', Value: phone }, ...(verified ? [{ Name: 'phone_number_verified', Value: verified }] : [])],
          }),
        );
        await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
        await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username, SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
      };
      const smsSignIn = async (username: string) => {
        const r = await passwordAuth(clientId, username);
        assert.equal(r.ChallengeName, 'SMS_MFA');
        const code = (await (await adminFetch(`${t.url}/_incognito/messages?userPoolId=${poolId}&username=${username}&limit=1`)).json()).messages[0].code;
        return send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'SMS_MFA', Session: r.Session, ChallengeResponses: { USERNAME: username, SMS_MFA_CODE: code } }));
      };
      const verifiedFlag = async (Username: string) =>
        (await send(new AdminGetUserCommand({ UserPoolId: poolId, Username }))).UserAttributes.find((a: any) => a.Name === 'phone_number_verified')?.Value;

      await withPhone('paul', '+15555550101');
      assert.equal(await verifiedFlag('paul'), undefined);
      const done = await smsSignIn('paul');
      assert.equal(decodeJwt(done.AuthenticationResult.IdToken).phone_number_verified, true);
      assert.equal(await verifiedFlag('paul'), 'true');
      // Now the phone is paul's alias: he signs in with it.
      assert.equal((await passwordAuth(clientId, '+15555550101')).ChallengeName, 'SMS_MFA');

      // The same number on another user: the code still signs her in, the alias stays paul's.
      await withPhone('pia', '+15555550101');
      const hers = await smsSignIn('pia');
      assert.ok(hers.AuthenticationResult.AccessToken);
      assert.equal(await verifiedFlag('pia'), undefined);
      assert.equal(await verifiedFlag('paul'), 'true');
    });
  });
}

describe('start-up failures a person can fix, in one line (TLS files, an unreachable database)', () => {
  let dataDir: string;
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-accept-'));
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir, ...args], { encoding: 'utf8', timeout: 20_000 });

  it('a --tls-cert that is not there, or files that are not a PEM certificate and key', () => {
    const missing = path.join(dataDir, 'nope.pem');
    let r = run('--tls-cert', missing, '--tls-key', missing);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `incognito: cannot read --tls-cert ${missing}: no such file. \`npm start -- cert\` writes a self-signed certificate and key to ./data/tls.\n`);
    const junk = path.join(dataDir, 'junk.pem');
    fs.writeFileSync(junk, 'not a certificate');
    r = run('--tls-cert', junk, '--tls-key', junk);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^incognito: --tls-cert ${junk} and --tls-key ${junk} are not a PEM certificate and its private key \\(.+\\)\\.\\n$`));
    assert.equal(r.stdout, '');
  });

  it('a --database-url nothing answers: names it (without its password) and what to do', () => {
    const r = run('--database-url', 'postgres://someone:secret@127.0.0.1:1/nowhere');
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'incognito: cannot connect to PostgreSQL at postgres://someone:***@127.0.0.1:1/nowhere: connect ECONNREFUSED 127.0.0.1:1. Start it, or correct --database-url (DATABASE_URL).\n');
  });
});
