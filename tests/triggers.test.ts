/**
 * Lambda triggers (src/triggers), through the SDK on each store: handler files written here into a
 * temporary --lambda-dir, and functions behind the Lambda Invoke API (a stand-in HTTP server here
 * serving POST /2015-03-31/functions/{FunctionName}/invocations, as --lambda-endpoint). Each
 * trigger and source that runs now: its event, what its answer changes, and Cognito's errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateGroupCommand,
  AdminAddUserToGroupCommand,
  ConfirmDeviceCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  type ExplicitAuthFlowsType,
  type LambdaConfigType,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { decodeJwt } from 'jose';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';
import { FormClient, lastCode, pageMessage } from './hosted.js';
import { DeviceSrpClient, makeDeviceSecret } from './srp-client.js';
import { invokeTrigger, setWorkerLimits } from '../src/triggers/invoke.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { functionError, lambdaStandIn } from './lambda-fixtures.js';

const PASSWORD = 'Correct-Horse-9';
const FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as ExplicitAuthFlowsType[];
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** A handler file: `body` runs with `event` (after it is logged to events.log) and returns the event. */
function handlerFile(dir: string, name: string, body: string, ext = '.mjs') {
  const log = `(e) => fs.appendFileSync(path.join(dir, 'events.log'), JSON.stringify({ fn: ${JSON.stringify(name)}, event: e }) + '\\n')`;
  const src =
    ext === '.cjs'
      ? `const fs = require('node:fs'); const path = require('node:path'); const dir = __dirname; const log = ${log};\nexports.handler = ${body};\n`
      : `import fs from 'node:fs'; import path from 'node:path'; import { fileURLToPath } from 'node:url';\nconst dir = path.dirname(fileURLToPath(import.meta.url)); const log = ${log};\nexport const handler = ${body};\n`;
  const file = path.join(dir, name + ext);
  fs.writeFileSync(file, src);
  return file;
}

function eventsOf(dir: string, name: string): any[] {
  const file = path.join(dir, 'events.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => r.fn === name)
    .map((r) => r.event);
}


it('configuration: --lambda-dir / INCOGNITO_LAMBDA_DIR (made absolute) and --lambda-endpoint / INCOGNITO_LAMBDA_ENDPOINT (a URL or aws)', () => {
  const c = loadConfig(['--lambda-dir', 'fns', '--lambda-endpoint', 'http://127.0.0.1:3001'], {});
  assert.equal(c.lambdaDir, path.resolve('fns'));
  assert.equal(c.lambdaEndpoint, 'http://127.0.0.1:3001');
  const e = loadConfig([], { INCOGNITO_LAMBDA_DIR: '/srv/fns', INCOGNITO_LAMBDA_ENDPOINT: 'aws' });
  assert.equal(e.lambdaDir, '/srv/fns');
  assert.equal(e.lambdaEndpoint, 'aws');
  assert.equal(loadConfig([], {}).lambdaDir, undefined);
  assert.throws(() => loadConfig(['--lambda-endpoint', 'localhost:3001'], {}), ConfigError);
});

for (const backend of await backends()) {
  describe(`Lambda triggers (${backend.name})`, () => {
    let t: TestServer;
    let dir: string;
    let standIn: Awaited<ReturnType<typeof lambdaStandIn>>;
    const send = (c: any): Promise<any> => t.cognito.send(c);

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-lambda-'));
      standIn = await lambdaStandIn();
      t = await startTestServer(backend, { lambdaDir: dir, lambdaEndpoint: standIn.url, issuer: 'cognito' });
    });
    after(async () => {
      await t?.close();
      await standIn?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function pool(LambdaConfig: LambdaConfigType, extra: Record<string, unknown> = {}) {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'triggers', LambdaConfig, AutoVerifiedAttributes: ['email'], ...extra }))).UserPool.Id as string;
      const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: FLOWS }))).UserPoolClient.ClientId as string;
      return { poolId, clientId };
    }
    const signIn = (clientId: string, USERNAME: string, ClientMetadata?: Record<string, string>) =>
      send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD }, ...(ClientMetadata ? { ClientMetadata } : {}) }));
    const confirmedUser = async (poolId: string, Username: string, email = `${Username}@example.com`) => {
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
    };

    it('PreSignUp_SignUp: the event; autoConfirmUser and autoVerifyEmail confirm the user, and PostConfirmation_ConfirmSignUp runs', async () => {
      handlerFile(dir, 'autoConfirm', `async (event) => { log(event); event.response.autoConfirmUser = true; event.response.autoVerifyEmail = true; return event; }`);
      handlerFile(dir, 'postConfirm', `async (event) => { log(event); return event; }`);
      const { poolId, clientId } = await pool({ PreSignUp: arn('autoConfirm'), PostConfirmation: arn('postConfirm') });
      const r = await send(
        new SignUpCommand({ ClientId: clientId, Username: 'ann', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'ann@example.com' }], ValidationData: [{ Name: 'captcha', Value: 'ok' }], ClientMetadata: { from: 'test' } }),
      );
      assert.equal(r.UserConfirmed, true);
      assert.equal(r.CodeDeliveryDetails, undefined, 'no code for a confirmed user');
      const u = await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ann' }));
      assert.equal(u.UserStatus, 'CONFIRMED');
      assert.equal(u.UserAttributes.find((a: any) => a.Name === 'email_verified')?.Value, 'true');
      const [e] = eventsOf(dir, 'autoConfirm').filter((x) => x.userPoolId === poolId);
      assert.equal(e.version, '1');
      assert.equal(e.triggerSource, 'PreSignUp_SignUp');
      assert.equal(e.region, 'us-east-1');
      assert.equal(e.userName, 'ann');
      assert.equal(e.callerContext.clientId, clientId);
      // The SDK's own agent token (aws-sdk-js/<version>), as Cognito reports it.
      assert.match(e.callerContext.awsSdkVersion, /^aws-sdk-js-3\.\d+\.\d+$/);
      assert.equal(e.request.userAttributes.email, 'ann@example.com');
      assert.deepEqual(e.request.validationData, { captcha: 'ok' });
      assert.deepEqual(e.request.clientMetadata, { from: 'test' });
      assert.deepEqual(e.response, { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false });
      const [pc] = eventsOf(dir, 'postConfirm').filter((x) => x.userPoolId === poolId);
      assert.equal(pc.triggerSource, 'PostConfirmation_ConfirmSignUp');
      assert.equal(pc.request.userAttributes['cognito:user_status'], 'CONFIRMED');
      assert.equal(pc.request.userAttributes.sub, u.UserAttributes.find((a: any) => a.Name === 'sub').Value);
      // The confirmed user signs in at once.
      assert.ok((await signIn(clientId, 'ann')).AuthenticationResult.AccessToken);
    });

    it('PreSignUp refuses: UserLambdaValidationException with its message, and no user is left', async () => {
      handlerFile(dir, 'refuse', `async (event) => { throw new Error('nope'); }`);
      const { poolId, clientId } = await pool({ PreSignUp: arn('refuse') });
      await expectError(send(new SignUpCommand({ ClientId: clientId, Username: 'bob', Password: PASSWORD })), 'UserLambdaValidationException', 'PreSignUp failed with error nope.');
      await expectError(send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob' })), 'UserNotFoundException');
      await expectError(send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bob' })), 'UserLambdaValidationException', 'PreSignUp failed with error nope.');
      await expectError(send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob' })), 'UserNotFoundException');
    });

    it("PreSignUp: booleans given as strings are read as Cognito reads them ('true' confirms); a reply that is no boolean is InvalidLambdaResponseException and leaves no user", async () => {
      handlerFile(dir, 'stringBool', `async (event) => { event.response.autoConfirmUser = 'true'; event.response.autoVerifyEmail = 'true'; return event; }`);
      const a = await pool({ PreSignUp: arn('stringBool') });
      const r = await send(new SignUpCommand({ ClientId: a.clientId, Username: 'sbool', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'sbool@example.com' }] }));
      assert.equal(r.UserConfirmed, true);
      const u = await send(new AdminGetUserCommand({ UserPoolId: a.poolId, Username: 'sbool' }));
      assert.equal(u.UserAttributes.find((x: any) => x.Name === 'email_verified')?.Value, 'true');
      handlerFile(dir, 'yesBool', `async (event) => { event.response.autoConfirmUser = 'yes'; return event; }`);
      const b = await pool({ PreSignUp: arn('yesBool') });
      await expectError(send(new SignUpCommand({ ClientId: b.clientId, Username: 'ybool', Password: PASSWORD })), 'InvalidLambdaResponseException', 'Unrecognizable lambda output');
      await expectError(send(new AdminGetUserCommand({ UserPoolId: b.poolId, Username: 'ybool' })), 'UserNotFoundException');
    });

    it('PreSignUp_AdminCreateUser: runs with CLIENT_ID_NOT_APPLICABLE; its autoConfirmUser is ignored', async () => {
      handlerFile(dir, 'adminPre', `(event, context, callback) => { log(event); event.response.autoConfirmUser = true; callback(null, event); }`, '.cjs');
      const { poolId } = await pool({ PreSignUp: arn('adminPre') });
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'cat', MessageAction: 'SUPPRESS', ValidationData: [{ Name: 'k', Value: 'v' }], ClientMetadata: { a: 'b' } }));
      assert.equal((await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'cat' }))).UserStatus, 'FORCE_CHANGE_PASSWORD');
      const [e] = eventsOf(dir, 'adminPre').filter((x) => x.userPoolId === poolId);
      assert.equal(e.triggerSource, 'PreSignUp_AdminCreateUser');
      assert.equal(e.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
      assert.deepEqual(e.request.validationData, { k: 'v' });
      assert.deepEqual(e.request.clientMetadata, { a: 'b' });
    });

    it('PostConfirmation_ConfirmSignUp after ConfirmSignUp, PostConfirmation_ConfirmForgotPassword after ConfirmForgotPassword', async () => {
      handlerFile(dir, 'postConfirm2', `async (event) => { log(event); return event; }`);
      const { poolId, clientId } = await pool({ PostConfirmation: arn('postConfirm2') });
      await send(new SignUpCommand({ ClientId: clientId, Username: 'dan', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'dan@example.com' }] }));
      assert.equal(eventsOf(dir, 'postConfirm2').filter((x) => x.userPoolId === poolId).length, 0, 'not before the confirmation');
      await send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'dan', ConfirmationCode: await lastCode(t.url, poolId, 'dan'), ClientMetadata: { step: 'confirm' } }));
      await send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'dan' }));
      await send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: 'dan', Password: 'Another-Pass-1', ConfirmationCode: await lastCode(t.url, poolId, 'dan') }));
      const events = eventsOf(dir, 'postConfirm2').filter((x) => x.userPoolId === poolId);
      assert.deepEqual(events.map((e) => e.triggerSource), ['PostConfirmation_ConfirmSignUp', 'PostConfirmation_ConfirmForgotPassword']);
      assert.deepEqual(events[0].request.clientMetadata, { step: 'confirm' });
      assert.equal(events[0].request.userAttributes.email_verified, 'true');
      assert.equal(events[0].callerContext.clientId, clientId);
    });

    it('PreAuthentication gets InitiateAuth ClientMetadata as validationData and its failure answers the sign-in; PostAuthentication runs on success', async () => {
      handlerFile(dir, 'preAuth', `async (event) => { log(event); if (event.request.validationData && event.request.validationData.block === 'yes') throw new Error('blocked'); return event; }`);
      handlerFile(dir, 'postAuth', `async (event) => { log(event); return event; }`);
      const { poolId, clientId } = await pool({ PreAuthentication: arn('preAuth'), PostAuthentication: arn('postAuth') });
      await confirmedUser(poolId, 'eve');
      await expectError(signIn(clientId, 'eve', { block: 'yes' }), 'UserLambdaValidationException', 'PreAuthentication failed with error blocked.');
      assert.equal(eventsOf(dir, 'postAuth').filter((x) => x.userPoolId === poolId).length, 0);
      assert.ok((await signIn(clientId, 'eve', { block: 'no' })).AuthenticationResult);
      const pre = eventsOf(dir, 'preAuth').filter((x) => x.userPoolId === poolId);
      assert.equal(pre.length, 2);
      assert.equal(pre[1].triggerSource, 'PreAuthentication_Authentication');
      assert.deepEqual(pre[1].request.validationData, { block: 'no' });
      assert.equal(pre[1].request.userAttributes.email, 'eve@example.com');
      const [post] = eventsOf(dir, 'postAuth').filter((x) => x.userPoolId === poolId);
      assert.equal(post.triggerSource, 'PostAuthentication_Authentication');
      assert.equal(post.userName, 'eve');
      assert.equal(post.request.newDeviceUsed, false);
    });

    it('PreTokenGeneration V1: ID-token claims added, suppressed and groups overridden; protected claims kept; every source', async () => {
      handlerFile(
        dir,
        'ptgV1',
        `async (event) => { log(event); event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { tier: 'gold', sub: 'forged', iss: 'forged' }, claimsToSuppress: ['email', 'aud'], groupOverrideDetails: { groupsToOverride: ['vip'] } } }; return event; }`,
      );
      const { poolId, clientId } = await pool({ PreTokenGeneration: arn('ptgV1') });
      await confirmedUser(poolId, 'fay');
      await send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'staff' }));
      await send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'fay', GroupName: 'staff' }));
      const r = (await signIn(clientId, 'fay')).AuthenticationResult;
      const id = decodeJwt(r.IdToken);
      const access = decodeJwt(r.AccessToken);
      assert.equal(id.tier, 'gold');
      assert.equal(id.email, undefined);
      assert.notEqual(id.sub, 'forged');
      assert.equal(id.aud, clientId);
      assert.match(String(id.iss), /cognito-idp/);
      assert.deepEqual(id['cognito:groups'], ['vip']);
      assert.equal(access.tier, undefined, 'V1 changes only the ID token');
      assert.deepEqual(access['cognito:groups'], ['vip']);
      const [e] = eventsOf(dir, 'ptgV1').filter((x) => x.userPoolId === poolId);
      assert.equal(e.version, '1');
      assert.equal(e.triggerSource, 'TokenGeneration_Authentication');
      assert.deepEqual(e.request.groupConfiguration.groupsToOverride, ['staff']);
      assert.equal(e.request.scopes, undefined);
      assert.deepEqual(e.response, { claimsOverrideDetails: null });
      // Refresh, the admin flow and a temporary password's replacement.
      await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: r.RefreshToken } }));
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'gus', TemporaryPassword: 'Temp-Pass-123', MessageAction: 'SUPPRESS' }));
      const ch = await send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'gus', PASSWORD: 'Temp-Pass-123' } }));
      assert.equal(ch.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      const done = await send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: ch.Session, ChallengeResponses: { USERNAME: 'gus', NEW_PASSWORD: PASSWORD }, ClientMetadata: { m: '1' } }));
      assert.equal(decodeJwt(done.AuthenticationResult.IdToken).tier, 'gold');
      const sources = eventsOf(dir, 'ptgV1').filter((x) => x.userPoolId === poolId);
      assert.deepEqual(sources.map((x) => x.triggerSource), ['TokenGeneration_Authentication', 'TokenGeneration_RefreshTokens', 'TokenGeneration_NewPasswordChallenge']);
      assert.deepEqual(sources[2].request.clientMetadata, { m: '1' });
    });

    it('PreTokenGeneration V1: claim values are strings (a number or boolean becomes its text, null adds nothing); an object or list is InvalidLambdaResponseException', async () => {
      handlerFile(dir, 'ptgV1Scalars', `async (event) => { event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { n: 5, b: true, s: 'x', nothing: null } } }; return event; }`);
      const a = await pool({ PreTokenGeneration: arn('ptgV1Scalars') });
      await confirmedUser(a.poolId, 'vals');
      const id = decodeJwt((await signIn(a.clientId, 'vals')).AuthenticationResult.IdToken);
      assert.equal(id.n, '5');
      assert.equal(id.b, 'true');
      assert.equal(id.s, 'x');
      assert.ok(!('nothing' in id));
      handlerFile(dir, 'ptgV1Object', `async (event) => { event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { roles: ['a', 'b'] } } }; return event; }`);
      const b = await pool({ PreTokenGeneration: arn('ptgV1Object') });
      await confirmedUser(b.poolId, 'objs');
      await expectError(signIn(b.clientId, 'objs'), 'InvalidLambdaResponseException', 'Unrecognizable lambda output');
    });

    it('PreTokenGeneration: TokenGeneration_AuthenticateDevice for a sign-in that passes the remembered device\'s proof', async () => {
      handlerFile(dir, 'ptgDevice', `async (event) => { log(event); return event; }`);
      const { poolId, clientId } = await pool({ PreTokenGeneration: arn('ptgDevice') }, { DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false } });
      await confirmedUser(poolId, 'rae');
      const first = (await signIn(clientId, 'rae')).AuthenticationResult;
      const secret = makeDeviceSecret(first.NewDeviceMetadata);
      await send(new ConfirmDeviceCommand({ AccessToken: first.AccessToken, DeviceKey: secret.deviceKey, DeviceSecretVerifierConfig: secret.config, DeviceName: 'laptop' }));
      const challenge = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'rae', PASSWORD, DEVICE_KEY: secret.deviceKey } }));
      assert.equal(challenge.ChallengeName, 'DEVICE_SRP_AUTH');
      const d = new DeviceSrpClient(secret);
      const respond = (ChallengeName: string, ChallengeResponses: Record<string, string>, Session?: string) =>
        send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: ChallengeName as any, ChallengeResponses, ...(Session ? { Session } : {}) }));
      const verifier = await respond('DEVICE_SRP_AUTH', d.start('rae'), challenge.Session);
      const done = await respond('DEVICE_PASSWORD_VERIFIER', d.respond(verifier.ChallengeParameters), verifier.Session);
      assert.ok(done.AuthenticationResult.AccessToken);
      const sources = eventsOf(dir, 'ptgDevice').filter((x) => x.userPoolId === poolId).map((x) => x.triggerSource);
      assert.deepEqual(sources, ['TokenGeneration_Authentication', 'TokenGeneration_AuthenticateDevice']);
    });

    it('PreTokenGeneration fails: UserLambdaValidationException, and a rotating refresh token is not spent by the failed refresh', async () => {
      const mode = path.join(dir, 'ptg-mode.txt');
      fs.writeFileSync(mode, 'ok');
      handlerFile(dir, 'ptgFlaky', `async (event) => { if (fs.readFileSync(path.join(dir, 'ptg-mode.txt'), 'utf8') === 'fail') throw new Error('down'); return event; }`);
      const { poolId } = await pool({ PreTokenGeneration: arn('ptgFlaky') });
      const clientId = (
        await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'rotating', ExplicitAuthFlows: FLOWS, RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 } }))
      ).UserPoolClient.ClientId as string;
      await confirmedUser(poolId, 'sam');
      const r = (await signIn(clientId, 'sam')).AuthenticationResult;
      fs.writeFileSync(mode, 'fail');
      await expectError(signIn(clientId, 'sam'), 'UserLambdaValidationException', 'PreTokenGeneration failed with error down.');
      await expectError(send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: r.RefreshToken })), 'UserLambdaValidationException', 'PreTokenGeneration failed with error down.');
      fs.writeFileSync(mode, 'ok');
      const g = await send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: r.RefreshToken }));
      assert.ok(g.AuthenticationResult.RefreshToken, 'the refresh token was still unused');
    });

    it('PreTokenGeneration V2: access-token claims and scopes (verified with aws-jwt-verify), ID-token claims', async () => {
      handlerFile(
        dir,
        'ptgV2',
        `async (event) => { log(event); event.response = { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: { plan: { name: 'pro', seats: 3 } } }, accessTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme', client_id: 'forged', token_use: 'id' }, claimsToSuppress: ['username'], scopesToAdd: ['api/read'], scopesToSuppress: [] } } }; return event; }`,
      );
      const { poolId, clientId } = await pool({ PreTokenGenerationConfig: { LambdaArn: arn('ptgV2'), LambdaVersion: 'V2_0' } });
      await confirmedUser(poolId, 'hal');
      const r = (await signIn(clientId, 'hal')).AuthenticationResult;
      const jwks = (await (await fetch(`${t.url}/${poolId}/.well-known/jwks.json`)).json()) as Jwks;
      const verifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: 'access', clientId, scope: 'api/read' });
      verifier.cacheJwks(jwks);
      const access = await verifier.verify(r.AccessToken);
      assert.equal(access.tenant, 'acme');
      assert.equal(access.client_id, clientId, 'client_id cannot be overridden');
      assert.equal(access.token_use, 'access');
      assert.equal(access.username, 'hal', 'username cannot be suppressed');
      assert.deepEqual(String(access.scope).split(' ').sort(), ['api/read', 'aws.cognito.signin.user.admin']);
      const idVerifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: 'id', clientId });
      idVerifier.cacheJwks(jwks);
      assert.deepEqual((await idVerifier.verify(r.IdToken)).plan, { name: 'pro', seats: 3 });
      const [e] = eventsOf(dir, 'ptgV2').filter((x) => x.userPoolId === poolId);
      assert.equal(e.version, '2');
      assert.deepEqual(e.response, { claimsAndScopeOverrideDetails: null });
      assert.deepEqual(e.request.scopes, ['aws.cognito.signin.user.admin']);
    });

    it('PreTokenGeneration V3: TokenGeneration_ClientCredentials changes the machine token', async () => {
      handlerFile(dir, 'ptgV3', `async (event) => { log(event); event.response = { claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { machine: true }, scopesToSuppress: ['api/write'] } } }; return event; }`);
      const { poolId } = await pool({ PreTokenGenerationConfig: { LambdaArn: arn('ptgV3'), LambdaVersion: 'V3_0' } });
      await send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'api', Name: 'api', Scopes: [{ ScopeName: 'read', ScopeDescription: 'r' }, { ScopeName: 'write', ScopeDescription: 'w' }] }));
      const c = (
        await send(
          new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'm2m', GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['api/read', 'api/write'] }),
        )
      ).UserPoolClient;
      const res = await fetch(`${t.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${c.ClientId}:${c.ClientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      assert.equal(res.status, 200);
      const token = decodeJwt(((await res.json()) as any).access_token);
      assert.equal(token.machine, true);
      assert.equal(token.scope, 'api/read');
      const [e] = eventsOf(dir, 'ptgV3').filter((x) => x.userPoolId === poolId);
      assert.equal(e.version, '3');
      assert.equal(e.triggerSource, 'TokenGeneration_ClientCredentials');
      assert.equal(e.callerContext.clientId, c.ClientId);
      assert.deepEqual(e.request.scopes, ['api/read', 'api/write']);
    });

    it('errors: a reply that is not an event, a function that runs out of time, no function anywhere; a changed file is picked up', async () => {
      handlerFile(dir, 'notEvent', `async () => 'hello'`);
      const a = await pool({ PreAuthentication: arn('notEvent') });
      await confirmedUser(a.poolId, 'ivy');
      await expectError(signIn(a.clientId, 'ivy'), 'InvalidLambdaResponseException', 'Unrecognizable lambda output');

      handlerFile(dir, 'slow', `async (event) => { const end = Date.now() + 60000; while (Date.now() < end) {} return event; }`);
      const b = await pool({ PreAuthentication: arn('slow') });
      await confirmedUser(b.poolId, 'jon');
      const started = Date.now();
      await expectError(signIn(b.clientId, 'jon'), 'UnexpectedLambdaException', 'PreAuthentication invocation failed due to error Socket timeout while invoking Lambda function.');
      const took = Date.now() - started;
      assert.ok(took >= 4900 && took < 9000, `the 5-second limit (${took} ms)`);
      // The server's event loop was free meanwhile, and still is.
      assert.ok((await signIn(a.clientId, 'ivy').catch((e) => e)).name === 'InvalidLambdaResponseException');

      const c = await pool({ PostAuthentication: arn('nowhere') });
      await confirmedUser(c.poolId, 'kim');
      await expectError(signIn(c.clientId, 'kim'), 'UnexpectedLambdaException', /^PostAuthentication invocation failed due to error ResourceNotFoundException/);

      const file = handlerFile(dir, 'changing', `async (event) => { event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { rev: '1' } } }; return event; }`);
      const d = await pool({ PreTokenGeneration: arn('changing') });
      await confirmedUser(d.poolId, 'lee');
      assert.equal(decodeJwt((await signIn(d.clientId, 'lee')).AuthenticationResult.IdToken).rev, '1');
      handlerFile(dir, 'changing', `async (event) => { event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { rev: '2' } } }; return event; }`);
      const future = new Date(Date.now() + 10_000);
      fs.utimesSync(file, future, future);
      assert.equal(decodeJwt((await signIn(d.clientId, 'lee')).AuthenticationResult.IdToken).rev, '2');
    });

    it('a busy function in one pool holds up no other pool; a sign-up queued behind it fails at its 5-second deadline and leaves no user', async () => {
      // gate: records its start, then waits until the release file exists.
      handlerFile(
        dir,
        'gate',
        `async (event) => { fs.appendFileSync(path.join(dir, 'gate.starts'), 'x'); while (!fs.existsSync(path.join(dir, 'gate.release'))) await new Promise((r) => setTimeout(r, 10)); event.response.autoConfirmUser = true; return event; }`,
      );
      handlerFile(dir, 'preAuthOk', `async (event) => event`);
      const a = await pool({ PreSignUp: arn('gate') });
      const b = await pool({ PreAuthentication: arn('preAuthOk') });
      await confirmedUser(b.poolId, 'other');
      const saved = setWorkerLimits({ perFunction: 1, timeoutMs: 30_000 });
      try {
        let firstDone = false;
        const first = send(new SignUpCommand({ ClientId: a.clientId, Username: 'first', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'first@example.com' }] })).finally(() => (firstDone = true));
        for (let i = 0; i < 2000 && !fs.existsSync(path.join(dir, 'gate.starts')); i++) await new Promise((r) => setTimeout(r, 10));
        // Short deadlines from here on (instead of waiting the real 5 seconds).
        setWorkerLimits({ timeoutMs: 300 });
        await expectError(
          send(new SignUpCommand({ ClientId: a.clientId, Username: 'queued', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'queued@example.com' }] })),
          'UnexpectedLambdaException',
          'PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.',
        );
        await expectError(send(new AdminGetUserCommand({ UserPoolId: a.poolId, Username: 'queued' })), 'UserNotFoundException');
        setWorkerLimits({ timeoutMs: 30_000 });
        // Pool B's trigger runs while pool A's function is still busy.
        assert.ok((await signIn(b.clientId, 'other')).AuthenticationResult?.IdToken);
        assert.equal(firstDone, false);
        assert.equal(fs.readFileSync(path.join(dir, 'gate.starts'), 'utf8'), 'x', 'the queued call never started');
        fs.writeFileSync(path.join(dir, 'gate.release'), '');
        assert.equal((await first).UserConfirmed, true);
      } finally {
        setWorkerLimits(saved);
        fs.rmSync(path.join(dir, 'gate.starts'), { force: true });
        fs.rmSync(path.join(dir, 'gate.release'), { force: true });
      }
    });

    it('the hosted login page: PreAuthentication refuses on the page; PreTokenGeneration runs as TokenGeneration_HostedAuth at the code exchange', async () => {
      handlerFile(dir, 'hostedPre', `async (event) => { log(event); if (event.userName === 'blocked') throw new Error('no entry'); return event; }`);
      handlerFile(dir, 'hostedToken', `async (event) => { log(event); event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { via: 'hosted' } } }; return event; }`);
      const { poolId } = await pool({ PreAuthentication: arn('hostedPre'), PreTokenGeneration: arn('hostedToken') });
      const CALLBACK = 'http://localhost:8976/callback';
      const clientId = (
        await send(
          new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'], CallbackURLs: [CALLBACK], SupportedIdentityProviders: ['COGNITO'] }),
        )
      ).UserPoolClient.ClientId as string;
      await confirmedUser(poolId, 'blocked');
      await confirmedUser(poolId, 'quinn');
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid email' })}`;
      const browser = new FormClient(t.url);
      const login = await browser.follow(await browser.get(authorize));
      const refused = await browser.submit(login, { username: 'blocked', password: PASSWORD });
      assert.equal(refused.location, null);
      assert.equal(pageMessage(refused.html), 'PreAuthentication failed with error no entry.');
      const other = new FormClient(t.url);
      const back = await other.submit(await other.follow(await other.get(authorize)), { username: 'quinn', password: PASSWORD });
      assert.ok(back.location?.startsWith(CALLBACK), back.html);
      const code = new URL(back.location!).searchParams.get('code')!;
      const res = await fetch(`${t.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK }),
      });
      assert.equal(res.status, 200);
      assert.equal(decodeJwt(((await res.json()) as any).id_token).via, 'hosted');
      const [e] = eventsOf(dir, 'hostedToken').filter((x) => x.userPoolId === poolId);
      assert.equal(e.triggerSource, 'TokenGeneration_HostedAuth');
      assert.equal(e.userName, 'quinn');
    });

    it('the hosted sign-up page: PreSignUp refuses on the page and leaves no user; an auto-confirmed sign-up goes to sign-in', async () => {
      handlerFile(dir, 'hostedSignUp', `async (event) => { log(event); if (event.userName === 'spam') throw new Error('not here'); event.response.autoConfirmUser = true; return event; }`);
      const { poolId } = await pool({ PreSignUp: arn('hostedSignUp') });
      const CALLBACK = 'http://localhost:8976/callback';
      const clientId = (
        await send(
          new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'], CallbackURLs: [CALLBACK], SupportedIdentityProviders: ['COGNITO'] }),
        )
      ).UserPoolClient.ClientId as string;
      const browser = new FormClient(t.url);
      let r = await browser.get(`/signup?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`);
      r = await browser.submit(r, { username: 'spam', attr_email: 'spam@example.com', password: PASSWORD });
      assert.equal(pageMessage(r.html), 'PreSignUp failed with error not here.');
      await expectError(send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'spam' })), 'UserNotFoundException');
      r = await browser.submit(r, { username: 'tess', attr_email: 'tess@example.com', password: PASSWORD });
      assert.equal(pageMessage(r.html), 'Your account is ready. Sign in.');
      assert.equal((await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'tess' }))).UserStatus, 'CONFIRMED');
      const [e] = eventsOf(dir, 'hostedSignUp').filter((x) => x.userPoolId === poolId && x.userName === 'tess');
      assert.equal(e.triggerSource, 'PreSignUp_SignUp');
      assert.equal(e.callerContext.clientId, clientId);
    });

    it('handler styles: context.succeed in a .js file; an error thrown from a timer fails the call, a late rejection harms nothing; a function found nowhere is UnexpectedLambdaException', async () => {
      fs.writeFileSync(path.join(dir, 'succeeds.js'), `exports.handler = function (event, context) { event.response.ok = true; context.succeed(event); };\n`);
      fs.writeFileSync(path.join(dir, 'package.json'), '{"type": "commonjs"}');
      const event = { version: '1', triggerSource: 'PreSignUp_SignUp', region: 'us-east-1', userPoolId: 'us-east-1_x', userName: 'u', callerContext: { awsSdkVersion: 'x', clientId: 'c' }, request: {}, response: {} };
      const r = await invokeTrigger({ lambdaDir: dir, lambdaEndpoint: undefined, region: 'us-east-1' }, 'PreSignUp', arn('succeeds'), event);
      assert.deepEqual(r.response, { ok: true });
      // An error thrown outside the handler's own code path (a timer) fails the call with its message; a
      // rejection nobody awaits after the answer changes nothing, and the next call runs.
      fs.writeFileSync(path.join(dir, 'stray.mjs'), `export const handler = (event, context, callback) => { setTimeout(() => { throw new Error('boom'); }, 5); };\n`);
      await assert.rejects(invokeTrigger({ lambdaDir: dir, lambdaEndpoint: undefined, region: 'us-east-1' }, 'PreSignUp', arn('stray'), event), (e: any) => {
        assert.equal(e.type, 'UserLambdaValidationException');
        assert.equal(e.message, 'PreSignUp failed with error boom.');
        return true;
      });
      fs.writeFileSync(path.join(dir, 'late.mjs'), `export const handler = async (event) => { setTimeout(() => Promise.reject(new Error('late')), 5); return event; };\n`);
      for (let i = 0; i < 3; i++) assert.ok(await invokeTrigger({ lambdaDir: dir, lambdaEndpoint: undefined, region: 'us-east-1' }, 'PreSignUp', arn('late'), event));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual((await invokeTrigger({ lambdaDir: dir, lambdaEndpoint: undefined, region: 'us-east-1' }, 'PreSignUp', arn('succeeds'), event)).response, { ok: true });
      await assert.rejects(invokeTrigger({ lambdaDir: dir, lambdaEndpoint: undefined, region: 'us-east-1' }, 'PreSignUp', arn('absent'), event), (e: any) => {
        assert.equal(e.type, 'UnexpectedLambdaException');
        assert.match(e.message, /^PreSignUp invocation failed due to error ResourceNotFoundException/);
        return true;
      });
    });

    describe('through the Lambda Invoke API (--lambda-endpoint)', () => {
      it('PreSignUp and PreTokenGeneration V2 run at the endpoint with the ARN as FunctionName; a function error is UserLambdaValidationException', async () => {
        standIn.functions.remotePre = (event) => ({ ...event, response: { autoConfirmUser: true } });
        standIn.functions.remoteToken = (event) => ({
          ...event,
          response: { claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { remote: 'yes' } }, idTokenGeneration: { claimsToAddOrOverride: { remote: 'id' } } } },
        });
        const { poolId, clientId } = await pool({ PreSignUp: arn('remotePre'), PreTokenGenerationConfig: { LambdaArn: arn('remoteToken'), LambdaVersion: 'V2_0' } });
        const r = await send(new SignUpCommand({ ClientId: clientId, Username: 'max', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'max@example.com' }] }));
        assert.equal(r.UserConfirmed, true);
        const tokens = (await signIn(clientId, 'max')).AuthenticationResult;
        assert.equal(decodeJwt(tokens.AccessToken).remote, 'yes');
        assert.equal(decodeJwt(tokens.IdToken).remote, 'id');
        const mine = standIn.calls.filter((c) => c.event.userPoolId === poolId);
        assert.deepEqual(mine.map((c) => c.event.triggerSource), ['PreSignUp_SignUp', 'TokenGeneration_Authentication']);
        assert.equal(mine[0]!.fn, arn('remotePre'));
        assert.equal(mine[0]!.path, `/2015-03-31/functions/${encodeURIComponent(arn('remotePre'))}/invocations`);
        assert.equal(mine[1]!.event.version, '2');

        standIn.functions.remoteRefuse = () => functionError({ errorType: 'Error', errorMessage: 'denied' });
        const p2 = await pool({ PreSignUp: arn('remoteRefuse') });
        await expectError(send(new SignUpCommand({ ClientId: p2.clientId, Username: 'ned', Password: PASSWORD })), 'UserLambdaValidationException', 'PreSignUp failed with error denied.');
        await expectError(send(new AdminGetUserCommand({ UserPoolId: p2.poolId, Username: 'ned' })), 'UserNotFoundException');

        standIn.functions.remoteBad = () => 42;
        const p3 = await pool({ PreSignUp: arn('remoteBad') });
        await expectError(send(new SignUpCommand({ ClientId: p3.clientId, Username: 'oli', Password: PASSWORD })), 'InvalidLambdaResponseException', 'Unrecognizable lambda output');
        // A function the endpoint does not have.
        const p4 = await pool({ PreSignUp: arn('remoteMissing') });
        await expectError(send(new SignUpCommand({ ClientId: p4.clientId, Username: 'pat', Password: PASSWORD })), 'UnexpectedLambdaException', 'PreSignUp invocation failed due to error ResourceNotFoundException.');
      });
    });
  });
}
