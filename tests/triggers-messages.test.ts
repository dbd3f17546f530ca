/**
 * The message triggers, through the SDK on each store: CustomMessage for every message incognito
 * sends (handler files in a temporary --lambda-dir, and once through the Lambda Invoke API at a
 * stand-in), and CustomEmailSender / CustomSMSSender with the code encrypted by the AWS Encryption
 * SDK under the pool's KMS key, at a stand-in KMS served here (the TrentService JSON API:
 * GenerateDataKey, Encrypt, Decrypt). Messages are read from the outbox (/_incognito/messages), and
 * every code a function saw or decrypted is then used, to prove it is the real one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  UpdateUserPoolCommand,
  VerifyUserAttributeCommand,
  type ExplicitAuthFlowsType,
  type LambdaConfigType,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';
import { sendersSettled } from '../src/triggers/senders.js';
import { lambdaStandIn } from './lambda-fixtures.js';

const PASSWORD = 'Correct-Horse-9';
const FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as ExplicitAuthFlowsType[];
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/0c8f7a3e-1b2d-4e5f-9a6b-7c8d9e0f1a2b';
const UNKNOWN_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
const SMS_CONFIGURATION = { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'incognito' };
/** This repository's package.json: handler files load @aws-crypto/client-node from its node_modules. */
const REPO_PACKAGE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'package.json');

// ---- a stand-in KMS: the TrentService JSON API the Encryption SDK's KMS keyring calls -----------

/**
 * Keys by ARN; a data key's CiphertextBlob is AES-256-GCM under the key, with the encryption
 * context as additional data (so a wrong context fails to decrypt, as in KMS).
 */
async function kmsStandIn() {
  const keys = new Map<string, Buffer>([[KEY_ARN, randomBytes(32)]]);
  const calls: string[] = [];
  const aad = (ctx: Record<string, string> | undefined) => Buffer.from(JSON.stringify(Object.entries(ctx ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))));
  const seal = (keyArn: string, plaintext: Buffer, ctx?: Record<string, string>) => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', keys.get(keyArn)!, iv).setAAD(aad(ctx));
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    const id = Buffer.from(keyArn);
    return Buffer.concat([Buffer.from([id.length >> 8, id.length & 255]), id, iv, c.getAuthTag(), body]);
  };
  const open = (blob: Buffer, ctx?: Record<string, string>) => {
    const n = (blob[0]! << 8) | blob[1]!;
    const keyArn = blob.subarray(2, 2 + n).toString();
    const key = keys.get(keyArn);
    if (!key) return undefined;
    const iv = blob.subarray(2 + n, 14 + n);
    const tag = blob.subarray(14 + n, 30 + n);
    try {
      const d = createDecipheriv('aes-256-gcm', key, iv).setAAD(aad(ctx)).setAuthTag(tag);
      return { keyArn, plaintext: Buffer.concat([d.update(blob.subarray(30 + n)), d.final()]) };
    } catch {
      return undefined;
    }
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      calls.push(target);
      const input = JSON.parse(body || '{}');
      const fail = (type: string, message: string) => res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: type, message }));
      const ok = (out: unknown) => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(out));
      if (target === 'TrentService.GenerateDataKey' || target === 'TrentService.Encrypt') {
        if (!keys.has(input.KeyId)) return fail('NotFoundException', `Key '${input.KeyId}' does not exist`);
        const plaintext = target === 'TrentService.Encrypt' ? Buffer.from(input.Plaintext, 'base64') : randomBytes(input.NumberOfBytes ?? 32);
        const blob = seal(input.KeyId, plaintext, input.EncryptionContext);
        return ok({ KeyId: input.KeyId, CiphertextBlob: blob.toString('base64'), ...(target === 'TrentService.GenerateDataKey' ? { Plaintext: plaintext.toString('base64') } : {}) });
      }
      if (target === 'TrentService.Decrypt') {
        const r = open(Buffer.from(input.CiphertextBlob, 'base64'), input.EncryptionContext);
        if (!r || (input.KeyId && input.KeyId !== r.keyArn)) return fail('InvalidCiphertextException', 'The ciphertext is invalid');
        return ok({ KeyId: r.keyArn, Plaintext: r.plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
      }
      fail('UnsupportedOperationException', `not served: ${target}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

// ---- handler files and the Lambda stand-in (as in triggers.test.ts) ------------------------------

/** A handler file: `body` runs with `event` (after it is logged) and returns the event. */
function handlerFile(dir: string, name: string, body: string, prelude = '') {
  const src = `import fs from 'node:fs'; import path from 'node:path'; import { fileURLToPath } from 'node:url'; import { createRequire } from 'node:module';
const dir = path.dirname(fileURLToPath(import.meta.url));
const log = (e, extra = {}) => fs.appendFileSync(path.join(dir, 'events.log'), JSON.stringify({ fn: ${JSON.stringify(name)}, event: e, ...extra }) + '\\n');
${prelude}
export const handler = ${body};
`;
  fs.writeFileSync(path.join(dir, name + '.mjs'), src);
}

function logOf(dir: string, name: string): any[] {
  const file = path.join(dir, 'events.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => r.fn === name);
}

/** The custom sender prelude: the Encryption SDK (from this repository) with a KMS keyring on the pool's key. */
const DECRYPTING = `const sdk = createRequire(${JSON.stringify(REPO_PACKAGE)})('@aws-crypto/client-node');
const { decrypt } = sdk.buildClient(sdk.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
const keyring = new sdk.KmsKeyringNode({ keyIds: [${JSON.stringify(KEY_ARN)}] });`;


interface OutboxMessage {
  kind: string;
  medium: string;
  destination: string;
  subject: string | null;
  body: string;
  code: string | null;
}

let kms: Awaited<ReturnType<typeof kmsStandIn>>;
before(async () => {
  kms = await kmsStandIn();
  // Where the server (and the handler files' Encryption SDK, in worker threads started later) reach KMS.
  process.env.AWS_ENDPOINT_URL_KMS = kms.url;
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'secret';
});
after(async () => {
  await sendersSettled();
  await kms?.close();
});

for (const backend of await backends()) {
  describe(`message triggers (${backend.name})`, () => {
    let t: TestServer;
    let dir: string;
    let standIn: Awaited<ReturnType<typeof lambdaStandIn>>;
    const send = (c: any): Promise<any> => t.cognito.send(c);

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-messages-'));
      standIn = await lambdaStandIn();
      t = await startTestServer(backend, { lambdaDir: dir, lambdaEndpoint: standIn.url, issuer: 'cognito' });
      // One CustomMessage function for every source: its texts name the source, carry the
      // placeholders it was given, and mark the clientMetadata it saw.
      handlerFile(
        dir,
        'messages',
        `async (event) => {
          log(event);
          const r = event.request;
          const who = r.usernameParameter ? ' user ' + r.usernameParameter : '';
          const meta = r.clientMetadata && r.clientMetadata.tag ? ' tag ' + r.clientMetadata.tag : '';
          event.response.smsMessage = event.triggerSource + ': ' + r.codeParameter + who;
          event.response.emailMessage = '<p>' + event.triggerSource + ' code ' + r.codeParameter + who + meta + '</p>';
          event.response.emailSubject = 'Subject of ' + event.triggerSource;
          return event;
        }`,
      );
    });
    after(async () => {
      await sendersSettled();
      await t?.close();
      await standIn?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function pool(LambdaConfig: LambdaConfigType, extra: Record<string, unknown> = {}) {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'messages', LambdaConfig, AutoVerifiedAttributes: ['email'], ...extra }))).UserPool.Id as string;
      const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: FLOWS }))).UserPoolClient.ClientId as string;
      return { poolId, clientId };
    }
    async function outbox(poolId: string, username: string): Promise<OutboxMessage[]> {
      const res = await fetch(`${t.url}/_incognito/messages?userPoolId=${encodeURIComponent(poolId)}&username=${encodeURIComponent(username)}`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { messages: OutboxMessage[] }).messages;
    }
    /** The newest message of `kind` for the user, whose body must carry its code; returns both. */
    /** Text as an HTML email body carries it. */
    const html = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    async function newest(poolId: string, username: string, kind: string): Promise<OutboxMessage & { code: string }> {
      const m = (await outbox(poolId, username)).find((x) => x.kind === kind);
      assert.ok(m?.code, `no ${kind} message for ${username}`);
      // An HTML email carries the code escaped (a temporary password may hold & < > "), as it renders.
      assert.ok(m.body.includes(m.code) || (m.body.startsWith('<') && m.body.includes(html(m.code))), `the body carries the code: ${m.body}`);
      return m as OutboxMessage & { code: string };
    }
    const eventsFor = (name: string, poolId: string) => logOf(dir, name).filter((r) => r.event.userPoolId === poolId);
    const signIn = (clientId: string, USERNAME: string, PASSWORD_: string = PASSWORD) =>
      send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: PASSWORD_ } }));

    it('CustomMessage_SignUp and _ResendCode: the event, the text and subject it returns, and the code in it confirms the user', async () => {
      const { poolId, clientId } = await pool({ CustomMessage: arn('messages') });
      await send(new SignUpCommand({ ClientId: clientId, Username: 'ann', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'ann@example.com' }], ClientMetadata: { tag: 'web' } }));
      const first = await newest(poolId, 'ann', 'SIGN_UP');
      assert.equal(first.body, `<p>CustomMessage_SignUp code ${first.code} tag web</p>`);
      assert.equal(first.subject, 'Subject of CustomMessage_SignUp');
      const [e] = eventsFor('messages', poolId).map((r) => r.event);
      assert.equal(e.version, '1');
      assert.equal(e.triggerSource, 'CustomMessage_SignUp');
      assert.equal(e.userName, 'ann');
      assert.equal(e.callerContext.clientId, clientId);
      assert.equal(e.request.codeParameter, '{####}');
      assert.equal(e.request.linkParameter, '{##Click Here##}');
      assert.equal(e.request.usernameParameter, null);
      assert.deepEqual(e.request.clientMetadata, { tag: 'web' });
      assert.equal(e.request.userAttributes.email, 'ann@example.com');
      assert.equal(e.request.userAttributes['cognito:user_status'], 'UNCONFIRMED');
      assert.ok(e.request.userAttributes.sub);
      assert.deepEqual(e.response, { smsMessage: null, emailMessage: null, emailSubject: null });

      await send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'ann' }));
      const again = await newest(poolId, 'ann', 'RESEND_CODE');
      assert.equal(again.body, `<p>CustomMessage_ResendCode code ${again.code}</p>`);
      assert.equal(eventsFor('messages', poolId).at(-1).event.triggerSource, 'CustomMessage_ResendCode');
      // The code in the resent message is the one that works.
      await send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'ann', ConfirmationCode: again.code }));
      assert.equal((await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ann' }))).UserStatus, 'CONFIRMED');
    });

    it('CustomMessage_ForgotPassword (ForgotPassword and AdminResetUserPassword) by SMS and email; the code resets the password', async () => {
      const { poolId, clientId } = await pool({ CustomMessage: arn('messages') });
      await send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'bea',
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'phone_number', Value: '+15555550111' },
            { Name: 'phone_number_verified', Value: 'true' },
          ],
        }),
      );
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'bea', Password: PASSWORD, Permanent: true }));
      await send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'bea', ClientMetadata: { tag: 'reset' } }));
      const sms = await newest(poolId, 'bea', 'FORGOT_PASSWORD');
      assert.equal(sms.medium, 'SMS');
      assert.equal(sms.body, `CustomMessage_ForgotPassword: ${sms.code}`);
      assert.equal(sms.subject, null);
      const forgot = eventsFor('messages', poolId).at(-1).event;
      assert.equal(forgot.triggerSource, 'CustomMessage_ForgotPassword');
      assert.equal(forgot.callerContext.clientId, clientId);
      assert.deepEqual(forgot.request.clientMetadata, { tag: 'reset' });
      await send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: 'bea', ConfirmationCode: sms.code, Password: 'Another-Pass-1' }));
      assert.ok((await signIn(clientId, 'bea', 'Another-Pass-1')).AuthenticationResult);

      await send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'bea' }));
      const admin = await newest(poolId, 'bea', 'ADMIN_RESET_PASSWORD');
      assert.equal(admin.body, `CustomMessage_ForgotPassword: ${admin.code}`);
      const adminEvent = eventsFor('messages', poolId).at(-1).event;
      assert.equal(adminEvent.triggerSource, 'CustomMessage_ForgotPassword');
      assert.equal(adminEvent.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
      await send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: 'bea', ConfirmationCode: admin.code, Password: PASSWORD }));
      assert.ok((await signIn(clientId, 'bea')).AuthenticationResult);
    });

    it('CustomMessage_AdminCreateUser: usernameParameter {username}; the invitation carries the username and the temporary password, which signs in', async () => {
      const { poolId, clientId } = await pool({ CustomMessage: arn('messages') });
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'cal', DesiredDeliveryMediums: ['EMAIL'], UserAttributes: [{ Name: 'email', Value: 'cal@example.com' }], ClientMetadata: { tag: 'invite' } }));
      const m = await newest(poolId, 'cal', 'INVITATION');
      assert.equal(m.body, `<p>CustomMessage_AdminCreateUser code ${html(m.code)} user cal tag invite</p>`);
      assert.equal(m.subject, 'Subject of CustomMessage_AdminCreateUser');
      const e = eventsFor('messages', poolId).at(-1).event;
      assert.equal(e.triggerSource, 'CustomMessage_AdminCreateUser');
      assert.equal(e.request.usernameParameter, '{username}');
      assert.equal(e.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
      assert.equal(e.request.userAttributes['cognito:user_status'], 'FORCE_CHANGE_PASSWORD');
      const r = await signIn(clientId, 'cal', m.code);
      assert.equal(r.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    });

    it('CustomMessage_UpdateUserAttribute (UpdateUserAttributes, AdminUpdateUserAttributes) and _VerifyUserAttribute (GetUserAttributeVerificationCode); the codes verify', async () => {
      // A pool that keeps the original email until the new one is verified: AdminUpdateUserAttributes sends a code too.
      const { poolId, clientId } = await pool({ CustomMessage: arn('messages') }, { UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] } });
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'dee', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'dee@example.com' }, { Name: 'email_verified', Value: 'true' }] }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'dee', Password: PASSWORD, Permanent: true }));
      const token = (await signIn(clientId, 'dee')).AuthenticationResult.AccessToken as string;
      const verified = async () => (await send(new GetUserCommand({ AccessToken: token }))).UserAttributes.find((a: any) => a.Name === 'email_verified')?.Value;

      await send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: 'dee@example.org' }], ClientMetadata: { tag: 'update' } }));
      const update = await newest(poolId, 'dee', 'VERIFY_ATTRIBUTE');
      assert.equal(update.destination, 'dee@example.org');
      assert.equal(update.body, `<p>CustomMessage_UpdateUserAttribute code ${update.code} tag update</p>`);
      const ue = eventsFor('messages', poolId).at(-1).event;
      assert.equal(ue.triggerSource, 'CustomMessage_UpdateUserAttribute');
      assert.equal(ue.callerContext.clientId, clientId);
      await send(new VerifyUserAttributeCommand({ AccessToken: token, AttributeName: 'email', Code: update.code }));
      assert.equal(await verified(), 'true');

      await send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: 'email' }));
      const verify = await newest(poolId, 'dee', 'VERIFY_ATTRIBUTE');
      assert.equal(verify.body, `<p>CustomMessage_VerifyUserAttribute code ${verify.code}</p>`);
      assert.equal(eventsFor('messages', poolId).at(-1).event.triggerSource, 'CustomMessage_VerifyUserAttribute');
      await send(new VerifyUserAttributeCommand({ AccessToken: token, AttributeName: 'email', Code: verify.code }));

      await send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'dee', UserAttributes: [{ Name: 'email', Value: 'dee@example.net' }] }));
      const admin = await newest(poolId, 'dee', 'VERIFY_ATTRIBUTE');
      assert.equal(admin.destination, 'dee@example.net');
      const ae = eventsFor('messages', poolId).at(-1).event;
      assert.equal(ae.triggerSource, 'CustomMessage_UpdateUserAttribute');
      assert.equal(ae.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
      await send(new VerifyUserAttributeCommand({ AccessToken: token, AttributeName: 'email', Code: admin.code }));
      assert.equal(await verified(), 'true');
    });

    it('CustomMessage_Authentication: the SMS MFA code in the returned text completes the sign-in', async () => {
      const { poolId, clientId } = await pool({ CustomMessage: arn('messages') }, { SmsConfiguration: SMS_CONFIGURATION, AutoVerifiedAttributes: [] });
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SmsMfaConfiguration: { SmsConfiguration: SMS_CONFIGURATION, SmsAuthenticationMessage: 'Pool text {####}' } }));
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'eli', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'phone_number', Value: '+15555550122' }, { Name: 'phone_number_verified', Value: 'true' }] }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'eli', Password: PASSWORD, Permanent: true }));
      await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'eli', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const r = await signIn(clientId, 'eli');
      assert.equal(r.ChallengeName, 'SMS_MFA');
      const m = await newest(poolId, 'eli', 'MFA');
      assert.equal(m.body, `CustomMessage_Authentication: ${m.code}`);
      const e = eventsFor('messages', poolId).at(-1).event;
      assert.equal(e.triggerSource, 'CustomMessage_Authentication');
      assert.equal(e.callerContext.clientId, clientId);
      const done = await send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'SMS_MFA', Session: r.Session, ChallengeResponses: { USERNAME: 'eli', SMS_MFA_CODE: m.code } }));
      assert.ok(done.AuthenticationResult.AccessToken);
    });

    it("CustomMessage's rules: nothing returned keeps the pool's text; a message without the code is refused; an invitation without the username keeps the pool's text; too long; a failing function", async () => {
      handlerFile(dir, 'silent', `async (event) => { log(event); return event; }`);
      const a = await pool({ CustomMessage: arn('silent') }, { VerificationMessageTemplate: { EmailMessage: 'Pool says {####}', EmailSubject: 'Pool subject' } });
      await send(new SignUpCommand({ ClientId: a.clientId, Username: 'fay', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'fay@example.com' }] }));
      const pooled = await newest(a.poolId, 'fay', 'SIGN_UP');
      assert.equal(pooled.body, `Pool says ${pooled.code}`);
      assert.equal(pooled.subject, 'Pool subject');
      assert.equal(eventsFor('silent', a.poolId).length, 1, 'the function ran');

      handlerFile(dir, 'noCode', `async (event) => { event.response.emailMessage = 'Welcome aboard'; event.response.smsMessage = 'hi'; return event; }`);
      const b = await pool({ CustomMessage: arn('noCode') });
      await expectError(
        send(new SignUpCommand({ ClientId: b.clientId, Username: 'gil', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'gil@example.com' }] })),
        'InvalidParameterException',
        /^1 validation error detected: Value 'Welcome aboard' at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern: /,
      );
      assert.equal((await outbox(b.poolId, 'gil')).length, 0, 'nothing sent');

      handlerFile(dir, 'noUsername', `async (event) => { event.response.emailMessage = 'Password ' + event.request.codeParameter; event.response.emailSubject = 'Hello'; return event; }`);
      const c = await pool({ CustomMessage: arn('noUsername') }, { AdminCreateUserConfig: { InviteMessageTemplate: { EmailMessage: 'Pool invite {username} {####}', EmailSubject: 'Pool invite' } } });
      await send(new AdminCreateUserCommand({ UserPoolId: c.poolId, Username: 'hal', DesiredDeliveryMediums: ['EMAIL'], UserAttributes: [{ Name: 'email', Value: 'hal@example.com' }] }));
      const invite = await newest(c.poolId, 'hal', 'INVITATION');
      assert.equal(invite.body, `Pool invite hal ${invite.code}`);
      assert.equal(invite.subject, 'Hello', 'the returned subject is kept');

      handlerFile(dir, 'tooLong', `async (event) => { event.response.smsMessage = 'x'.repeat(140) + event.request.codeParameter; return event; }`);
      const d = await pool({ CustomMessage: arn('tooLong') });
      await send(new AdminCreateUserCommand({ UserPoolId: d.poolId, Username: 'ida', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'phone_number', Value: '+15555550133' }, { Name: 'phone_number_verified', Value: 'true' }] }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: d.poolId, Username: 'ida', Password: PASSWORD, Permanent: true }));
      await expectError(send(new ForgotPasswordCommand({ ClientId: d.clientId, Username: 'ida' })), 'InvalidParameterException', /Member must have length less than or equal to 140$/);

      handlerFile(dir, 'broken', `async () => { throw new Error('template store down'); }`);
      const e = await pool({ CustomMessage: arn('broken') });
      await expectError(
        send(new SignUpCommand({ ClientId: e.clientId, Username: 'jo', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'jo@example.com' }] })),
        'UserLambdaValidationException',
        'CustomMessage failed with error template store down.',
      );
      // The sign-up itself was written before its message, as in Cognito: a new code can be asked for.
      assert.equal((await send(new AdminGetUserCommand({ UserPoolId: e.poolId, Username: 'jo' }))).UserStatus, 'UNCONFIRMED');
    });

    it('CustomMessage at the Lambda Invoke API (--lambda-endpoint): a RequestResponse call with the ARN', async () => {
      standIn.functions.remoteMessages = (event) => ({ ...event, response: { ...event.response, emailMessage: `Remote ${event.request.codeParameter}`, emailSubject: 'Remote' } });
      const { poolId, clientId } = await pool({ CustomMessage: arn('remoteMessages') });
      await send(new SignUpCommand({ ClientId: clientId, Username: 'kay', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'kay@example.com' }] }));
      const m = await newest(poolId, 'kay', 'SIGN_UP');
      assert.equal(m.body, `Remote ${m.code}`);
      const call = standIn.calls.find((c) => c.event.userPoolId === poolId)!;
      assert.equal(call.fn, arn('remoteMessages'));
      assert.notEqual(call.type, 'Event');
      await send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'kay', ConfirmationCode: m.code }));
    });

    describe('custom senders (KMS at AWS_ENDPOINT_URL_KMS)', () => {
      before(() => {
        handlerFile(
          dir,
          'emailSender',
          `async (event) => {
            const { plaintext, messageHeader } = await decrypt(keyring, Buffer.from(event.request.code, 'base64'));
            log(event, { code: Buffer.from(plaintext).toString('utf8'), context: messageHeader.encryptionContext });
          }`,
          DECRYPTING,
        );
        handlerFile(
          dir,
          'smsSender',
          `async (event) => {
            const { plaintext } = await decrypt(keyring, Buffer.from(event.request.code, 'base64'));
            log(event, { code: Buffer.from(plaintext).toString('utf8') });
          }`,
          DECRYPTING,
        );
      });
      const senders = (email = true, sms = true, KMSKeyID = KEY_ARN): LambdaConfigType => ({
        ...(email ? { CustomEmailSender: { LambdaArn: arn('emailSender'), LambdaVersion: 'V1_0' } } : {}),
        ...(sms ? { CustomSMSSender: { LambdaArn: arn('smsSender'), LambdaVersion: 'V1_0' } } : {}),
        KMSKeyID,
      });

      it('CustomEmailSender_SignUp / _ResendCode: the code leaves encrypted, nothing reaches the outbox, and the decrypted code confirms the user', async () => {
        const { poolId, clientId } = await pool({ ...senders(), CustomMessage: arn('messages') });
        const r = await send(new SignUpCommand({ ClientId: clientId, Username: 'lou', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'lou@example.com' }], ClientMetadata: { tag: 'x' } }));
        assert.equal(r.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
        await sendersSettled();
        assert.deepEqual(await outbox(poolId, 'lou'), [], 'incognito sent nothing itself');
        assert.equal(eventsFor('messages', poolId).length, 0, 'CustomMessage does not run for a medium a sender takes');
        const [s] = eventsFor('emailSender', poolId);
        assert.ok(s, 'the sender ran');
        assert.equal(s.event.version, '1');
        assert.equal(s.event.triggerSource, 'CustomEmailSender_SignUp');
        assert.equal(s.event.userName, 'lou');
        assert.equal(s.event.callerContext.clientId, clientId);
        assert.equal(s.event.request.type, 'customEmailSenderRequestV1');
        assert.equal(s.event.request.userAttributes.email, 'lou@example.com');
        assert.deepEqual(s.event.request.clientMetadata, { tag: 'x' });
        assert.match(s.code, /^\d{6}$/);
        assert.ok(!s.event.request.code.includes(s.code), 'the event carries ciphertext only');
        assert.equal(s.context['userpool-id'], poolId);
        assert.ok(kms.calls.includes('TrentService.GenerateDataKey') && kms.calls.includes('TrentService.Decrypt'));

        await send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'lou' }));
        await sendersSettled();
        const resent = eventsFor('emailSender', poolId).at(-1);
        assert.equal(resent.event.triggerSource, 'CustomEmailSender_ResendCode');
        await expectError(send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'lou', ConfirmationCode: s.code === resent.code ? '000000' : s.code })), 'CodeMismatchException');
        await send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'lou', ConfirmationCode: resent.code }));
        assert.equal((await send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'lou' }))).UserStatus, 'CONFIRMED');
      });

      it('CustomSMSSender_AdminCreateUser and _ForgotPassword, CustomEmailSender_Authentication: each decrypted secret works', async () => {
        const { poolId, clientId } = await pool(senders(), {
          SmsConfiguration: SMS_CONFIGURATION,
          EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', From: 'no-reply@example.com' },
        });
        await send(
          new AdminCreateUserCommand({
            UserPoolId: poolId,
            Username: 'max',
            DesiredDeliveryMediums: ['SMS'],
            UserAttributes: [
              { Name: 'phone_number', Value: '+15555550144' },
              { Name: 'phone_number_verified', Value: 'true' },
              { Name: 'email', Value: 'max@example.com' },
              { Name: 'email_verified', Value: 'true' },
            ],
          }),
        );
        await sendersSettled();
        const invite = eventsFor('smsSender', poolId).at(-1);
        assert.equal(invite.event.triggerSource, 'CustomSMSSender_AdminCreateUser');
        assert.equal(invite.event.request.type, 'customSMSSenderRequestV1');
        assert.equal(invite.event.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
        const challenge = await signIn(clientId, 'max', invite.code);
        assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED', 'the decrypted temporary password signs in');
        await send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: challenge.Session, ChallengeResponses: { USERNAME: 'max', NEW_PASSWORD: PASSWORD } }));

        await send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'max' }));
        await sendersSettled();
        const reset = eventsFor('smsSender', poolId).at(-1);
        assert.equal(reset.event.triggerSource, 'CustomSMSSender_ForgotPassword');
        await send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: 'max', ConfirmationCode: reset.code, Password: 'Another-Pass-1' }));

        await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', EmailMfaConfiguration: { Message: 'Code {####}', Subject: 'Code' } }));
        await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'max', EmailMfaSettings: { Enabled: true, PreferredMfa: true } }));
        const mfa = await signIn(clientId, 'max', 'Another-Pass-1');
        assert.equal(mfa.ChallengeName, 'EMAIL_OTP');
        await sendersSettled();
        const otp = eventsFor('emailSender', poolId).at(-1);
        assert.equal(otp.event.triggerSource, 'CustomEmailSender_Authentication');
        const done = await send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'EMAIL_OTP', Session: mfa.Session, ChallengeResponses: { USERNAME: 'max', EMAIL_OTP_CODE: otp.code } }));
        assert.ok(done.AuthenticationResult.AccessToken);
        assert.deepEqual(await outbox(poolId, 'max'), [], 'every message went to the senders');
      });

      it('only the medium a sender takes goes to it: email through CustomEmailSender, SMS through the outbox and CustomMessage', async () => {
        const { poolId, clientId } = await pool({ ...senders(true, false), CustomMessage: arn('messages') }, { AutoVerifiedAttributes: ['phone_number'] });
        await send(new SignUpCommand({ ClientId: clientId, Username: 'ned', Password: PASSWORD, UserAttributes: [{ Name: 'phone_number', Value: '+15555550155' }] }));
        const m = await newest(poolId, 'ned', 'SIGN_UP');
        assert.equal(m.medium, 'SMS');
        assert.equal(m.body, `CustomMessage_SignUp: ${m.code}`);
        await sendersSettled();
        assert.equal(eventsFor('emailSender', poolId).length, 0);
      });

      it('at the Lambda Invoke API: an asynchronous (Event) call; a failing sender does not fail the operation', async () => {
        let seen: any;
        standIn.functions.remoteSender = (event) => {
          seen = event;
          return null;
        };
        const { poolId, clientId } = await pool({ CustomEmailSender: { LambdaArn: arn('remoteSender'), LambdaVersion: 'V1_0' }, KMSKeyID: KEY_ARN });
        await send(new SignUpCommand({ ClientId: clientId, Username: 'oli', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'oli@example.com' }] }));
        await sendersSettled();
        const call = standIn.calls.find((c) => c.event.userPoolId === poolId)!;
        assert.equal(call.type, 'Event');
        assert.equal(seen.triggerSource, 'CustomEmailSender_SignUp');
        assert.equal(seen.response, undefined, 'a sender event has no response member');

        handlerFile(dir, 'failingSender', `async () => { throw new Error('provider down'); }`);
        const f = await pool({ CustomEmailSender: { LambdaArn: arn('failingSender'), LambdaVersion: 'V1_0' }, KMSKeyID: KEY_ARN });
        const r = await send(new SignUpCommand({ ClientId: f.clientId, Username: 'pam', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'pam@example.com' }] }));
        assert.equal(r.UserConfirmed, false);
        await sendersSettled();
      });

      it('KMS refuses the key: UnexpectedLambdaException; a sender without KMSKeyID is refused by CreateUserPool and UpdateUserPool', async () => {
        const { clientId } = await pool(senders(true, true, UNKNOWN_KEY_ARN));
        await expectError(
          send(new SignUpCommand({ ClientId: clientId, Username: 'quin', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'quin@example.com' }] })),
          'UnexpectedLambdaException',
          'CustomEmailSender invocation failed due to error KMS NotFoundException.',
        );
        await expectError(
          send(new CreateUserPoolCommand({ PoolName: 'nokey', LambdaConfig: { CustomSMSSender: { LambdaArn: arn('smsSender'), LambdaVersion: 'V1_0' } } })),
          'InvalidParameterException',
          /KMSKeyID is required with LambdaConfig.CustomSMSSender/,
        );
        const { poolId } = await pool({});
        await expectError(
          send(new UpdateUserPoolCommand({ UserPoolId: poolId, LambdaConfig: { CustomEmailSender: { LambdaArn: arn('emailSender'), LambdaVersion: 'V1_0' } } })),
          'InvalidParameterException',
          /KMSKeyID is required with LambdaConfig.CustomEmailSender/,
        );
        const described = await send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
        assert.deepEqual(described.UserPool.LambdaConfig, {}, 'the refused update changed nothing');
      });
    });
  });
}
