/**
 * UserMigration (src/triggers/user-migration.ts), through the SDK on each store: handler files in a
 * temporary --lambda-dir, and a function behind the Lambda Invoke API (a stand-in serving
 * POST /2015-03-31/functions/{FunctionName}/invocations). UserMigration_Authentication on every
 * password sign-in (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH, the hosted
 * login page), UserMigration_ForgotPassword on ForgotPassword; what the answer's members change;
 * Cognito's errors, with nothing written.
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
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type CreateUserPoolCommandInput,
  type ExplicitAuthFlowsType,
  type LambdaConfigType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { decodeJwt } from 'jose';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';
import { FormClient, lastCode, pageMessage } from './hosted.js';
import { SrpClient } from './srp-client.js';
import { memoryStorage } from './client-fixtures.js';
import { functionError, lambdaStandIn } from './lambda-fixtures.js';

/** amazon-cognito-identity-js authenticateUser as a promise: the session, or the library's error. */
function libSignIn(user: CognitoUser, Username: string, Password: string): Promise<CognitoUserSession> {
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username, Password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected newPasswordRequired')),
      mfaRequired: () => reject(new Error('unexpected mfaRequired')),
    });
  });
}

const OLD_PASSWORD = 'old-directory-pw';
const FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as ExplicitAuthFlowsType[];
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const SMS = { SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'incognito' }, SmsAuthenticationMessage: 'Your sign-in code: {####}' };

/**
 * The old directory, as a migration function sees it: a handler file that logs its event and answers
 * from `users` (name -> password and attributes), with `extra` merged into the response.
 */
function migrationFile(dir: string, name: string, users: Record<string, { password: string; attributes: Record<string, unknown> }>, extra: Record<string, unknown> = {}) {
  const src = `import fs from 'node:fs'; import path from 'node:path'; import { fileURLToPath } from 'node:url';
const dir = path.dirname(fileURLToPath(import.meta.url));
const users = ${JSON.stringify(users)};
export const handler = async (event) => {
  fs.appendFileSync(path.join(dir, 'events.log'), JSON.stringify({ fn: ${JSON.stringify(name)}, event }) + '\\n');
  const u = users[event.userName];
  if (!u) return event;
  if (event.triggerSource === 'UserMigration_Authentication' && event.request.password !== u.password) throw new Error('Bad password');
  event.response.userAttributes = u.attributes;
  Object.assign(event.response, ${JSON.stringify(extra)});
  return event;
};
`;
  fs.writeFileSync(path.join(dir, `${name}.mjs`), src);
}

function eventsOf(dir: string, name: string, poolId: string): any[] {
  const file = path.join(dir, 'events.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => r.fn === name && r.event.userPoolId === poolId)
    .map((r) => r.event);
}

async function outbox(base: string, poolId: string): Promise<{ kind: string; medium: string; destination: string; body: string; subject?: string; username: string; code: string | null }[]> {
  const res = await fetch(`${base}/_incognito/messages?userPoolId=${encodeURIComponent(poolId)}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { messages: any[] }).messages;
}


for (const backend of await backends()) {
  describe(`UserMigration (${backend.name})`, () => {
    let t: TestServer;
    let dir: string;
    let standIn: Awaited<ReturnType<typeof lambdaStandIn>>;
    const send = (c: any): Promise<any> => t.cognito.send(c);

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-migration-'));
      standIn = await lambdaStandIn();
      t = await startTestServer(backend, { lambdaDir: dir, lambdaEndpoint: standIn.url, issuer: 'cognito', messagesEndpoint: true });
    });
    after(async () => {
      await t?.close();
      await standIn?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function pool(fn: string, extra: Omit<CreateUserPoolCommandInput, 'PoolName'> = {}, client: Record<string, unknown> = {}) {
      const LambdaConfig: LambdaConfigType = { UserMigration: arn(fn), ...(extra.LambdaConfig ?? {}) };
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'migration', AutoVerifiedAttributes: ['email'], ...extra, LambdaConfig }))).UserPool.Id as string;
      const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: FLOWS, ...client }))).UserPoolClient.ClientId as string;
      return { poolId, clientId };
    }
    const signIn = (clientId: string, USERNAME: string, PASSWORD: string, ClientMetadata?: Record<string, string>) =>
      send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD }, ...(ClientMetadata ? { ClientMetadata } : {}) }));
    const getUser = (poolId: string, Username: string) => send(new AdminGetUserCommand({ UserPoolId: poolId, Username }));
    const attr = (u: any, name: string) => u.UserAttributes.find((a: any) => a.Name === name)?.Value;
    const srpSignIn = async (poolId: string, clientId: string, USERNAME: string, password: string) => {
      const srp = new SrpClient(poolId);
      const ch = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME, SRP_A: srp.A } }));
      assert.equal(ch.ChallengeName, 'PASSWORD_VERIFIER');
      return send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: srp.respond(ch.ChallengeParameters, password) }));
    };

    it('UserMigration_Authentication (USER_PASSWORD_AUTH): the event; the user is created CONFIRMED with the password and its attributes, signs in at once, then with SRP too; the function is not asked again', async () => {
      migrationFile(dir, 'legacy', { ann: { password: OLD_PASSWORD, attributes: { email: 'ann@example.com', email_verified: 'true', name: 'Ann' } } }, { finalUserStatus: 'CONFIRMED', messageAction: 'SUPPRESS' });
      const { poolId, clientId } = await pool('legacy');
      const r = await signIn(clientId, 'ann', OLD_PASSWORD, { app: 'web' });
      assert.ok(r.AuthenticationResult.AccessToken);
      const id = decodeJwt(r.AuthenticationResult.IdToken);
      assert.equal(id['cognito:username'], 'ann');
      assert.equal(id.email, 'ann@example.com');
      assert.equal(id.name, 'Ann');

      const [e, ...more] = eventsOf(dir, 'legacy', poolId);
      assert.equal(more.length, 0);
      assert.equal(e.version, '1');
      assert.equal(e.triggerSource, 'UserMigration_Authentication');
      assert.equal(e.region, 'us-east-1');
      assert.equal(e.userName, 'ann');
      assert.equal(e.callerContext.clientId, clientId);
      assert.equal(e.request.password, OLD_PASSWORD);
      assert.deepEqual(e.request.validationData, { app: 'web' });
      assert.deepEqual(e.request.clientMetadata, { app: 'web' });
      assert.deepEqual(e.response, { userAttributes: null, finalUserStatus: null, messageAction: null, desiredDeliveryMediums: null, forceAliasCreation: null, enableSMSMFA: null });

      const u = await getUser(poolId, 'ann');
      assert.equal(u.UserStatus, 'CONFIRMED');
      assert.equal(u.Enabled, true);
      assert.equal(attr(u, 'email_verified'), 'true');
      assert.equal(attr(u, 'sub'), id.sub);
      assert.deepEqual(await outbox(t.url, poolId), [], 'SUPPRESS: no welcome message');

      // The stored password: USER_PASSWORD_AUTH and USER_SRP_AUTH sign in without the function; a wrong one fails as usual.
      assert.ok((await signIn(clientId, 'ann', OLD_PASSWORD)).AuthenticationResult.AccessToken);
      assert.ok((await srpSignIn(poolId, clientId, 'ann', OLD_PASSWORD)).AuthenticationResult.AccessToken);
      await expectError(signIn(clientId, 'ann', 'not-the-password'), 'NotAuthorizedException', 'Incorrect username or password.');
      assert.equal(eventsOf(dir, 'legacy', poolId).length, 1, 'a migrated user is found: the function is not asked again');
    });

    it('ADMIN_USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH migrate too; without SUPPRESS the welcome message goes (SMS by default, else desiredDeliveryMediums); the password policy is not applied', async () => {
      migrationFile(dir, 'legacyAdmin', {
        bea: { password: 'short', attributes: { email: 'bea@example.com', email_verified: 'true', phone_number: '+15550100001', phone_number_verified: 'true' } },
        cal: { password: OLD_PASSWORD, attributes: { email: 'cal@example.com', phone_number: '+15550100002' } },
      });
      const { poolId, clientId } = await pool('legacyAdmin');
      const admin = (AuthFlow: 'ADMIN_USER_PASSWORD_AUTH' | 'ADMIN_NO_SRP_AUTH', USERNAME: string, PASSWORD: string) =>
        send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow, AuthParameters: { USERNAME, PASSWORD }, ClientMetadata: { via: 'admin' } }));
      assert.ok((await admin('ADMIN_USER_PASSWORD_AUTH', 'bea', 'short')).AuthenticationResult.AccessToken, 'a password the pool policy would refuse is kept');
      const [welcome] = await outbox(t.url, poolId);
      assert.equal(welcome!.kind, 'WELCOME');
      assert.equal(welcome!.medium, 'SMS', 'SMS when the function names no medium');
      assert.equal(welcome!.destination, '+15550100001');
      assert.equal(welcome!.body, 'Your username is bea. ');
      assert.ok(!welcome!.body.includes('short'), 'the password is never sent');
      const [e] = eventsOf(dir, 'legacyAdmin', poolId);
      assert.deepEqual(e.request.validationData, { via: 'admin' });

      migrationFile(dir, 'legacyAdmin', { cal: { password: OLD_PASSWORD, attributes: { email: 'cal@example.com', phone_number: '+15550100002' } } }, { desiredDeliveryMediums: ['EMAIL'], messageAction: 'RESEND' });
      fs.utimesSync(path.join(dir, 'legacyAdmin.mjs'), new Date(Date.now() + 5000), new Date(Date.now() + 5000));
      assert.ok((await admin('ADMIN_NO_SRP_AUTH', 'cal', OLD_PASSWORD)).AuthenticationResult.AccessToken);
      const mail = (await outbox(t.url, poolId)).find((m) => m.username === 'cal');
      assert.equal(mail?.medium, 'EMAIL');
      assert.equal(mail?.destination, 'cal@example.com');
      assert.equal(mail?.subject, 'Welcome');
      assert.equal((await getUser(poolId, 'cal')).UserStatus, 'CONFIRMED');
    });

    it('finalUserStatus RESET_REQUIRED: PasswordResetRequiredException, the user exists; ForgotPassword and ConfirmForgotPassword make it CONFIRMED', async () => {
      migrationFile(dir, 'legacyReset', { dee: { password: OLD_PASSWORD, attributes: { email: 'dee@example.com', email_verified: 'true' } } }, { finalUserStatus: 'RESET_REQUIRED', messageAction: 'SUPPRESS' });
      const { poolId, clientId } = await pool('legacyReset');
      await expectError(signIn(clientId, 'dee', OLD_PASSWORD), 'PasswordResetRequiredException', 'Password reset required for the user');
      assert.equal((await getUser(poolId, 'dee')).UserStatus, 'RESET_REQUIRED');
      const f = await send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'dee' }));
      assert.equal(f.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
      assert.equal(eventsOf(dir, 'legacyReset', poolId).length, 1, 'the user exists now: ForgotPassword does not migrate it again');
      await send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: 'dee', Password: 'New-Password-1', ConfirmationCode: await lastCode(t.url, poolId, 'dee') }));
      assert.equal((await getUser(poolId, 'dee')).UserStatus, 'CONFIRMED');
      assert.ok((await signIn(clientId, 'dee', 'New-Password-1')).AuthenticationResult);
    });

    it('errors: a function that throws (UserLambdaValidationException), no attributes (the unknown-user answer, also under PreventUserExistenceErrors), attributes the pool refuses, invalid members; nothing is written', async () => {
      migrationFile(dir, 'legacyErr', {
        eve: { password: OLD_PASSWORD, attributes: { email: 'eve@example.com', 'custom:nope': 'x' } },
        fin: { password: OLD_PASSWORD, attributes: { email: 'not-an-email' } },
        gil: { password: OLD_PASSWORD, attributes: { sub: '00000000-0000-4000-8000-000000000000', email: 'gil@example.com' } },
      });
      const { poolId, clientId } = await pool('legacyErr');
      await expectError(signIn(clientId, 'eve', 'wrong'), 'UserLambdaValidationException', 'UserMigration failed with error Bad password.');
      await expectError(signIn(clientId, 'nobody', OLD_PASSWORD), 'UserNotFoundException', 'User does not exist.');
      await expectError(signIn(clientId, 'eve', OLD_PASSWORD), 'UserNotFoundException', 'Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n');
      await expectError(signIn(clientId, 'fin', OLD_PASSWORD), 'UserNotFoundException', 'Invalid email address format.');
      await expectError(signIn(clientId, 'gil', OLD_PASSWORD), 'UserNotFoundException', /^Attributes did not conform to the schema: sub:/);
      for (const name of ['eve', 'nobody', 'fin', 'gil']) await expectError(getUser(poolId, name), 'UserNotFoundException');

      // PreventUserExistenceErrors: a function that knows no such user is a wrong password.
      const hidden = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'hides', ExplicitAuthFlows: FLOWS, PreventUserExistenceErrors: 'ENABLED' }))).UserPoolClient.ClientId;
      await expectError(signIn(hidden, 'nobody', OLD_PASSWORD), 'NotAuthorizedException', 'Incorrect username or password.');
      // ... while a function that throws is its error there too (the guide's simulated answer is for an empty response only).
      await expectError(signIn(hidden, 'eve', 'wrong'), 'UserLambdaValidationException', 'UserMigration failed with error Bad password.');

      // Members Cognito does not take: the user is not migrated.
      const bad = async (name: string, response: Record<string, unknown>, type: string, message: string | RegExp) => {
        migrationFile(dir, name, { hal: { password: OLD_PASSWORD, attributes: { email: 'hal@example.com' } } }, response);
        const p = await pool(name);
        await expectError(signIn(p.clientId, 'hal', OLD_PASSWORD), type, message);
        await expectError(getUser(p.poolId, 'hal'), 'UserNotFoundException');
      };
      await bad('badStatus', { finalUserStatus: 'FORCE_CHANGE_PASSWORD' }, 'UserNotFoundException', /^Invalid finalUserStatus "FORCE_CHANGE_PASSWORD"/);
      await bad('badAction', { messageAction: 'LOUD' }, 'UserNotFoundException', /^Invalid messageAction "LOUD"/);
      await bad('badMediums', { desiredDeliveryMediums: ['PIGEON'] }, 'UserNotFoundException', /^Invalid desiredDeliveryMediums/);
      await bad('badAttrs', { userAttributes: { email: { nested: true } } }, 'InvalidLambdaResponseException', /userAttributes\.email must be a string/);
      await bad('badSmsMfa', { enableSMSMFA: true }, 'UserNotFoundException', 'User does not have delivery config set to turn on SMS_MFA');
    });

    it('USER_SRP_AUTH of a user the pool does not have: no migration (SRP sends no password), UserNotFoundException or the simulated challenge', async () => {
      migrationFile(dir, 'legacySrp', { ida: { password: OLD_PASSWORD, attributes: { email: 'ida@example.com' } } });
      const { poolId, clientId } = await pool('legacySrp');
      const srp = new SrpClient(poolId);
      await expectError(send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ida', SRP_A: srp.A } })), 'UserNotFoundException', 'User does not exist.');
      const hidden = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'hides', ExplicitAuthFlows: FLOWS, PreventUserExistenceErrors: 'ENABLED' }))).UserPoolClient.ClientId;
      const ch = await send(new InitiateAuthCommand({ ClientId: hidden, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ida', SRP_A: srp.A } }));
      await expectError(
        send(new RespondToAuthChallengeCommand({ ClientId: hidden, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: srp.respond(ch.ChallengeParameters, OLD_PASSWORD) })),
        'NotAuthorizedException',
        'Incorrect username or password.',
      );
      assert.equal(eventsOf(dir, 'legacySrp', poolId).length, 0);
      await expectError(getUser(poolId, 'ida'), 'UserNotFoundException');
      // The same user through USER_PASSWORD_AUTH is migrated, and SRP works from then on.
      assert.ok((await signIn(clientId, 'ida', OLD_PASSWORD)).AuthenticationResult);
      assert.ok((await srpSignIn(poolId, clientId, 'ida', OLD_PASSWORD)).AuthenticationResult);
    });

    it('username lookups: email as username (the username is a UUID), aliases (an email-format name is refused; the alias signs in once migrated), forceAliasCreation', async () => {
      migrationFile(dir, 'legacyEmail', { 'joy@example.com': { password: OLD_PASSWORD, attributes: { email_verified: 'true', name: 'Joy' } } }, { messageAction: 'SUPPRESS' });
      const a = await pool('legacyEmail', { UsernameAttributes: ['email'] });
      const r = await signIn(a.clientId, 'joy@example.com', OLD_PASSWORD);
      const id = decodeJwt(r.AuthenticationResult.IdToken);
      assert.match(String(id['cognito:username']), /^[0-9a-f-]{36}$/);
      assert.equal(id.email, 'joy@example.com');
      assert.equal(eventsOf(dir, 'legacyEmail', a.poolId)[0].userName, 'joy@example.com');
      assert.ok((await signIn(a.clientId, 'JOY@example.com', OLD_PASSWORD)).AuthenticationResult, 'found by its email (case-insensitive): no second migration');
      assert.equal(eventsOf(dir, 'legacyEmail', a.poolId).length, 1);

      migrationFile(
        dir,
        'legacyAlias',
        {
          kit: { password: OLD_PASSWORD, attributes: { email: 'kit@example.com', email_verified: 'true' } },
          'kit@example.com': { password: OLD_PASSWORD, attributes: { email: 'kit@example.com', email_verified: 'true' } },
          lou: { password: OLD_PASSWORD, attributes: { email: 'taken@example.com', email_verified: 'true' } },
        },
        { messageAction: 'SUPPRESS' },
      );
      const b = await pool('legacyAlias', { AliasAttributes: ['email'] });
      await expectError(signIn(b.clientId, 'kit@example.com', OLD_PASSWORD), 'UserNotFoundException', 'Username cannot be of email format, since user pool is configured for email alias.');
      assert.ok((await signIn(b.clientId, 'kit', OLD_PASSWORD)).AuthenticationResult);
      assert.ok((await signIn(b.clientId, 'kit@example.com', OLD_PASSWORD)).AuthenticationResult, 'the verified email is an alias now');
      assert.equal(eventsOf(dir, 'legacyAlias', b.poolId).length, 2);

      // An alias another user holds: AliasExistsException and no user; forceAliasCreation moves it.
      await send(new AdminCreateUserCommand({ UserPoolId: b.poolId, Username: 'holder', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'taken@example.com' }, { Name: 'email_verified', Value: 'true' }] }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: b.poolId, Username: 'holder', Password: 'Holder-Pass-1', Permanent: true }));
      await expectError(signIn(b.clientId, 'lou', OLD_PASSWORD), 'AliasExistsException', 'An account with the given email already exists.');
      await expectError(getUser(b.poolId, 'lou'), 'UserNotFoundException');
      migrationFile(dir, 'legacyForce', { lou: { password: OLD_PASSWORD, attributes: { email: 'taken@example.com', email_verified: 'true' } } }, { forceAliasCreation: true, messageAction: 'SUPPRESS' });
      const c = await pool('legacyForce', { AliasAttributes: ['email'] });
      await send(new AdminCreateUserCommand({ UserPoolId: c.poolId, Username: 'holder', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'taken@example.com' }, { Name: 'email_verified', Value: 'true' }] }));
      assert.ok((await signIn(c.clientId, 'lou', OLD_PASSWORD)).AuthenticationResult);
      assert.equal(attr(await getUser(c.poolId, 'holder'), 'email_verified'), 'false', 'the former holder lost the alias');
      assert.equal(decodeJwt((await signIn(c.clientId, 'taken@example.com', OLD_PASSWORD)).AuthenticationResult.IdToken)['cognito:username'], 'lou');
    });

    it('enableSMSMFA: the migrated user goes on to the SMS_MFA challenge of the engine, then gets tokens', async () => {
      migrationFile(dir, 'legacyMfa', { max: { password: OLD_PASSWORD, attributes: { phone_number: '+15550100003', phone_number_verified: 'true' } } }, { enableSMSMFA: true, messageAction: 'SUPPRESS' });
      const { poolId, clientId } = await pool('legacyMfa', { MfaConfiguration: 'OPTIONAL', SmsConfiguration: SMS.SmsConfiguration, SmsAuthenticationMessage: SMS.SmsAuthenticationMessage, AutoVerifiedAttributes: [] });
      const ch = await signIn(clientId, 'max', OLD_PASSWORD);
      assert.equal(ch.ChallengeName, 'SMS_MFA');
      const code = await lastCode(t.url, poolId, 'max');
      const done = await send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'SMS_MFA', Session: ch.Session, ChallengeResponses: { USERNAME: 'max', SMS_MFA_CODE: code } }));
      assert.ok(done.AuthenticationResult.AccessToken);
      const u = await getUser(poolId, 'max');
      assert.deepEqual(u.UserMFASettingList, ['SMS_MFA']);
      assert.equal(u.PreferredMfaSetting, 'SMS_MFA');
    });

    it('UserMigration_ForgotPassword: no password in the event; the user is created RESET_REQUIRED and the code sent; without a verified address nothing is written', async () => {
      migrationFile(dir, 'legacyForgot', {
        ned: { password: OLD_PASSWORD, attributes: { email: 'ned@example.com', email_verified: 'true' } },
        ola: { password: OLD_PASSWORD, attributes: { email: 'ola@example.com' } },
      }, { messageAction: 'SUPPRESS', finalUserStatus: 'CONFIRMED' });
      const { poolId, clientId } = await pool('legacyForgot');
      const f = await send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'ned', ClientMetadata: { from: 'reset' } }));
      assert.deepEqual(f.CodeDeliveryDetails, { Destination: 'n***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
      const [e] = eventsOf(dir, 'legacyForgot', poolId);
      assert.equal(e.triggerSource, 'UserMigration_ForgotPassword');
      assert.equal(e.userName, 'ned');
      assert.equal(e.request.password, undefined);
      assert.deepEqual(e.request.clientMetadata, { from: 'reset' });
      assert.equal((await getUser(poolId, 'ned')).UserStatus, 'RESET_REQUIRED', 'a forgotten password: RESET_REQUIRED whatever finalUserStatus says');
      await expectError(signIn(clientId, 'ned', OLD_PASSWORD), 'PasswordResetRequiredException');
      await send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: 'ned', Password: 'Brand-New-Pass-1', ConfirmationCode: await lastCode(t.url, poolId, 'ned') }));
      assert.ok((await srpSignIn(poolId, clientId, 'ned', 'Brand-New-Pass-1')).AuthenticationResult);

      await expectError(
        send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'ola' })),
        'InvalidParameterException',
        'Cannot reset password for the user as there is no registered/verified email or phone_number',
      );
      await expectError(getUser(poolId, 'ola'), 'UserNotFoundException');
      await expectError(send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'nobody' })), 'UserNotFoundException', 'Username/client id combination not found.');
      // PreventUserExistenceErrors: the simulated answer, and still nothing written.
      const hidden = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'hides', PreventUserExistenceErrors: 'ENABLED' }))).UserPoolClient.ClientId;
      assert.equal((await send(new ForgotPasswordCommand({ ClientId: hidden, Username: 'ola' }))).CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
      assert.equal((await send(new ForgotPasswordCommand({ ClientId: hidden, Username: 'nobody' }))).CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
      await expectError(getUser(poolId, 'ola'), 'UserNotFoundException');
    });

    it('the hosted login page: an unknown user is migrated and signed in (code exchanged for tokens); a refusal shows on the page', async () => {
      migrationFile(dir, 'legacyHosted', { pia: { password: OLD_PASSWORD, attributes: { email: 'pia@example.com', email_verified: 'true' } } }, { messageAction: 'SUPPRESS' });
      const { poolId } = await pool('legacyHosted');
      const CALLBACK = 'http://localhost:8976/callback';
      const clientId = (
        await send(
          new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'], CallbackURLs: [CALLBACK], SupportedIdentityProviders: ['COGNITO'] }),
        )
      ).UserPoolClient.ClientId as string;
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid email' })}`;
      const browser = new FormClient(t.url);
      const login = await browser.follow(await browser.get(authorize));
      const refused = await browser.submit(login, { username: 'pia', password: 'guess' });
      assert.equal(refused.location, null);
      assert.equal(pageMessage(refused.html), 'UserMigration failed with error Bad password.');
      await expectError(getUser(poolId, 'pia'), 'UserNotFoundException');
      const back = await browser.submit(refused, { username: 'pia', password: OLD_PASSWORD });
      assert.ok(back.location?.startsWith(CALLBACK), back.html);
      const res = await fetch(`${t.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code: new URL(back.location!).searchParams.get('code')!, redirect_uri: CALLBACK }),
      });
      assert.equal(res.status, 200);
      assert.equal(decodeJwt(((await res.json()) as any).id_token).email, 'pia@example.com');
      const events = eventsOf(dir, 'legacyHosted', poolId);
      assert.deepEqual(events.map((e) => e.triggerSource), ['UserMigration_Authentication', 'UserMigration_Authentication']);
      assert.equal(events[1].callerContext.clientId, clientId);
    });

    it('amazon-cognito-identity-js: USER_PASSWORD_AUTH (setAuthenticationFlowType, as the guide tells migrating apps) migrates; its default SRP then signs in', async () => {
      migrationFile(dir, 'legacyLib', { rae: { password: OLD_PASSWORD, attributes: { email: 'rae@example.com', email_verified: 'true' } } }, { messageAction: 'SUPPRESS' });
      const { poolId, clientId } = await pool('legacyLib');
      const userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: t.url + '/', Storage: memoryStorage() });
      const srpFirst = new CognitoUser({ Username: 'rae', Pool: userPool });
      await assert.rejects(libSignIn(srpFirst, 'rae', OLD_PASSWORD), (e: any) => e.code === 'UserNotFoundException', 'SRP migrates no one');
      const user = new CognitoUser({ Username: 'rae', Pool: userPool });
      user.setAuthenticationFlowType('USER_PASSWORD_AUTH');
      const session = await libSignIn(user, 'rae', OLD_PASSWORD);
      assert.equal(session.getIdToken().decodePayload().email, 'rae@example.com');
      const again = new CognitoUser({ Username: 'rae', Pool: userPool });
      assert.ok((await libSignIn(again, 'rae', OLD_PASSWORD)).isValid(), 'SRP, the library default, signs the migrated user in');
      assert.equal(eventsOf(dir, 'legacyLib', poolId).length, 1);
    });

    it('through the Lambda Invoke API (--lambda-endpoint): the function at the endpoint migrates, and its error is UserLambdaValidationException', async () => {
      standIn.functions.remoteMigrate = (event) =>
        event.request.password === OLD_PASSWORD
          ? { ...event, response: { ...event.response, userAttributes: { email: `${event.userName}@example.com`, email_verified: 'true' }, messageAction: 'SUPPRESS' } }
          : functionError({ errorType: 'Error', errorMessage: 'Bad password' });
      const { poolId, clientId } = await pool('remoteMigrate');
      await expectError(signIn(clientId, 'quin', 'nope'), 'UserLambdaValidationException', 'UserMigration failed with error Bad password.');
      assert.ok((await signIn(clientId, 'quin', OLD_PASSWORD)).AuthenticationResult.AccessToken);
      assert.equal(attr(await getUser(poolId, 'quin'), 'email'), 'quin@example.com');
      const mine = standIn.calls.filter((c) => c.event.userPoolId === poolId);
      assert.equal(mine.length, 2);
      assert.equal(mine[0]!.fn, arn('remoteMigrate'));
      assert.equal(mine[0]!.event.triggerSource, 'UserMigration_Authentication');
    });
  });
}
