/**
 * Remembered devices with real clients, end to end against a running server, on each store:
 * amazon-cognito-identity-js (authenticateUser confirms the device the sign-in issued,
 * setDeviceStatusRemembered, listDevices, the next authenticateUser through DEVICE_SRP_AUTH,
 * refreshSession with the device key, forgetDevice, and its retry without a device an
 * administrator forgot) and aws-amplify v6 (signIn confirms the device, rememberDevice,
 * fetchDevices, the next signIn through device SRP, a refresh with the device key, forgetDevice).
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminForgetDeviceCommand,
  AdminListDevicesCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type DeviceConfigurationType,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession, type ICognitoStorage } from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, fetchDevices, forgetDevice, rememberDevice, signIn, signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { giveNavigator, memoryStorage, recordCognitoCalls } from './client-fixtures.js';
import { backends, startTestServer, type TestServer } from './harness.js';

const PASSWORD = 'Correct-Horse-9';
const FLOWS: ExplicitAuthFlowsType[] = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'];

const calls = recordCognitoCalls();
giveNavigator();


for (const backend of await backends()) {
  describe(`remembered devices with real clients (${backend.name})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    async function poolWithUser(DeviceConfiguration: DeviceConfigurationType, username: string) {
      const poolId = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'devices', DeviceConfiguration }))).UserPool!.Id!;
      const clientId = (await t.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: FLOWS }))).UserPoolClient!.ClientId!;
      await t.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
      await t.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
      return { poolId, clientId };
    }
    const adminDevices = async (poolId: string, Username: string) => (await t.cognito.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username }))).Devices!;

    describe('amazon-cognito-identity-js', () => {
      /** authenticateUser (SRP), with onSuccess's userConfirmationNecessary. */
      const authenticate = (user: CognitoUser, Username: string) =>
        new Promise<{ session: CognitoUserSession; userConfirmationNecessary?: boolean }>((resolve, reject) =>
          user.authenticateUser(new AuthenticationDetails({ Username, Password: PASSWORD }), {
            onSuccess: (session, userConfirmationNecessary) => resolve({ session, ...(userConfirmationNecessary !== undefined ? { userConfirmationNecessary } : {}) }),
            onFailure: reject,
            mfaRequired: () => reject(new Error('unexpected mfaRequired')),
            totpRequired: () => reject(new Error('unexpected totpRequired')),
          }),
        );
      const cb = <T>(f: (callback: { onSuccess: (r: T) => void; onFailure: (e: unknown) => void }) => void) =>
        new Promise<T>((resolve, reject) => f({ onSuccess: resolve, onFailure: reject }));

      it('the sign-in confirms its device; setDeviceStatusRemembered, listDevices; the next sign-in proves the device; refresh; forgetDevice', async () => {
        const { poolId, clientId } = await poolWithUser({ ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true }, 'kim');
        const Storage = memoryStorage();
        const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: t.url + '/', Storage });
        const user = new CognitoUser({ Username: 'kim', Pool: pool, Storage });
        calls.length = 0;
        const first = await authenticate(user, 'kim');
        assert.equal(first.userConfirmationNecessary, true);
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'ConfirmDevice']);
        const prefix = `CognitoIdentityServiceProvider.${clientId}.kim`;
        const deviceKey = Storage.getItem(`${prefix}.deviceKey`)!;
        assert.equal(first.session.getAccessToken().payload.device_key, deviceKey);
        assert.ok(Storage.getItem(`${prefix}.randomPasswordKey`));
        assert.equal(Storage.getItem(`${prefix}.deviceGroupKey`), (await adminDevices(poolId, 'kim'))[0]!.DeviceAttributes && Storage.getItem(`${prefix}.deviceGroupKey`));

        const listed = () => new Promise<any>((resolve, reject) => user.listDevices(10, null, { onSuccess: resolve, onFailure: reject }));
        assert.deepEqual((await listed()).Devices, []);
        assert.equal(await cb<string>((c) => user.setDeviceStatusRemembered(c)), 'SUCCESS');
        const devices = (await listed()).Devices;
        assert.deepEqual(devices.map((d: any) => d.DeviceKey), [deviceKey]);

        // A new sign-in on this storage: SRP, then the device's SRP, and no new device.
        const again = new CognitoUser({ Username: 'kim', Pool: pool, Storage });
        calls.length = 0;
        const second = await authenticate(again, 'kim');
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:DEVICE_SRP_AUTH', 'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER']);
        assert.equal(second.session.getAccessToken().payload.device_key, deviceKey);

        // refreshSession sends the device key with the refresh token.
        const refreshed = await new Promise<CognitoUserSession>((resolve, reject) =>
          again.refreshSession(second.session.getRefreshToken(), (err: unknown, s: CognitoUserSession) => (err ? reject(err) : resolve(s))),
        );
        assert.equal(refreshed.getAccessToken().payload.device_key, deviceKey);

        assert.equal(await cb<string>((c) => again.forgetDevice(c)), 'SUCCESS');
        assert.equal(Storage.getItem(`${prefix}.deviceKey`), null);
        assert.deepEqual(await adminDevices(poolId, 'kim'), []);
        // Without a cached device the next sign-in gets (and confirms) a new one.
        const third = await authenticate(new CognitoUser({ Username: 'kim', Pool: pool, Storage }), 'kim');
        assert.notEqual(third.session.getAccessToken().payload.device_key, deviceKey);
      });

      it('a device an administrator forgot: the library retries the password proof without it and gets a new device', async () => {
        const { poolId, clientId } = await poolWithUser({ ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false }, 'lee');
        const Storage = memoryStorage();
        const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: t.url + '/', Storage });
        const first = await authenticate(new CognitoUser({ Username: 'lee', Pool: pool, Storage }), 'lee');
        assert.equal(first.userConfirmationNecessary, undefined);
        const deviceKey = first.session.getAccessToken().payload.device_key as string;
        assert.equal((await adminDevices(poolId, 'lee')).length, 1);
        await t.cognito.send(new AdminForgetDeviceCommand({ UserPoolId: poolId, Username: 'lee', DeviceKey: deviceKey }));
        calls.length = 0;
        const second = await authenticate(new CognitoUser({ Username: 'lee', Pool: pool, Storage }), 'lee');
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'ConfirmDevice']);
        assert.notEqual(second.session.getAccessToken().payload.device_key, deviceKey);
      });
    });

    describe('aws-amplify v6', () => {
      afterEach(() => signOut());

      it('signIn confirms the device; rememberDevice, fetchDevices; the next signIn proves the device; refresh; forgetDevice', async () => {
        const { poolId, clientId } = await poolWithUser({ ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true }, 'max');
        const data = new Map<string, string>();
        Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: t.url } } });
        cognitoUserPoolsTokenProvider.setKeyValueStorage({
          setItem: async (k, v) => void data.set(k, v),
          getItem: async (k) => data.get(k) ?? null,
          removeItem: async (k) => void data.delete(k),
          clear: async () => data.clear(),
        });
        calls.length = 0;
        assert.equal((await signIn({ username: 'max', password: PASSWORD })).isSignedIn, true);
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'ConfirmDevice']);
        const deviceKey = (await fetchAuthSession()).tokens!.accessToken.payload.device_key as string;
        assert.ok(deviceKey);
        assert.deepEqual(await fetchDevices(), []);
        await rememberDevice();
        const devices = await fetchDevices();
        assert.equal(devices.length, 1);
        assert.equal(devices[0]!.id, deviceKey);
        assert.ok(devices[0]!.name, 'the device name Amplify gave at ConfirmDevice');
        await signOut();

        calls.length = 0;
        assert.equal((await signIn({ username: 'max', password: PASSWORD })).isSignedIn, true);
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:DEVICE_SRP_AUTH', 'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER']);
        const session = await fetchAuthSession();
        assert.equal(session.tokens!.accessToken.payload.device_key, deviceKey);
        // A forced refresh sends the device key (GetTokensFromRefreshToken's DeviceKey).
        const refreshed = await fetchAuthSession({ forceRefresh: true });
        assert.notEqual(refreshed.tokens!.accessToken.toString(), session.tokens!.accessToken.toString());
        assert.equal(refreshed.tokens!.accessToken.payload.device_key, deviceKey);

        await forgetDevice();
        assert.deepEqual(await fetchDevices(), []);
        assert.deepEqual(await adminDevices(poolId, 'max'), []);
      });
    });
  });
}
