/**
 * Remembered devices through the SDK, on each store: DeviceConfiguration, NewDeviceMetadata and
 * the access token's device_key, ConfirmDevice and the device operations (user and admin), the
 * device SRP sign-in (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) after a password or SRP first
 * factor, device-bound refresh tokens, and every error answer on the way.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminForgetDeviceCommand,
  AdminGetDeviceCommand,
  AdminInitiateAuthCommand,
  AdminListDevicesCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateDeviceStatusCommand,
  ConfirmDeviceCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ForgetDeviceCommand,
  GetDeviceCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  RespondToAuthChallengeCommand,
  UpdateDeviceStatusCommand,
  UpdateUserPoolCommand,
  type DeviceConfigurationType,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, TestClock, type TestServer } from './harness.js';
import { DeviceSrpClient, makeDeviceSecret, SrpClient, type DeviceSecret } from './srp-client.js';

const PASSWORD = 'Correct-Horse-9';
const FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH'] as ExplicitAuthFlowsType[];
const DEVICE_KEY_RE = /^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

for (const backend of await backends()) {
  describe(`remembered devices (${backend.name})`, () => {
    const clock = new TestClock();
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend, {}, { clock: clock.now });
    });
    after(() => t?.close());

    /** A pool (with this DeviceConfiguration, if any) and a client without a secret. */
    async function setup(DeviceConfiguration?: DeviceConfigurationType) {
      const poolId: string = (await send(new CreateUserPoolCommand({ PoolName: 'devices', ...(DeviceConfiguration ? { DeviceConfiguration } : {}) }))).UserPool.Id;
      const clientId: string = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: FLOWS }))).UserPoolClient.ClientId;
      const user = async (Username: string) => {
        await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS' }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
      };
      const passwordAuth = (USERNAME: string, extra: Record<string, string> = {}) =>
        send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD, ...extra } }));
      const respond = (ChallengeName: string, ChallengeResponses: Record<string, string>, Session?: string) =>
        send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: ChallengeName as any, ChallengeResponses, ...(Session ? { Session } : {}) }));
      /** Signs in by password, confirms the device the answer issued, returns its secret and the tokens. */
      const newDevice = async (username: string, DeviceName = 'laptop') => {
        const r = await passwordAuth(username);
        const meta = r.AuthenticationResult.NewDeviceMetadata;
        const secret = makeDeviceSecret(meta);
        const confirmed = await send(new ConfirmDeviceCommand({ AccessToken: r.AuthenticationResult.AccessToken, DeviceKey: meta.DeviceKey, DeviceSecretVerifierConfig: secret.config, DeviceName }));
        return { secret, tokens: r.AuthenticationResult, confirmed };
      };
      /** DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER from a DEVICE_SRP_AUTH challenge. */
      const deviceProof = async (username: string, challenge: any, secret: DeviceSecret, password?: string) => {
        assert.equal(challenge.ChallengeName, 'DEVICE_SRP_AUTH');
        const d = new DeviceSrpClient(secret);
        const verifier = await respond('DEVICE_SRP_AUTH', d.start(username), challenge.Session);
        assert.equal(verifier.ChallengeName, 'DEVICE_PASSWORD_VERIFIER');
        return respond('DEVICE_PASSWORD_VERIFIER', d.respond(verifier.ChallengeParameters, password), verifier.Session);
      };
      return { poolId, clientId, user, passwordAuth, respond, newDevice, deviceProof };
    }

    it('DeviceConfiguration is stored by CreateUserPool and UpdateUserPool and returned by DescribeUserPool', async () => {
      const { poolId } = await setup({ ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false });
      let pool = (await send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool;
      assert.deepEqual(pool.DeviceConfiguration, { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false });
      await send(new UpdateUserPoolCommand({ UserPoolId: poolId, DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true } }));
      pool = (await send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool;
      assert.deepEqual(pool.DeviceConfiguration, { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true });
    });

    it('a pool without DeviceConfiguration issues no device: no NewDeviceMetadata, no device_key, DEVICE_KEY ignored', async () => {
      const { user, passwordAuth } = await setup();
      await user('plain');
      const r = await passwordAuth('plain', { DEVICE_KEY: 'us-east-1_00000000-0000-4000-8000-000000000000' });
      assert.equal(r.AuthenticationResult.NewDeviceMetadata, undefined);
      assert.equal(decodeJwt(r.AuthenticationResult.AccessToken).device_key, undefined);
    });

    it('a sign-in without DEVICE_KEY gets NewDeviceMetadata; its access token carries device_key; ConfirmDevice remembers the device', async () => {
      const { poolId, user, passwordAuth } = await setup({ ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false });
      await user('ann');
      const r = await passwordAuth('ann');
      const meta = r.AuthenticationResult.NewDeviceMetadata;
      assert.match(meta.DeviceKey, DEVICE_KEY_RE);
      assert.match(meta.DeviceGroupKey, /^-[A-Za-z0-9_-]{9}$/);
      assert.equal(decodeJwt(r.AuthenticationResult.AccessToken).device_key, meta.DeviceKey);
      assert.equal(decodeJwt(r.AuthenticationResult.IdToken).device_key, undefined);
      // Issued but not confirmed: not a device yet for GetDevice/AdminGetDevice.
      await expectError(send(new AdminGetDeviceCommand({ UserPoolId: poolId, Username: 'ann', DeviceKey: meta.DeviceKey })), 'ResourceNotFoundException', 'Device does not exist.');
      // A second sign-in of the same user: another device, the same device group.
      const again = (await passwordAuth('ann')).AuthenticationResult.NewDeviceMetadata;
      assert.notEqual(again.DeviceKey, meta.DeviceKey);
      assert.equal(again.DeviceGroupKey, meta.DeviceGroupKey);

      const secret = makeDeviceSecret(meta);
      const before = clock.now();
      const c = await send(new ConfirmDeviceCommand({ AccessToken: r.AuthenticationResult.AccessToken, DeviceKey: meta.DeviceKey, DeviceSecretVerifierConfig: secret.config, DeviceName: 'Firefox on Linux' }));
      assert.equal(c.UserConfirmationNecessary, false);
      const { Device } = await send(new GetDeviceCommand({ AccessToken: r.AuthenticationResult.AccessToken, DeviceKey: meta.DeviceKey }));
      assert.equal(Device.DeviceKey, meta.DeviceKey);
      const attrs = Object.fromEntries(Device.DeviceAttributes.map((a: any) => [a.Name, a.Value]));
      assert.equal(attrs.device_status, 'valid');
      assert.equal(attrs.device_name, 'Firefox on Linux');
      assert.equal(attrs['dev:device_remembered_status'], 'remembered');
      assert.equal(Device.DeviceCreateDate.getTime(), before);
      assert.equal(Device.DeviceLastModifiedDate.getTime(), before);
      assert.equal(Device.DeviceLastAuthenticatedDate.getTime(), before);
      const list = await send(new ListDevicesCommand({ AccessToken: r.AuthenticationResult.AccessToken }));
      assert.deepEqual(list.Devices.map((d: any) => d.DeviceKey), [meta.DeviceKey]);
      assert.equal(list.PaginationToken, undefined);
      const admin = await send(new AdminGetDeviceCommand({ UserPoolId: poolId, Username: 'ann', DeviceKey: meta.DeviceKey }));
      assert.deepEqual(admin.Device, Device);
    });

    it('the next sign-in with DEVICE_KEY: SRP, then DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER, then tokens bound to the device', async () => {
      const { poolId, clientId, user, respond, newDevice, deviceProof } = await setup({ ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false });
      await user('bob');
      const { secret } = await newDevice('bob');
      clock.advance(60_000);
      const srp = new SrpClient(poolId);
      const init = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'bob', SRP_A: srp.A, DEVICE_KEY: secret.deviceKey } }));
      const challenge = await respond('PASSWORD_VERIFIER', { ...srp.respond(init.ChallengeParameters, PASSWORD), DEVICE_KEY: secret.deviceKey });
      assert.equal(challenge.AuthenticationResult, undefined);
      assert.deepEqual(challenge.ChallengeParameters, {});
      assert.ok(challenge.Session);
      // DEVICE_PASSWORD_VERIFIER's parameters
      const d = new DeviceSrpClient(secret);
      const verifier = await respond('DEVICE_SRP_AUTH', d.start('bob'), challenge.Session);
      assert.deepEqual(Object.keys(verifier.ChallengeParameters).sort(), ['DEVICE_KEY', 'SALT', 'SECRET_BLOCK', 'SRP_B', 'USERNAME']);
      assert.equal(verifier.ChallengeParameters.DEVICE_KEY, secret.deviceKey);
      assert.equal(verifier.ChallengeParameters.USERNAME, 'bob');
      assert.equal(verifier.ChallengeParameters.SALT, Buffer.from(secret.config.Salt, 'base64').toString('hex'));
      const done = await respond('DEVICE_PASSWORD_VERIFIER', d.respond(verifier.ChallengeParameters), verifier.Session);
      assert.equal(done.AuthenticationResult.NewDeviceMetadata, undefined);
      assert.equal(decodeJwt(done.AuthenticationResult.AccessToken).device_key, secret.deviceKey);
      const { Device } = await send(new AdminGetDeviceCommand({ UserPoolId: poolId, Username: 'bob', DeviceKey: secret.deviceKey }));
      assert.equal(Device.DeviceLastAuthenticatedDate.getTime(), clock.now());

      // The password flows and the admin flow ask for the device the same way.
      const byPassword = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'bob', PASSWORD, DEVICE_KEY: secret.deviceKey } }));
      assert.equal(decodeJwt((await deviceProof('bob', byPassword, secret)).AuthenticationResult.AccessToken).device_key, secret.deviceKey);
      const admin = await send(
        new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'bob', PASSWORD, DEVICE_KEY: secret.deviceKey } }),
      );
      assert.equal(admin.ChallengeName, 'DEVICE_SRP_AUTH');
      const d2 = new DeviceSrpClient(secret);
      const v2 = await send(new AdminRespondToAuthChallengeCommand({ UserPoolId: poolId, ClientId: clientId, ChallengeName: 'DEVICE_SRP_AUTH', ChallengeResponses: d2.start('bob'), Session: admin.Session }));
      const done2 = await send(
        new AdminRespondToAuthChallengeCommand({ UserPoolId: poolId, ClientId: clientId, ChallengeName: 'DEVICE_PASSWORD_VERIFIER', ChallengeResponses: d2.respond(v2.ChallengeParameters), Session: v2.Session }),
      );
      assert.equal(decodeJwt(done2.AuthenticationResult.AccessToken).device_key, secret.deviceKey);
    });

    it('a wrong device proof is NotAuthorizedException and counts toward the lockout; sessions are single use and per challenge', async () => {
      const { user, passwordAuth, respond, newDevice, deviceProof } = await setup({ ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false });
      await user('carl');
      const { secret } = await newDevice('carl');
      const start = () => passwordAuth('carl', { DEVICE_KEY: secret.deviceKey });
      await expectError(deviceProof('carl', await start(), secret, 'not-the-device-password'), 'NotAuthorizedException', 'Incorrect username or password.');
      // The DEVICE_SRP_AUTH session is spent; a DEVICE_SRP_AUTH session does not answer DEVICE_PASSWORD_VERIFIER.
      const c = await start();
      const d = new DeviceSrpClient(secret);
      await expectError(respond('DEVICE_PASSWORD_VERIFIER', { USERNAME: 'carl', DEVICE_KEY: secret.deviceKey, PASSWORD_CLAIM_SECRET_BLOCK: 'AAAA', PASSWORD_CLAIM_SIGNATURE: 'AAAA', TIMESTAMP: 'x' }, c.Session), 'NotAuthorizedException', 'Invalid session for the user.');
      await expectError(respond('DEVICE_SRP_AUTH', d.start('carl'), c.Session), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');
      // Another device's key in the answer.
      const c2 = await start();
      await expectError(respond('DEVICE_SRP_AUTH', { USERNAME: 'carl', DEVICE_KEY: 'us-east-1_00000000-0000-4000-8000-000000000000', SRP_A: d.A }, c2.Session), 'ResourceNotFoundException', 'Device does not exist.');
      await expectError(respond('DEVICE_SRP_AUTH', { USERNAME: 'carl', DEVICE_KEY: secret.deviceKey, SRP_A: '0' }, (await start()).Session), 'InvalidParameterException', 'SRP_A is not a valid SRP value.');
      await expectError(respond('DEVICE_SRP_AUTH', { USERNAME: 'carl', DEVICE_KEY: secret.deviceKey }, (await start()).Session), 'InvalidParameterException', 'Missing required parameter SRP_A');
      // Four more wrong proofs: the fifth failure locks the user out, as wrong passwords do.
      for (let i = 0; i < 4; i++) await expectError(deviceProof('carl', await start(), secret, 'wrong'), 'NotAuthorizedException', 'Incorrect username or password.');
      await expectError(start(), 'NotAuthorizedException', 'Password attempts exceeded');
      clock.advance(2_000);
      assert.ok((await deviceProof('carl', await start(), secret)).AuthenticationResult.AccessToken);
    });

    it("an unknown DEVICE_KEY, or another user's, is ResourceNotFoundException 'Device does not exist.' after the password", async () => {
      const { poolId, clientId, user, passwordAuth, respond, newDevice } = await setup({ ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false });
      await user('dora');
      await user('ed');
      const { secret } = await newDevice('dora');
      await expectError(passwordAuth('ed', { DEVICE_KEY: secret.deviceKey }), 'ResourceNotFoundException', 'Device does not exist.');
      await expectError(passwordAuth('ed', { DEVICE_KEY: 'us-east-1_00000000-0000-4000-8000-000000000000' }), 'ResourceNotFoundException', 'Device does not exist.');
      // A wrong password is still a wrong password.
      await expectError(
        send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ed', PASSWORD: 'Wrong-Pass-1', DEVICE_KEY: secret.deviceKey } })),
        'NotAuthorizedException',
        'Incorrect username or password.',
      );
      // SRP: at the PASSWORD_VERIFIER answer (where amazon-cognito-identity-js retries without the key).
      const srp = new SrpClient(poolId);
      const init = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ed', SRP_A: srp.A, DEVICE_KEY: secret.deviceKey } }));
      await expectError(respond('PASSWORD_VERIFIER', { ...srp.respond(init.ChallengeParameters, PASSWORD), DEVICE_KEY: secret.deviceKey }), 'ResourceNotFoundException', 'Device does not exist.');
    });

    it('DeviceOnlyRememberedOnUserPrompt: UserConfirmationNecessary, not_remembered until UpdateDeviceStatus; the user sees remembered devices only', async () => {
      const { poolId, user, newDevice } = await setup({ ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true });
      await user('fay');
      const { secret, tokens, confirmed } = await newDevice('fay');
      assert.equal(confirmed.UserConfirmationNecessary, true);
      const AccessToken = tokens.AccessToken;
      const DeviceKey = secret.deviceKey;
      assert.deepEqual((await send(new ListDevicesCommand({ AccessToken }))).Devices, []);
      await expectError(send(new GetDeviceCommand({ AccessToken, DeviceKey })), 'ResourceNotFoundException', 'Device does not exist.');
      const adminList = await send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'fay' }));
      assert.equal(adminList.Devices.length, 1);
      assert.equal(adminList.Devices[0].DeviceAttributes.find((a: any) => a.Name === 'dev:device_remembered_status').Value, 'not_remembered');
      clock.advance(5_000);
      await send(new UpdateDeviceStatusCommand({ AccessToken, DeviceKey, DeviceRememberedStatus: 'remembered' }));
      const { Device } = await send(new GetDeviceCommand({ AccessToken, DeviceKey }));
      assert.equal(Device.DeviceLastModifiedDate.getTime(), clock.now());
      assert.equal((await send(new ListDevicesCommand({ AccessToken }))).Devices.length, 1);
      await send(new AdminUpdateDeviceStatusCommand({ UserPoolId: poolId, Username: 'fay', DeviceKey, DeviceRememberedStatus: 'not_remembered' }));
      assert.equal((await send(new ListDevicesCommand({ AccessToken }))).Devices.length, 0);
      await expectError(send(new UpdateDeviceStatusCommand({ AccessToken, DeviceKey: 'us-east-1_00000000-0000-4000-8000-000000000000', DeviceRememberedStatus: 'remembered' })), 'ResourceNotFoundException', 'Device does not exist.');
      await expectError(send(new AdminUpdateDeviceStatusCommand({ UserPoolId: poolId, Username: 'nobody', DeviceKey })), 'UserNotFoundException', 'User does not exist.');
    });

    it('ListDevices and AdminListDevices page with Limit and PaginationToken', async () => {
      const { poolId, user, newDevice } = await setup({ ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false });
      await user('gus');
      const keys: string[] = [];
      let AccessToken = '';
      for (let i = 0; i < 3; i++) {
        const d = await newDevice('gus', `device ${i}`);
        keys.push(d.secret.deviceKey);
        AccessToken = d.tokens.AccessToken;
      }
      keys.sort();
      const seen: string[] = [];
      let PaginationToken: string | undefined;
      do {
        const r = await send(new ListDevicesCommand({ AccessToken, Limit: 2, ...(PaginationToken ? { PaginationToken } : {}) }));
        assert.ok(r.Devices.length <= 2);
        seen.push(...r.Devices.map((d: any) => d.DeviceKey));
        PaginationToken = r.PaginationToken;
      } while (PaginationToken);
      assert.deepEqual(seen, keys);
      const first = await send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'gus', Limit: 1 }));
      assert.deepEqual(first.Devices.map((d: any) => d.DeviceKey), [keys[0]]);
      const rest = await send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'gus', PaginationToken: first.PaginationToken }));
      assert.deepEqual(rest.Devices.map((d: any) => d.DeviceKey), keys.slice(1));
      await expectError(send(new ListDevicesCommand({ AccessToken, PaginationToken: 'garbage' })), 'InvalidParameterException');
    });

    it('refresh tokens of a device-bound sign-in need its DEVICE_KEY; ForgetDevice ends them and the device sign-in', async () => {
      const { poolId, clientId, user, passwordAuth, newDevice } = await setup({ ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false });
      await user('hal');
      const { secret, tokens } = await newDevice('hal');
      const refresh = (DEVICE_KEY?: string) =>
        send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken, ...(DEVICE_KEY ? { DEVICE_KEY } : {}) } }));
      await expectError(refresh(), 'NotAuthorizedException', 'Invalid Refresh Token');
      const other = (await passwordAuth('hal')).AuthenticationResult.NewDeviceMetadata.DeviceKey;
      await expectError(refresh(other), 'NotAuthorizedException', 'Invalid Refresh Token');
      const r = await refresh(secret.deviceKey);
      assert.equal(decodeJwt(r.AuthenticationResult.AccessToken).device_key, secret.deviceKey);
      const g = await send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: tokens.RefreshToken, DeviceKey: secret.deviceKey }));
      assert.equal(decodeJwt(g.AuthenticationResult.AccessToken).device_key, secret.deviceKey);
      await expectError(send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: tokens.RefreshToken })), 'NotAuthorizedException', 'Invalid Refresh Token');

      await send(new ForgetDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: secret.deviceKey }));
      await expectError(refresh(secret.deviceKey), 'NotAuthorizedException', 'Invalid Refresh Token');
      await expectError(send(new ForgetDeviceCommand({ AccessToken: tokens.AccessToken, DeviceKey: secret.deviceKey })), 'ResourceNotFoundException', 'Device does not exist.');
      await expectError(passwordAuth('hal', { DEVICE_KEY: secret.deviceKey }), 'ResourceNotFoundException', 'Device does not exist.');
      // AdminForgetDevice, the same for the other device.
      await send(new AdminForgetDeviceCommand({ UserPoolId: poolId, Username: 'hal', DeviceKey: other }));
      await expectError(send(new AdminForgetDeviceCommand({ UserPoolId: poolId, Username: 'hal', DeviceKey: other })), 'ResourceNotFoundException', 'Device does not exist.');
    });

    it('ConfirmDevice errors: a key not issued to the user, a verifier that is not base64; deleting a user deletes its devices', async () => {
      const { poolId, user, passwordAuth, newDevice } = await setup({ ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false });
      await user('ida');
      await user('jon');
      const ida = await newDevice('ida');
      const jon = (await passwordAuth('jon')).AuthenticationResult;
      const config = ida.secret.config;
      await expectError(send(new ConfirmDeviceCommand({ AccessToken: jon.AccessToken, DeviceKey: ida.secret.deviceKey, DeviceSecretVerifierConfig: config })), 'ResourceNotFoundException', 'Device does not exist.');
      await expectError(
        send(new ConfirmDeviceCommand({ AccessToken: jon.AccessToken, DeviceKey: jon.NewDeviceMetadata.DeviceKey, DeviceSecretVerifierConfig: { PasswordVerifier: '***', Salt: config.Salt } })),
        'InvalidParameterException',
        'DeviceSecretVerifierConfig.PasswordVerifier is not valid.',
      );
      await expectError(send(new GetDeviceCommand({ AccessToken: 'not-a-token', DeviceKey: ida.secret.deviceKey })), 'NotAuthorizedException', 'Invalid Access Token');
      await send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'ida' }));
      await user('ida');
      assert.deepEqual((await send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'ida' }))).Devices, []);
      await expectError(passwordAuth('ida', { DEVICE_KEY: ida.secret.deviceKey }), 'ResourceNotFoundException', 'Device does not exist.');
    });
  });
}
