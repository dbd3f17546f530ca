/** Users through the real SDK: lifecycle, attributes, sign-up and confirmation, passwords, codes, ListUsers. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminSetUserSettingsCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  UpdateUserPoolCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { issueCode } from '../src/domain/codes.js';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';

const PASSWORD = 'Correct-Horse-9';
const attr = (list: { Name?: string; Value?: string }[] | undefined, name: string) => list?.find((a) => a.Name === name)?.Value;

for (const backend of await backends()) {
  describe(`users (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    async function pool(input: Partial<CreateUserPoolCommandInput> = {}) {
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'users', AutoVerifiedAttributes: ['email'], ...input }));
      return UserPool.Id as string;
    }
    async function client(poolId: string, extra: Record<string, unknown> = {}) {
      const { UserPoolClient } = await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ...extra }));
      return UserPoolClient as { ClientId: string; ClientSecret?: string };
    }
    /** The newest message the outbox holds for the user. */
    async function lastMessage(poolId: string, username: string) {
      const [m] = await t.server.store.messages.list(poolId, { username, limit: 1 });
      assert.ok(m, `a message for ${username}`);
      return m;
    }
    const getUser = (poolId: string, Username: string) => send(new AdminGetUserCommand({ UserPoolId: poolId, Username }));

    describe('AdminCreateUser and the user record', () => {
      it('creates a FORCE_CHANGE_PASSWORD user with a sub and sends the invitation', async () => {
        const p = await pool();
        const { User } = await send(
          new AdminCreateUserCommand({ UserPoolId: p, Username: 'alice', TemporaryPassword: 'Temp-Pass-123', UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }], DesiredDeliveryMediums: ['EMAIL'] }),
        );
        assert.equal(User.Username, 'alice');
        assert.equal(User.UserStatus, 'FORCE_CHANGE_PASSWORD');
        assert.equal(User.Enabled, true);
        assert.match(attr(User.Attributes, 'sub')!, /^[0-9a-f-]{36}$/);
        assert.ok(User.UserCreateDate instanceof Date);
        const g = await getUser(p, 'alice');
        assert.equal(g.Username, 'alice');
        assert.equal(attr(g.UserAttributes, 'email'), 'alice@example.com');
        assert.equal(g.UserAttributes[0].Name, 'sub');
        const m = await lastMessage(p, 'alice');
        assert.equal(m.kind, 'INVITATION');
        assert.equal(m.medium, 'EMAIL');
        assert.equal(m.code, 'Temp-Pass-123');
        assert.equal(m.body, 'Your username is alice and temporary password is Temp-Pass-123. ');
        const { UserPool } = await send(new DescribeUserPoolCommand({ UserPoolId: p }));
        assert.equal(UserPool.EstimatedNumberOfUsers, 1);
      });

      it('generates a temporary password that meets the policy, renders the pool template, and can suppress', async () => {
        const p = await pool({
          Policies: { PasswordPolicy: { MinimumLength: 16, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true } },
          AdminCreateUserConfig: { InviteMessageTemplate: { EmailMessage: 'Hello {username}, use {####}', EmailSubject: 'Welcome!' } },
        });
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'bob', UserAttributes: [{ Name: 'email', Value: 'bob@example.com' }] }));
        const m = await lastMessage(p, 'bob');
        assert.equal(m.subject, 'Welcome!');
        assert.ok(m.code!.length >= 16);
        assert.match(m.code!, /[a-z]/);
        assert.match(m.code!, /[A-Z]/);
        assert.match(m.code!, /[0-9]/);
        assert.equal(m.body, `Hello bob, use ${m.code}`);
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'quiet', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'q@example.com' }] }));
        assert.deepEqual(await t.server.store.messages.list(p, { username: 'quiet', limit: 5 }), []);
      });

      it('an invitation template without {####} is accepted but not delivered; RESEND after fixing it delivers', async () => {
        const p = await pool({
          AdminCreateUserConfig: { InviteMessageTemplate: { EmailMessage: 'Welcome {username}!', SMSMessage: 'Welcome {username}, pw {####}' } },
        });
        const attrs = [{ Name: 'email', Value: 'nopw@example.com' }, { Name: 'phone_number', Value: '+15555550123' }];
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'nopw', UserAttributes: attrs, DesiredDeliveryMediums: ['EMAIL', 'SMS'] }));
        const sent = await t.server.store.messages.list(p, { username: 'nopw', limit: 5 });
        assert.deepEqual(sent.map((m: any) => m.medium), ['SMS'], 'the email template has no {####}: only the SMS goes');
        await send(
          new UpdateUserPoolCommand({ UserPoolId: p, AutoVerifiedAttributes: ['email'], AdminCreateUserConfig: { InviteMessageTemplate: { EmailMessage: 'Welcome {username}, pw {####}' } } }),
        );
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'nopw', MessageAction: 'RESEND', DesiredDeliveryMediums: ['EMAIL'] }));
        const m = await lastMessage(p, 'nopw');
        assert.equal(m.medium, 'EMAIL');
        assert.equal(m.body, `Welcome nopw, pw ${m.code}`);
      });

      it('RESEND and AdminResetUserPassword racing other changes lose none of them', async () => {
        const p = await pool();
        for (let i = 0; i < 3; i++) {
          const name = `race${i}`;
          const attrs = [{ Name: 'email', Value: `${name}@example.com` }, { Name: 'email_verified', Value: 'true' }];
          await send(new AdminCreateUserCommand({ UserPoolId: p, Username: name, UserAttributes: attrs, MessageAction: 'SUPPRESS' }));
          // RESEND hashes the new temporary password before it writes: the update lands meanwhile.
          await Promise.all([
            send(new AdminCreateUserCommand({ UserPoolId: p, Username: name, MessageAction: 'RESEND', DesiredDeliveryMediums: ['EMAIL'] })),
            send(new AdminUpdateUserAttributesCommand({ UserPoolId: p, Username: name, UserAttributes: [{ Name: 'name', Value: `first${i}` }] })),
            send(new AdminDisableUserCommand({ UserPoolId: p, Username: name })),
          ]);
          let g = await getUser(p, name);
          assert.equal(attr(g.UserAttributes, 'name'), `first${i}`, 'the attribute update survives RESEND');
          assert.equal(g.Enabled, false, 'the disable survives RESEND');
          assert.equal(g.UserStatus, 'FORCE_CHANGE_PASSWORD');
          await send(new AdminEnableUserCommand({ UserPoolId: p, Username: name }));
          await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: name, Password: PASSWORD, Permanent: true }));
          await Promise.all([
            send(new AdminResetUserPasswordCommand({ UserPoolId: p, Username: name })),
            send(new AdminUpdateUserAttributesCommand({ UserPoolId: p, Username: name, UserAttributes: [{ Name: 'name', Value: `second${i}` }] })),
          ]);
          g = await getUser(p, name);
          assert.equal(attr(g.UserAttributes, 'name'), `second${i}`, 'the attribute update survives AdminResetUserPassword');
          assert.equal(g.UserStatus, 'RESET_REQUIRED');
        }
      });

      it('a sign-in that stores a missing SRP verifier does not undo an AdminDisableUser made meanwhile', async () => {
        const p = await pool();
        const c = await client(p, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] });
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'legacy', MessageAction: 'SUPPRESS' }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'legacy', Password: PASSWORD, Permanent: true }));
        // A user whose password predates SRP: no verifier until the next password sign-in.
        const stored = (await t.server.store.users.get(p, 'legacy'))!;
        await t.server.store.users.update({ ...stored, srpVerifier: null });
        // The sign-in checks the password (argon2, slow) between its read and its write.
        await Promise.all([
          // (Should the disable land before the sign-in reads the user, the sign-in is refused.)
          send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'legacy', PASSWORD } })).catch((e) => {
            if (e.message !== 'User is disabled.') throw e;
          }),
          send(new AdminDisableUserCommand({ UserPoolId: p, Username: 'legacy' })),
        ]);
        assert.equal((await getUser(p, 'legacy')).Enabled, false);
      });

      it('refuses duplicate usernames, bad temporary passwords and attributes off the schema', async () => {
        const p = await pool({ Schema: [{ Name: 'email', AttributeDataType: 'String', Required: true }, { Name: 'tenant', AttributeDataType: 'String', Mutable: false }] });
        const email = [{ Name: 'email', Value: 'x@example.com' }];
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'dup', UserAttributes: email, MessageAction: 'SUPPRESS' }));
        await expectError(send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'dup', UserAttributes: email, MessageAction: 'SUPPRESS' })), 'UsernameExistsException', 'User account already exists');
        await expectError(send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'weak', TemporaryPassword: 'short', UserAttributes: email })), 'InvalidPasswordException', 'Password did not conform with password policy: Password not long enough');
        await expectError(send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'nomail', MessageAction: 'SUPPRESS' })), 'InvalidParameterException', 'Attributes did not conform to the schema: email: The attribute is required\n');
        await expectError(
          send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'shoe', UserAttributes: [...email, { Name: 'shoe_size', Value: '9' }], MessageAction: 'SUPPRESS' })),
          'InvalidParameterException',
          'Attributes did not conform to the schema: shoe_size: Attribute does not exist in the schema.\n',
        );
        await expectError(send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'badmail', UserAttributes: [{ Name: 'email', Value: 'not-an-email' }] })), 'InvalidParameterException', 'Invalid email address format.');
        await expectError(
          send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'badphone', UserAttributes: [...email, { Name: 'phone_number', Value: '555-1234' }] })),
          'InvalidParameterException',
          'Invalid phone number format.',
        );
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'tenant', UserAttributes: [...email, { Name: 'custom:tenant', Value: 'a' }], MessageAction: 'SUPPRESS' }));
        await expectError(
          send(new AdminUpdateUserAttributesCommand({ UserPoolId: p, Username: 'tenant', UserAttributes: [{ Name: 'custom:tenant', Value: 'b' }] })),
          'InvalidParameterException',
          'Attributes did not conform to the schema: custom:tenant: Attribute cannot be updated. (changing an immutable attribute)\n',
        );
        await expectError(send(new AdminGetUserCommand({ UserPoolId: p, Username: 'ghost' })), 'UserNotFoundException', 'User does not exist.');
      });

      it('updates, deletes attributes, enables, disables and deletes users', async () => {
        const p = await pool();
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'carol', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'c@example.com' }, { Name: 'email_verified', Value: 'true' }, { Name: 'name', Value: 'Carol' }] }));
        await send(new AdminUpdateUserAttributesCommand({ UserPoolId: p, Username: 'carol', UserAttributes: [{ Name: 'email', Value: 'carol@example.com' }, { Name: 'given_name', Value: 'C' }] }));
        let g = await getUser(p, 'carol');
        assert.equal(attr(g.UserAttributes, 'email'), 'carol@example.com');
        assert.equal(attr(g.UserAttributes, 'email_verified'), 'false', 'a changed email is no longer verified');
        assert.equal(attr(g.UserAttributes, 'given_name'), 'C');
        await send(new AdminDeleteUserAttributesCommand({ UserPoolId: p, Username: 'carol', UserAttributeNames: ['name', 'email'] }));
        g = await getUser(p, 'carol');
        assert.equal(attr(g.UserAttributes, 'name'), undefined);
        assert.equal(attr(g.UserAttributes, 'email'), undefined);
        assert.equal(attr(g.UserAttributes, 'email_verified'), undefined);
        await send(new AdminDisableUserCommand({ UserPoolId: p, Username: 'carol' }));
        assert.equal((await getUser(p, 'carol')).Enabled, false);
        await send(new AdminEnableUserCommand({ UserPoolId: p, Username: 'carol' }));
        assert.equal((await getUser(p, 'carol')).Enabled, true);
        await send(new AdminSetUserSettingsCommand({ UserPoolId: p, Username: 'carol', MFAOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] }));
        assert.deepEqual((await getUser(p, 'carol')).MFAOptions, [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }]);
        await send(new AdminDeleteUserCommand({ UserPoolId: p, Username: 'carol' }));
        await expectError(getUser(p, 'carol'), 'UserNotFoundException');
        await expectError(send(new AdminDeleteUserCommand({ UserPoolId: p, Username: 'carol' })), 'UserNotFoundException');
      });

      it('AdminSetUserPassword enforces every policy rule and sets the status', async () => {
        const p = await pool();
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'dave', MessageAction: 'SUPPRESS' }));
        const cases: [string, string][] = [
          ['Sh0rt!', 'Password not long enough'],
          ['ALLUPPER123!', 'Password must have lowercase characters'],
          ['alllower123!', 'Password must have uppercase characters'],
          ['NoNumbers!!', 'Password must have numeric characters'],
          ['NoSymbols123', 'Password must have symbol characters'],
        ];
        for (const [Password, why] of cases) {
          await expectError(send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'dave', Password, Permanent: true })), 'InvalidPasswordException', `Password did not conform with policy: ${why}`);
        }
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'dave', Password: PASSWORD, Permanent: true }));
        assert.equal((await getUser(p, 'dave')).UserStatus, 'CONFIRMED');
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'dave', Password: PASSWORD, Permanent: false }));
        assert.equal((await getUser(p, 'dave')).UserStatus, 'FORCE_CHANGE_PASSWORD');
        const stored = await t.server.store.users.get(p, 'dave');
        assert.match(stored!.passwordHash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        assert.ok(!JSON.stringify(stored).includes(PASSWORD), 'the password is never stored in clear');
      });
    });

    describe('sign-up and confirmation', () => {
      it('SignUp sends a code to the auto-verified email; ConfirmSignUp confirms and verifies it', async () => {
        const p = await pool();
        const c = await client(p);
        const r = await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'erin', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'erin@example.com' }] }));
        assert.equal(r.UserConfirmed, false);
        assert.match(r.UserSub, /^[0-9a-f-]{36}$/);
        assert.deepEqual(r.CodeDeliveryDetails, { Destination: 'e***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
        assert.equal((await getUser(p, 'erin')).UserStatus, 'UNCONFIRMED');
        const m = await lastMessage(p, 'erin');
        assert.equal(m.kind, 'SIGN_UP');
        assert.match(m.code!, /^\d{6}$/);
        assert.equal(m.body, `Your verification code is ${m.code}. `);
        const wrong = m.code === '000000' ? '111111' : '000000';
        await expectError(send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'erin', ConfirmationCode: wrong })), 'CodeMismatchException', 'Invalid verification code provided, please try again.');
        await send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'erin', ConfirmationCode: m.code! }));
        const g = await getUser(p, 'erin');
        assert.equal(g.UserStatus, 'CONFIRMED');
        assert.equal(attr(g.UserAttributes, 'email_verified'), 'true');
        await expectError(send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'erin', ConfirmationCode: m.code! })), 'NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
      });

      it('verification and password-reset messages leave {username} as it is (only invitations have it)', async () => {
        // AWS's message-template docs: "{username} can't be used in verification emails"; users got
        // the literal text (aws/aws-cdk#7597, aws-amplify/amplify-js#1480 for password reset).
        const p = await pool({ VerificationMessageTemplate: { EmailMessage: 'Hi {username}, code {####}', EmailSubject: 'Code for {username}' } });
        const c = await client(p);
        await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'una', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'una@example.com' }] }));
        const signUp = await lastMessage(p, 'una');
        assert.equal(signUp.body, `Hi {username}, code ${signUp.code}`);
        assert.equal(signUp.subject, 'Code for {username}');
        await send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'una', ConfirmationCode: signUp.code! }));
        await send(new ForgotPasswordCommand({ ClientId: c.ClientId, Username: 'una' }));
        const reset = await lastMessage(p, 'una');
        assert.equal(reset.kind, 'FORGOT_PASSWORD');
        assert.equal(reset.body, `Hi {username}, code ${reset.code}`);
      });

      it('refuses duplicate usernames, policy violations and unwritable attributes', async () => {
        const p = await pool();
        const c = await client(p, { WriteAttributes: ['email', 'name'] });
        await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'frank', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'f@example.com' }] }));
        await expectError(send(new SignUpCommand({ ClientId: c.ClientId, Username: 'frank', Password: PASSWORD })), 'UsernameExistsException', 'User already exists');
        await expectError(send(new SignUpCommand({ ClientId: c.ClientId, Username: 'gina', Password: 'password' })), 'InvalidPasswordException', /Password did not conform with policy/);
        await expectError(
          send(new SignUpCommand({ ClientId: c.ClientId, Username: 'hank', Password: PASSWORD, UserAttributes: [{ Name: 'family_name', Value: 'x' }] })),
          'NotAuthorizedException',
          'A client attempted to write unauthorized attribute',
        );
        await expectError(send(new SignUpCommand({ ClientId: 'nosuchclient', Username: 'x', Password: PASSWORD })), 'ResourceNotFoundException');
        const adminOnly = await pool({ AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
        const ac = await client(adminOnly);
        await expectError(send(new SignUpCommand({ ClientId: ac.ClientId, Username: 'x', Password: PASSWORD })), 'NotAuthorizedException', 'SignUp is not permitted for this user pool');
      });

      it('a client without WriteAttributes: an attribute the schema lacks is a schema error, not an unauthorized write', async () => {
        const p = await pool();
        const c = await client(p);
        // As Cognito answers (aws-samples/aws-amplify-auth-starters#11, a custom attribute the pool lacks).
        await expectError(
          send(new SignUpCommand({ ClientId: c.ClientId, Username: 'olga', Password: PASSWORD, UserAttributes: [{ Name: 'custom:favorite_flavor', Value: 'x' }] })),
          'InvalidParameterException',
          'Attributes did not conform to the schema: custom:favorite_flavor: Attribute does not exist in the schema.\n',
        );
        // Attributes the schema has but no client may write stay unauthorized.
        await expectError(
          send(new SignUpCommand({ ClientId: c.ClientId, Username: 'olga', Password: PASSWORD, UserAttributes: [{ Name: 'email_verified', Value: 'true' }] })),
          'NotAuthorizedException',
          'A client attempted to write unauthorized attribute',
        );
        // A client with WriteAttributes still refuses any name outside them.
        const limited = await client(p, { WriteAttributes: ['email'] });
        await expectError(
          send(new SignUpCommand({ ClientId: limited.ClientId, Username: 'olga', Password: PASSWORD, UserAttributes: [{ Name: 'custom:favorite_flavor', Value: 'x' }] })),
          'NotAuthorizedException',
          'A client attempted to write unauthorized attribute',
        );
        await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'olga', Password: PASSWORD, UserAttributes: [{ Name: 'name', Value: 'Olga' }] }));
      });

      it('codes expire, are single-use, and lock after five wrong attempts', async () => {
        const p = await pool();
        const c = await client(p);
        await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'ivy', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'ivy@example.com' }] }));
        // a code issued 25 hours ago has expired
        const old = await issueCode(t.server.store, p, 'ivy', 'SIGN_UP', Date.now() - 25 * 3600_000);
        await expectError(send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'ivy', ConfirmationCode: old })), 'ExpiredCodeException', 'Invalid code provided, please request a code again.');
        await send(new ResendConfirmationCodeCommand({ ClientId: c.ClientId, Username: 'ivy' }));
        const { code } = await lastMessage(p, 'ivy');
        assert.equal((await lastMessage(p, 'ivy')).kind, 'RESEND_CODE');
        const wrong = code === '000000' ? '111111' : '000000';
        for (let i = 0; i < 5; i++) {
          await expectError(send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'ivy', ConfirmationCode: wrong })), 'CodeMismatchException');
        }
        await expectError(send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'ivy', ConfirmationCode: code! })), 'LimitExceededException', 'Attempt limit exceeded, please try after some time.');
      });

      it('enforces SECRET_HASH for clients with a secret', async () => {
        const p = await pool();
        const c = await client(p, { GenerateSecret: true });
        const hash = (u: string) => createHmac('sha256', c.ClientSecret!).update(u + c.ClientId).digest('base64');
        await expectError(
          send(new SignUpCommand({ ClientId: c.ClientId, Username: 'jack', Password: PASSWORD })),
          'NotAuthorizedException',
          `Client ${c.ClientId} is configured for secret but secret was not received`,
        );
        await expectError(
          send(new SignUpCommand({ ClientId: c.ClientId, Username: 'jack', Password: PASSWORD, SecretHash: hash('someone-else') })),
          'NotAuthorizedException',
          `Unable to verify secret hash for client ${c.ClientId}`,
        );
        await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'jack', Password: PASSWORD, SecretHash: hash('jack'), UserAttributes: [{ Name: 'email', Value: 'j@example.com' }] }));
        const { code } = await lastMessage(p, 'jack');
        await expectError(send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'jack', ConfirmationCode: code! })), 'NotAuthorizedException', /secret was not received/);
        await send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'jack', ConfirmationCode: code!, SecretHash: hash('jack') }));
        assert.equal((await getUser(p, 'jack')).UserStatus, 'CONFIRMED');
      });

      it('50 concurrent SignUps for one username: exactly one succeeds', async () => {
        const p = await pool();
        const c = await client(p);
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, () => send(new SignUpCommand({ ClientId: c.ClientId, Username: 'race', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'race@example.com' }] }))),
        );
        const ok = results.filter((r) => r.status === 'fulfilled');
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(ok.length, 1);
        assert.equal(failed.length, 49);
        for (const f of failed) assert.equal(f.reason.name, 'UsernameExistsException', f.reason.message);
        const { Users } = await send(new ListUsersCommand({ UserPoolId: p }));
        assert.equal(Users.length, 1);
      });
    });

    describe('passwords: forgot, reset, confirm', () => {
      it('ForgotPassword + ConfirmForgotPassword set a new password; a code works once', async () => {
        const p = await pool();
        const c = await client(p);
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'kim', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'kim@example.com' }, { Name: 'email_verified', Value: 'true' }] }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'kim', Password: PASSWORD, Permanent: true }));
        const before = (await t.server.store.users.get(p, 'kim'))!.passwordHash;
        const r = await send(new ForgotPasswordCommand({ ClientId: c.ClientId, Username: 'kim' }));
        assert.deepEqual(r.CodeDeliveryDetails, { Destination: 'k***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
        const { code, kind } = await lastMessage(p, 'kim');
        assert.equal(kind, 'FORGOT_PASSWORD');
        await expectError(send(new ConfirmForgotPasswordCommand({ ClientId: c.ClientId, Username: 'kim', ConfirmationCode: code!, Password: 'weak' })), 'InvalidPasswordException');
        await send(new ConfirmForgotPasswordCommand({ ClientId: c.ClientId, Username: 'kim', ConfirmationCode: code!, Password: 'Another-Pass-42' }));
        assert.notEqual((await t.server.store.users.get(p, 'kim'))!.passwordHash, before);
        await expectError(send(new ConfirmForgotPasswordCommand({ ClientId: c.ClientId, Username: 'kim', ConfirmationCode: code!, Password: 'Third-Pass-42!' })), 'ExpiredCodeException');
      });

      it('AdminResetUserPassword makes the user RESET_REQUIRED until ConfirmForgotPassword', async () => {
        const p = await pool();
        const c = await client(p);
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'lee', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'lee@example.com' }, { Name: 'email_verified', Value: 'true' }] }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'lee', Password: PASSWORD, Permanent: true }));
        await send(new AdminResetUserPasswordCommand({ UserPoolId: p, Username: 'lee' }));
        assert.equal((await getUser(p, 'lee')).UserStatus, 'RESET_REQUIRED');
        const { code } = await lastMessage(p, 'lee');
        await send(new ConfirmForgotPasswordCommand({ ClientId: c.ClientId, Username: 'lee', ConfirmationCode: code!, Password: 'Brand-New-Pass-1' }));
        assert.equal((await getUser(p, 'lee')).UserStatus, 'CONFIRMED');
      });

      it('needs a verified email or phone, and refuses disabled users', async () => {
        const p = await pool();
        const c = await client(p);
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'mo', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'mo@example.com' }] }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'mo', Password: PASSWORD, Permanent: true }));
        await expectError(send(new ForgotPasswordCommand({ ClientId: c.ClientId, Username: 'mo' })), 'InvalidParameterException', 'Cannot reset password for the user as there is no registered/verified email or phone_number');
        await send(new AdminDisableUserCommand({ UserPoolId: p, Username: 'mo' }));
        await expectError(send(new ForgotPasswordCommand({ ClientId: c.ClientId, Username: 'mo' })), 'NotAuthorizedException', 'User is disabled.');
      });

      it('a user with a temporary password cannot reset it (ForgotPassword, AdminResetUserPassword)', async () => {
        // Cognito: NotAuthorizedException "User password cannot be reset in the current state." for
        // FORCE_CHANGE_PASSWORD users, email verified or not (amplify-js#2955, amazon-cognito-identity-js#532).
        const p = await pool();
        const c = await client(p);
        const hidden = await client(p, { PreventUserExistenceErrors: 'ENABLED' });
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'nia', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'nia@example.com' }, { Name: 'email_verified', Value: 'true' }] }));
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'ned', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'ned@example.com' }] }));
        const refused = ['NotAuthorizedException', 'User password cannot be reset in the current state.'] as const;
        for (const Username of ['nia', 'ned']) {
          await expectError(send(new ForgotPasswordCommand({ ClientId: c.ClientId, Username })), ...refused);
          await expectError(send(new ForgotPasswordCommand({ ClientId: hidden.ClientId, Username })), ...refused);
          await expectError(send(new AdminResetUserPasswordCommand({ UserPoolId: p, Username })), ...refused);
          assert.equal((await getUser(p, Username)).UserStatus, 'FORCE_CHANGE_PASSWORD');
        }
        assert.equal(await t.server.store.codes.get(p, 'nia', 'FORGOT_PASSWORD'), undefined, 'no code was issued');
        // Once the password is permanent, the reset works.
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'nia', Password: PASSWORD, Permanent: true }));
        await send(new ForgotPasswordCommand({ ClientId: c.ClientId, Username: 'nia' }));
        assert.equal((await lastMessage(p, 'nia')).kind, 'FORGOT_PASSWORD');
      });

      it('unknown users: UserNotFoundException under LEGACY, indistinguishable under ENABLED', async () => {
        const p = await pool();
        const legacy = await client(p);
        const hidden = await client(p, { PreventUserExistenceErrors: 'ENABLED' });
        await expectError(send(new ForgotPasswordCommand({ ClientId: legacy.ClientId, Username: 'nobody' })), 'UserNotFoundException', 'Username/client id combination not found.');
        await expectError(send(new ConfirmSignUpCommand({ ClientId: legacy.ClientId, Username: 'nobody', ConfirmationCode: '123456' })), 'UserNotFoundException');
        await expectError(send(new ResendConfirmationCodeCommand({ ClientId: legacy.ClientId, Username: 'nobody' })), 'UserNotFoundException');
        const r = await send(new ForgotPasswordCommand({ ClientId: hidden.ClientId, Username: 'nobody' }));
        assert.equal(r.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
        assert.match(r.CodeDeliveryDetails.Destination, /\*\*\*/);
        const rr = await send(new ResendConfirmationCodeCommand({ ClientId: hidden.ClientId, Username: 'nobody' }));
        assert.ok(rr.CodeDeliveryDetails.Destination);
        await expectError(send(new ConfirmForgotPasswordCommand({ ClientId: hidden.ClientId, Username: 'nobody', ConfirmationCode: '123456', Password: PASSWORD })), 'CodeMismatchException');
        await expectError(send(new ConfirmSignUpCommand({ ClientId: hidden.ClientId, Username: 'nobody', ConfirmationCode: '123456' })), 'CodeMismatchException');
        // A pool that verifies and recovers by phone answers SMS for unknown users too, with a masked
        // number that stays the same for the same name.
        const phonePool = await pool({
          AutoVerifiedAttributes: ['phone_number'],
          AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_phone_number', Priority: 1 }] },
        });
        const phoneClient = await client(phonePool, { PreventUserExistenceErrors: 'ENABLED' });
        const f1 = (await send(new ForgotPasswordCommand({ ClientId: phoneClient.ClientId, Username: 'nobody' }))).CodeDeliveryDetails;
        const f2 = (await send(new ForgotPasswordCommand({ ClientId: phoneClient.ClientId, Username: 'nobody' }))).CodeDeliveryDetails;
        assert.equal(f1.DeliveryMedium, 'SMS');
        assert.equal(f1.AttributeName, 'phone_number');
        assert.match(f1.Destination, /^\+\*+\d{4}$/);
        assert.equal(f2.Destination, f1.Destination);
        const s1 = (await send(new ResendConfirmationCodeCommand({ ClientId: phoneClient.ClientId, Username: 'nobody' }))).CodeDeliveryDetails;
        assert.equal(s1.DeliveryMedium, 'SMS');
      });
    });

    describe('the app client and what the user sees', () => {
      it("GetUser returns only the attributes the token's client may read (its ReadAttributes, sub always)", async () => {
        const p = await pool({ Schema: [{ Name: 'tier', AttributeDataType: 'String' }] });
        const limited = await client(p, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'], ReadAttributes: ['email', 'custom:tier'] });
        const open = await client(p, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] });
        const attrs = [
          { Name: 'email', Value: 'reader@example.com' },
          { Name: 'given_name', Value: 'Rea' },
          { Name: 'custom:tier', Value: 'gold' },
        ];
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'reader', UserAttributes: attrs, MessageAction: 'SUPPRESS' }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'reader', Password: PASSWORD, Permanent: true }));
        const signIn = async (ClientId: string) =>
          (await send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'reader', PASSWORD } })))
            .AuthenticationResult.AccessToken as string;
        const seen = async (ClientId: string) =>
          ((await send(new GetUserCommand({ AccessToken: await signIn(ClientId) }))).UserAttributes as { Name: string }[]).map((a) => a.Name).sort();
        assert.deepEqual(await seen(limited.ClientId), ['custom:tier', 'email', 'sub']);
        assert.deepEqual(await seen(open.ClientId), ['custom:tier', 'email', 'given_name', 'sub']);
      });

      it('every client may write the required attributes, even when its WriteAttributes leave them out', async () => {
        const p = await pool({ Schema: [{ Name: 'name', AttributeDataType: 'String', Required: true, Mutable: true }] });
        const c = await client(p, { WriteAttributes: ['email'] });
        const signUp = (attrs: { Name: string; Value: string }[], Username = 'req') =>
          send(new SignUpCommand({ ClientId: c.ClientId, Username, Password: PASSWORD, UserAttributes: attrs }));
        await signUp([{ Name: 'email', Value: 'req@example.com' }, { Name: 'name', Value: 'Req' }]);
        assert.equal(attr((await getUser(p, 'req')).UserAttributes, 'name'), 'Req');
        await expectError(
          signUp([{ Name: 'email', Value: 'req2@example.com' }, { Name: 'name', Value: 'Req' }, { Name: 'given_name', Value: 'R' }], 'req2'),
          'NotAuthorizedException',
          'A client attempted to write unauthorized attribute',
        );
      });
    });

    describe('usernames, aliases and case', () => {
      it('email as username: the username is a UUID, the email must be unique', async () => {
        const p = await pool({ UsernameAttributes: ['email'] });
        const c = await client(p);
        await expectError(send(new SignUpCommand({ ClientId: c.ClientId, Username: 'plainname', Password: PASSWORD })), 'InvalidParameterException', 'Username should be an email.');
        const r = await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'nina@example.com', Password: PASSWORD }));
        const g = await getUser(p, 'nina@example.com');
        assert.equal(g.Username, r.UserSub);
        assert.equal(attr(g.UserAttributes, 'email'), 'nina@example.com');
        await expectError(send(new SignUpCommand({ ClientId: c.ClientId, Username: 'NINA@example.com', Password: PASSWORD })), 'UsernameExistsException', 'An account with the given email already exists.');
        const { code } = await lastMessage(p, r.UserSub);
        await send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'nina@example.com', ConfirmationCode: code! }));
        assert.equal((await getUser(p, r.UserSub)).UserStatus, 'CONFIRMED');
      });

      it('an alias belongs to one confirmed user; ForceAliasCreation moves it', async () => {
        const p = await pool({ AliasAttributes: ['email', 'preferred_username'] });
        const c = await client(p);
        await expectError(send(new SignUpCommand({ ClientId: c.ClientId, Username: 'x@example.com', Password: PASSWORD })), 'InvalidParameterException', 'Username cannot be of email format, since user pool is configured for email alias.');
        const verified = (e: string) => [{ Name: 'email', Value: e }, { Name: 'email_verified', Value: 'true' }];
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'olga', MessageAction: 'SUPPRESS', UserAttributes: verified('shared@example.com') }));
        assert.equal((await getUser(p, 'shared@example.com')).Username, 'olga', 'found by alias');
        await expectError(
          send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'pete', MessageAction: 'SUPPRESS', UserAttributes: verified('shared@example.com') })),
          'AliasExistsException',
          'An account with the given email already exists.',
        );
        // an unconfirmed sign-up may use the address; confirming it collides
        await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'quinn', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'shared@example.com' }] }));
        const { code } = await lastMessage(p, 'quinn');
        await expectError(send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'quinn', ConfirmationCode: code! })), 'AliasExistsException');
        await send(new ResendConfirmationCodeCommand({ ClientId: c.ClientId, Username: 'quinn' }));
        const again = await lastMessage(p, 'quinn');
        await send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'quinn', ConfirmationCode: again.code!, ForceAliasCreation: true }));
        assert.equal((await getUser(p, 'shared@example.com')).Username, 'quinn', 'the alias moved');
        const olga = await getUser(p, 'olga');
        assert.equal(attr(olga.UserAttributes, 'email_verified'), 'false');
      });

      it('ConfirmSignUp refused with AliasExistsException leaves the code usable for the retry with ForceAliasCreation', async () => {
        const p = await pool({ AliasAttributes: ['email'] });
        const c = await client(p);
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'rae', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'taken@example.com' }, { Name: 'email_verified', Value: 'true' }] }));
        await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'ray', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'taken@example.com' }] }));
        const { code } = await lastMessage(p, 'ray');
        await expectError(send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'ray', ConfirmationCode: code! })), 'AliasExistsException', 'An account with the given email already exists.');
        assert.equal((await getUser(p, 'ray')).UserStatus, 'UNCONFIRMED');
        await send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'ray', ConfirmationCode: code!, ForceAliasCreation: true }));
        assert.equal((await getUser(p, 'ray')).UserStatus, 'CONFIRMED');
        assert.equal((await getUser(p, 'taken@example.com')).Username, 'ray');
        assert.equal(await t.server.store.codes.get(p, 'ray', 'SIGN_UP'), undefined, 'the code was used');
      });

      it('case-insensitive pools compare usernames without case', async () => {
        const p = await pool({ UsernameConfiguration: { CaseSensitive: false } });
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'Rita', MessageAction: 'SUPPRESS' }));
        await expectError(send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'rita', MessageAction: 'SUPPRESS' })), 'UsernameExistsException');
        const g = await getUser(p, 'RITA');
        assert.equal(g.Username, 'Rita');
        const sensitive = await pool();
        await send(new AdminCreateUserCommand({ UserPoolId: sensitive, Username: 'Sam', MessageAction: 'SUPPRESS' }));
        await send(new AdminCreateUserCommand({ UserPoolId: sensitive, Username: 'sam', MessageAction: 'SUPPRESS' }));
        await expectError(getUser(sensitive, 'SAM'), 'UserNotFoundException');
        await expectError(send(new AdminConfirmSignUpCommand({ UserPoolId: sensitive, Username: 'sam' })), 'NotAuthorizedException', 'User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD');
      });
    });

    describe('a pool and its users', () => {
      const user = (poolId: string, name: string) => {
        const now = Date.now();
        return {
          poolId, username: name, usernameKey: name, sub: randomUUID(), status: 'CONFIRMED' as const, enabled: true,
          attributes: { email: `${name}@example.com` }, passwordHash: null, srpVerifier: null, passwordUpdatedAt: null, mfa: {}, extra: {}, createdAt: now, updatedAt: now,
        };
      };

      it('DeleteUserPool deletes its users, with their aliases, tokens and memberships', async () => {
        const p = await pool({ AliasAttributes: ['email'] });
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'gone', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'gone@example.com' }, { Name: 'email_verified', Value: 'true' }] }));
        await t.server.store.users.insertMany([user(p, 'bulk1'), user(p, 'bulk2')]);
        assert.equal(await t.server.store.users.count(p), 3);
        await send(new DeleteUserPoolCommand({ UserPoolId: p }));
        assert.equal(await t.server.store.users.count(p), 0);
        assert.equal(await t.server.store.users.getByAlias(p, 'email', 'gone@example.com'), undefined);
      });

      it('a user written while the pool is deleted goes with it; none is written into a deleted pool', async () => {
        const p = await pool();
        // A transaction that writes users and is still open when DeleteUserPool comes: the delete waits
        // for it (SQLite: one transaction at a time; PostgreSQL: the pool row's lock), then deletes them.
        let inside!: () => void;
        const entered = new Promise<void>((r) => (inside = r));
        const writing = t.server.store.transaction(async (tx) => {
          await tx.users.insertMany([user(p, 'late1'), user(p, 'late2')]);
          inside();
          await new Promise((r) => setTimeout(r, 300));
        });
        await entered;
        await send(new DeleteUserPoolCommand({ UserPoolId: p }));
        await writing;
        assert.equal(await t.server.store.users.count(p), 0, 'no user left without its pool');
        await assert.rejects(t.server.store.users.insertMany([user(p, 'after')]));
        await assert.rejects(t.server.store.users.insert(user(p, 'after')));
        assert.equal(await t.server.store.users.count(p), 0);
      });
    });

    describe('ListUsers', () => {
      let p: string;
      before(async () => {
        p = await pool();
        for (let i = 0; i < 23; i++) {
          const n = String(i).padStart(2, '0');
          await send(
            new AdminCreateUserCommand({
              UserPoolId: p,
              Username: `user${n}`,
              MessageAction: 'SUPPRESS',
              TemporaryPassword: PASSWORD,
              UserAttributes: [{ Name: 'email', Value: `user${n}@${i % 2 ? 'odd' : 'even'}.example` }, { Name: 'given_name', Value: i < 5 ? 'Ann' : 'Ben' }],
            }),
          );
        }
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'user03', Password: PASSWORD, Permanent: true }));
        await send(new AdminDisableUserCommand({ UserPoolId: p, Username: 'user04' }));
      });

      async function all(filter?: string, limit = 7) {
        const names: string[] = [];
        let token: string | undefined;
        do {
          const r = await send(new ListUsersCommand({ UserPoolId: p, Filter: filter, Limit: limit, PaginationToken: token }));
          assert.ok(r.Users.length <= limit);
          names.push(...r.Users.map((u: any) => u.Username));
          token = r.PaginationToken;
        } while (token);
        return names;
      }

      it('pages through every user once, in a stable order', async () => {
        const names = await all();
        assert.equal(names.length, 23);
        assert.equal(new Set(names).size, 23);
        assert.deepEqual(names, [...names].sort());
      });

      it('filters with = and ^= on attributes, username, status and sub', async () => {
        assert.deepEqual(await all('email = "user07@odd.example"'), ['user07']);
        assert.deepEqual(await all('email ^= "user1"', 3), ['user10', 'user11', 'user12', 'user13', 'user14', 'user15', 'user16', 'user17', 'user18', 'user19']);
        assert.equal((await all('given_name = "Ann"')).length, 5);
        assert.deepEqual(await all('username ^= "user2"'), ['user20', 'user21', 'user22']);
        assert.deepEqual(await all('cognito:user_status = "CONFIRMED"'), ['user03']);
        // cognito:user_status is case-insensitive, status is not (the model's ListUsers.Filter text).
        assert.deepEqual(await all('cognito:user_status = "confirmed"'), ['user03']);
        assert.deepEqual(await all('cognito:user_status ^= "Force_"', 6), (await all()).filter((u) => u !== 'user03'));
        assert.deepEqual(await all('status = "Disabled"'), ['user04']);
        assert.deepEqual(await all('status = "disabled"'), []);
        const g = await getUser(p, 'user05');
        assert.deepEqual(await all(`sub = "${attr(g.UserAttributes, 'sub')}"`), ['user05']);
        assert.deepEqual(await all('email = "nobody@example.com"'), []);
      });

      it('pages through = and ^= filters on the statuses and sub in (value, username) order', async () => {
        const everyone = await all();
        const others = everyone.filter((u) => u !== 'user04');
        assert.deepEqual(await all('status = "Enabled"', 4), others);
        // Disabled sorts before Enabled.
        assert.deepEqual(await all('status ^= ""', 3), ['user04', ...others]);
        assert.deepEqual(await all('status ^= "En"', 5), others);
        assert.deepEqual(await all('status ^= "enabled"'), []);
        // CONFIRMED (user03) before FORCE_CHANGE_PASSWORD (the others).
        const forced = everyone.filter((u) => u !== 'user03');
        assert.deepEqual(await all('cognito:user_status ^= ""', 4), ['user03', ...forced]);
        assert.deepEqual(await all('cognito:user_status ^= "FORCE_"', 6), forced);
        assert.deepEqual(await all('cognito:user_status = "FORCE_CHANGE_PASSWORD"', 5), forced);
        assert.deepEqual(await all('cognito:user_status ^= "X"'), []);
        // sub: ordered by the sub itself.
        const subs = new Map<string, string>();
        for (const u of everyone) subs.set(attr((await getUser(p, u)).UserAttributes, 'sub')!, u);
        const bySub = [...subs.keys()].sort().map((k) => subs.get(k)!);
        assert.deepEqual(await all('sub ^= ""', 4), bySub);
        const first = [...subs.keys()].sort()[0]![0]!;
        assert.deepEqual(
          await all(`sub ^= "${first}"`, 1),
          [...subs.keys()].filter((k) => k.startsWith(first)).sort().map((k) => subs.get(k)!),
        );
        // An attribute prefix across values, and one value with many users.
        assert.deepEqual(await all('email ^= "user"', 4), everyone);
        assert.deepEqual(await all('given_name = "Ben"', 4), everyone.slice(5));
        assert.deepEqual(await all('given_name ^= ""', 4), [...everyone.slice(0, 5), ...everyone.slice(5)]);
        assert.deepEqual(await all('username ^= "user1"', 4), everyone.filter((u) => u.startsWith('user1')));
        assert.deepEqual(await all('username ^= "USER1"'), []);
        // A case-insensitive pool compares usernames by their key, and lists them as created.
        const ci = await pool({ UsernameConfiguration: { CaseSensitive: false } });
        for (const n of ['Alice', 'alina', 'ALBERT', 'bob']) {
          await send(new AdminCreateUserCommand({ UserPoolId: ci, Username: n, MessageAction: 'SUPPRESS' }));
        }
        const names = async (Filter: string) => (await send(new ListUsersCommand({ UserPoolId: ci, Filter, Limit: 2 }))).Users.map((u: any) => u.Username);
        assert.deepEqual(await names('username ^= "AL"'), ['ALBERT', 'Alice']);
        assert.deepEqual(await names('username = "ALINA"'), ['alina']);
      });

      it('filters follow changes to attributes, statuses and deletions', async () => {
        const q = await pool();
        for (const n of ['a1', 'a2', 'a3']) {
          await send(new AdminCreateUserCommand({ UserPoolId: q, Username: n, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${n}@x.example` }, { Name: 'name', Value: 'Old' }] }));
        }
        const list = async (Filter: string) => (await send(new ListUsersCommand({ UserPoolId: q, Filter }))).Users.map((u: any) => u.Username);
        await send(new AdminUpdateUserAttributesCommand({ UserPoolId: q, Username: 'a2', UserAttributes: [{ Name: 'name', Value: 'New' }, { Name: 'email', Value: 'changed@x.example' }] }));
        assert.deepEqual(await list('name = "Old"'), ['a1', 'a3']);
        assert.deepEqual(await list('name = "New"'), ['a2']);
        assert.deepEqual(await list('email = "a2@x.example"'), []);
        assert.deepEqual(await list('email = "changed@x.example"'), ['a2']);
        await send(new AdminDeleteUserAttributesCommand({ UserPoolId: q, Username: 'a3', UserAttributeNames: ['name'] }));
        assert.deepEqual(await list('name ^= ""'), ['a2', 'a1']);
        await send(new AdminDisableUserCommand({ UserPoolId: q, Username: 'a1' }));
        assert.deepEqual(await list('status = "Disabled"'), ['a1']);
        assert.deepEqual(await list('status = "Enabled"'), ['a2', 'a3']);
        await send(new AdminSetUserPasswordCommand({ UserPoolId: q, Username: 'a3', Password: PASSWORD, Permanent: true }));
        assert.deepEqual(await list('cognito:user_status = "CONFIRMED"'), ['a3']);
        await send(new AdminDeleteUserCommand({ UserPoolId: q, Username: 'a1' }));
        assert.deepEqual(await list('status = "Disabled"'), []);
        assert.deepEqual(await list('name = "Old"'), []);
        assert.deepEqual(await list('email ^= "a"'), ['a3']);
      });

      it('walks a 10,000-user pool page by page with no user missing or repeated', async () => {
        const big = await pool();
        const hash = (await t.server.store.users.get(p, 'user01'))!.passwordHash;
        const now = Date.now();
        // In random order (as an import's rows come), with a status and an enabled flag that vary.
        const users = Array.from({ length: 10_000 }, (_, j) => ({
          poolId: big, username: `u${j}`, usernameKey: `u${j}`, sub: randomUUID(), status: j % 7 === 0 ? ('RESET_REQUIRED' as const) : ('CONFIRMED' as const), enabled: j % 13 !== 0,
          attributes: { email: `u${j}@example.com`, given_name: j % 10 === 0 ? 'Ten' : 'Other' },
          passwordHash: hash, srpVerifier: null, passwordUpdatedAt: now, mfa: {}, extra: {}, createdAt: now, updatedAt: now,
        }));
        users.sort(() => Math.random() - 0.5);
        for (let i = 0; i < users.length; i += 2_500) await t.server.store.users.insertMany(users.slice(i, i + 2_500));
        const walk = async (Filter?: string) => {
          const seen = new Set<string>();
          let token: string | undefined;
          let pages = 0;
          do {
            const r = await send(new ListUsersCommand({ UserPoolId: big, Limit: 60, PaginationToken: token, Filter }));
            for (const u of r.Users) {
              assert.ok(!seen.has(u.Username), `${u.Username} repeated`);
              seen.add(u.Username);
            }
            token = r.PaginationToken;
            pages++;
          } while (token);
          return { seen, pages };
        };
        const all = await walk();
        assert.equal(all.seen.size, 10_000);
        assert.equal(all.pages, Math.ceil(10_000 / 60));
        const tens = await walk('given_name = "Ten"');
        assert.equal(tens.seen.size, 1000);
        assert.ok([...tens.seen].every((u) => Number(u.slice(1)) % 10 === 0));
        // Prefix filters, whose pages each start inside a range at the cursor.
        const expect = (pred: (j: number) => boolean) => Array.from({ length: 10_000 }, (_, j) => j).filter(pred).length;
        assert.equal((await walk('email ^= "u"')).seen.size, 10_000);
        assert.equal((await walk('email ^= "u1"')).seen.size, expect((j) => String(j).startsWith('1')));
        assert.equal((await walk('username ^= "u"')).seen.size, 10_000);
        assert.equal((await walk('sub ^= ""')).seen.size, 10_000);
        const reset = await walk('cognito:user_status ^= "RESET"');
        assert.equal(reset.seen.size, expect((j) => j % 7 === 0));
        assert.ok([...reset.seen].every((u) => Number(u.slice(1)) % 7 === 0));
        assert.equal((await walk('cognito:user_status ^= ""')).seen.size, 10_000);
        const disabled = await walk('status = "Disabled"');
        assert.equal(disabled.seen.size, expect((j) => j % 13 === 0));
        assert.equal((await walk('status = "Enabled"')).seen.size, expect((j) => j % 13 !== 0));
        assert.equal((await walk('status ^= ""')).seen.size, 10_000);

        // Every filter reads an index from the cursor on: no scan of the pool's users, no sort.
        if (backend.name === 'postgres') {
          // Plans as a settled database has them (statistics; autovacuum would gather them later).
          const pg = (await import('pg')).default;
          const c = new pg.Client({ connectionString: t.config.databaseUrl });
          await c.connect();
          await c.query(`analyze ${t.config.databaseSchema}.users`);
          await c.end();
        }
        const sub = users[0]!.sub;
        const cases: [string, string][] = [
          ['username', 'u12'], ['sub', sub], ['sub', sub.slice(0, 2)], ['cognito:user_status', 'RESET_REQUIRED'], ['cognito:user_status', 'C'],
          ['status', 'Disabled'], ['status', 'E'], ['email', 'u1'], ['email', 'u12@example.com'], ['given_name', 'Ten'], ['given_name', 'T'],
          ['phone_number', '+1'], ['name', 'A'], ['family_name', 'B'], ['preferred_username', 'c'],
        ];
        for (const [attrName, value] of cases) {
          for (const prefix of [false, true]) {
            for (const after of [undefined, JSON.stringify([value, 'u5'])]) {
              const filter = { attr: attrName, value, prefix };
              const plans = await t.server.store.users.explainList(big, filter, after);
              for (const plan of plans) {
                const what = `${attrName} ${prefix ? '^=' : '='} "${value}"${after ? ' after a cursor' : ''}: ${plan}`;
                if (backend.name === 'sqlite') {
                  assert.match(plan, /SEARCH users USING (COVERING )?INDEX \w+ \(pool_id=\? AND /, what);
                  assert.doesNotMatch(plan, /SCAN|TEMP B-TREE/, what);
                } else {
                  assert.match(plan, /Index Scan using \w+ on users/, what);
                  assert.doesNotMatch(plan, /Seq Scan|Sort|Bitmap/, what);
                }
              }
            }
          }
        }
      });

      it('returns only AttributesToGet, and refuses bad filters', async () => {
        const r = await send(new ListUsersCommand({ UserPoolId: p, Limit: 2, AttributesToGet: ['email'] }));
        assert.deepEqual(r.Users[0].Attributes.map((a: any) => a.Name), ['email']);
        assert.equal(r.Users[0].Username, 'user00');
        assert.equal(r.Users[0].UserStatus, 'FORCE_CHANGE_PASSWORD');
        // Cognito refuses a requested attribute that is not in the schema or that a user of the results lacks.
        const missing = ['InvalidParameterException', 'One or more requested attributes do not exist.'] as const;
        await expectError(send(new ListUsersCommand({ UserPoolId: p, AttributesToGet: ['email', 'family_name'] })), ...missing);
        await expectError(send(new ListUsersCommand({ UserPoolId: p, AttributesToGet: ['custom:nope'] })), ...missing);
        const given = await send(new ListUsersCommand({ UserPoolId: p, Filter: 'given_name = "Ann"', AttributesToGet: ['given_name', 'sub'] }));
        assert.equal(given.Users.length, 5);
        assert.deepEqual(given.Users[0].Attributes.map((a: any) => a.Name), ['sub', 'given_name']);
        await expectError(send(new ListUsersCommand({ UserPoolId: p, Filter: 'given_name = "Ann"', AttributesToGet: ['email_verified'] })), ...missing);
        await expectError(send(new ListUsersCommand({ UserPoolId: p, Filter: 'custom:x = "1"' })), 'InvalidParameterException', /Invalid search attribute: custom:x/);
        await expectError(send(new ListUsersCommand({ UserPoolId: p, Filter: 'email == nope' })), 'InvalidParameterException', 'Error while parsing filter.');
        // Cognito's one text for a filter it cannot parse (aws/aws-sdk-php#1088: Filter 'foo').
        for (const Filter of ['foo', 'email = unquoted', "email = 'single'", 'email = "a" and name = "b"', 'email != "x"']) {
          await expectError(send(new ListUsersCommand({ UserPoolId: p, Filter })), 'InvalidParameterException', 'Error while parsing filter.');
        }
        await expectError(send(new ListUsersCommand({ UserPoolId: p, Limit: 61 })), 'InvalidParameterException', /Member must have value less than or equal to 60/);
        await expectError(send(new ListUsersCommand({ UserPoolId: p, PaginationToken: 'forged' })), 'InvalidParameterException');
      });
    });
  });
}
