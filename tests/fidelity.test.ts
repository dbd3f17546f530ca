/**
 * Fidelity fixes found by an outside conformance suite (issue 20), through the real SDK on both
 * stores: Boolean attribute values in any case, standard and custom schema attributes and their
 * constraints, AddCustomAttributes and AdminDeleteUserAttributes texts, the password policy's text
 * by operation, the schema error's trailing newline, and ForgotPassword in an admin_only pool.
 * docs/decisions.md ("Fidelity fixes (issue 20)") has the evidence for each.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import {
  AddCustomAttributesCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  SignUpCommand,
  type CreateUserPoolCommandInput,
  type SchemaAttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';

const PASSWORD = 'secretP2ss!';
const attr = (list: { Name?: string; Value?: string }[] | undefined, name: string) => list?.find((a) => a.Name === name)?.Value;

for (const backend of await backends()) {
  describe(`fidelity (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    async function pool(input: Partial<CreateUserPoolCommandInput> = {}) {
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'fidelity', ...input }));
      return UserPool.Id as string;
    }
    async function client(poolId: string, extra: Record<string, unknown> = {}) {
      const { UserPoolClient } = await send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], ...extra }),
      );
      return UserPoolClient.ClientId as string;
    }
    /** A CONFIRMED user with a permanent password and the attributes given. */
    async function confirmedUser(poolId: string, username: string, attributes: { Name: string; Value: string }[]) {
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, UserAttributes: attributes, MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    }
    const createPool = (Schema: SchemaAttributeType[]) => send(new CreateUserPoolCommand({ PoolName: 'schema', Schema }));

    describe('1. Boolean attribute values in any case', () => {
      it('email_verified "True" is accepted, kept as written, and counts as verified for ForgotPassword', async () => {
        // The outside suite's case, which AWS ran (getmoto/moto test_forgot_password_with_email_delivery_details).
        const p = await pool({ AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] } });
        const c = await client(p);
        await send(
          new AdminCreateUserCommand({ UserPoolId: p, Username: 'tess', UserAttributes: [{ Name: 'email', Value: 'test@test.com' }, { Name: 'email_verified', Value: 'True' }] }),
        );
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'tess', Password: PASSWORD, Permanent: true }));
        const r = await send(new ForgotPasswordCommand({ ClientId: c, Username: 'tess' }));
        assert.deepEqual(r.CodeDeliveryDetails, { Destination: 't***@t***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
        // Cognito keeps the value as written: GetUser answered "True" to amplify-js (amplify-js#8205).
        const g = await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'tess' }));
        assert.equal(attr(g.UserAttributes, 'email_verified'), 'True');
      });

      it('phone_number_verified "TRUE" is the verified phone of the recovery order; "fAlSe" is accepted and is false', async () => {
        const p = await pool();
        const c = await client(p);
        await confirmedUser(p, 'phil', [
          { Name: 'email', Value: 'phil@example.com' },
          { Name: 'email_verified', Value: 'fAlSe' },
          { Name: 'phone_number', Value: '+15555550100' },
          { Name: 'phone_number_verified', Value: 'TRUE' },
        ]);
        const r = await send(new ForgotPasswordCommand({ ClientId: c, Username: 'phil' }));
        assert.deepEqual(r.CodeDeliveryDetails, { Destination: '+*******0100', DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
        await send(new AdminUpdateUserAttributesCommand({ UserPoolId: p, Username: 'phil', UserAttributes: [{ Name: 'phone_number_verified', Value: 'False' }] }));
        // Neither is verified now: no channel.
        await expectError(
          send(new ForgotPasswordCommand({ ClientId: c, Username: 'phil' })),
          'InvalidParameterException',
          'Cannot reset password for the user as there is no registered/verified email or phone_number',
        );
      });

      it('the ID token carries the boolean; an email alias held through "True" signs in; "True" with a changed email keeps it verified', async () => {
        const p = await pool({ AliasAttributes: ['email'] });
        const c = await client(p);
        await confirmedUser(p, 'ida', [
          { Name: 'email', Value: 'ida@example.com' },
          { Name: 'email_verified', Value: 'True' },
        ]);
        const r = await send(new InitiateAuthCommand({ ClientId: c, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ida@example.com', PASSWORD } }));
        const id = decodeJwt(r.AuthenticationResult.IdToken);
        assert.equal(id['cognito:username'], 'ida');
        assert.equal(id.email_verified, true);
        // A new email marked verified in the same request (any case) is not un-verified.
        await send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: p,
            Username: 'ida',
            UserAttributes: [
              { Name: 'email', Value: 'ida2@example.com' },
              { Name: 'email_verified', Value: 'TRUE' },
            ],
          }),
        );
        const g = await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'ida' }));
        assert.equal(attr(g.UserAttributes, 'email'), 'ida2@example.com');
        assert.equal(attr(g.UserAttributes, 'email_verified'), 'TRUE');
        const again = await send(
          new AdminInitiateAuthCommand({ UserPoolId: p, ClientId: c, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ida2@example.com', PASSWORD } }),
        );
        assert.equal(decodeJwt(again.AuthenticationResult.IdToken).email_verified, true);
      });

      it('custom Boolean attributes take true/false in any case; anything else is a schema error', async () => {
        const p = await pool({ Schema: [{ Name: 'vip', AttributeDataType: 'Boolean' }] });
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'bo', UserAttributes: [{ Name: 'custom:vip', Value: 'False' }], MessageAction: 'SUPPRESS' }));
        await send(new AdminUpdateUserAttributesCommand({ UserPoolId: p, Username: 'bo', UserAttributes: [{ Name: 'custom:vip', Value: 'TRUE' }] }));
        const g = await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'bo' }));
        assert.equal(attr(g.UserAttributes, 'custom:vip'), 'TRUE');
        await expectError(
          send(new AdminUpdateUserAttributesCommand({ UserPoolId: p, Username: 'bo', UserAttributes: [{ Name: 'custom:vip', Value: 'yes' }] })),
          'InvalidParameterException',
          "Attributes did not conform to the schema: custom:vip: Attribute must be 'true' or 'false'.\n",
        );
      });
    });

    describe('2. and 3. Standard and custom attributes in a Schema', () => {
      it('a standard attribute with another data type or developer-only: one text for both', async () => {
        for (const a of [{ Name: 'email', AttributeDataType: 'Number' as const }, { Name: 'email', DeveloperOnlyAttribute: true }]) {
          await expectError(createPool([a]), 'InvalidParameterException', 'You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email');
        }
        await expectError(
          createPool([{ Name: 'updated_at', AttributeDataType: 'String' }]),
          'InvalidParameterException',
          'You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute updated_at',
        );
      });

      it('a custom attribute without AttributeDataType is refused on CreateUserPool and AddCustomAttributes; a standard one is accepted', async () => {
        const text = 'Invalid AttributeDataType input, consider using the provided AttributeDataType enum.';
        await expectError(createPool([{ Name: 'custom' }]), 'InvalidParameterException', text);
        const { UserPool } = await createPool([{ Name: 'email', Required: true }]);
        assert.equal(UserPool.SchemaAttributes.find((a: any) => a.Name === 'email').Required, true);
        assert.equal(UserPool.SchemaAttributes.find((a: any) => a.Name === 'email').AttributeDataType, 'String');
        await expectError(send(new AddCustomAttributesCommand({ UserPoolId: UserPool.Id, CustomAttributes: [{ Name: 'plan' }] })), 'InvalidParameterException', text);
        const { UserPool: d } = await send(new DescribeUserPoolCommand({ UserPoolId: UserPool.Id }));
        assert.equal(d.SchemaAttributes.some((a: any) => a.Name === 'custom:plan'), false, 'nothing was added');
      });
    });

    describe('4. AddCustomAttributes with a name the pool has', () => {
      it('the text starts with the requested name and names the existing attribute', async () => {
        const p = await pool({ Schema: [{ Name: 'banana', AttributeDataType: 'String' }] });
        await expectError(
          send(new AddCustomAttributesCommand({ UserPoolId: p, CustomAttributes: [{ Name: 'banana', AttributeDataType: 'String' }] })),
          'InvalidParameterException',
          'custom:banana: Existing attribute already has name custom:banana.',
        );
        const dev = await pool({ Schema: [{ Name: 'banana', AttributeDataType: 'String', DeveloperOnlyAttribute: true }] });
        await expectError(
          send(new AddCustomAttributesCommand({ UserPoolId: dev, CustomAttributes: [{ Name: 'banana', AttributeDataType: 'String', DeveloperOnlyAttribute: true }] })),
          'InvalidParameterException',
          'custom:banana: Existing attribute already has name dev:custom:banana.',
        );
        // The same name without the developer-only flag is the same attribute name.
        await expectError(
          send(new AddCustomAttributesCommand({ UserPoolId: dev, CustomAttributes: [{ Name: 'banana', AttributeDataType: 'String' }] })),
          'InvalidParameterException',
          'custom:banana: Existing attribute already has name dev:custom:banana.',
        );
        // Twice in one request.
        await expectError(
          send(new AddCustomAttributesCommand({ UserPoolId: p, CustomAttributes: [{ Name: 'kiwi', AttributeDataType: 'String' }, { Name: 'kiwi', AttributeDataType: 'Number' }] })),
          'InvalidParameterException',
          'custom:kiwi: Existing attribute already has name custom:kiwi.',
        );
        const { UserPool } = await send(new DescribeUserPoolCommand({ UserPoolId: p }));
        assert.equal(UserPool.SchemaAttributes.some((a: any) => a.Name === 'custom:kiwi'), false, 'a refused request adds nothing');
      });
    });

    describe('5. AdminDeleteUserAttributes', () => {
      it('an unknown user is UserNotFoundException before the names are looked at', async () => {
        const p = await pool();
        await expectError(
          send(new AdminDeleteUserAttributesCommand({ UserPoolId: p, Username: 'nobody', UserAttributeNames: ['nickname', 'custom:foo'] })),
          'UserNotFoundException',
          'User does not exist.',
        );
        await expectError(
          send(new AdminDeleteUserAttributesCommand({ UserPoolId: 'us-east-1_aaaaaaaa', Username: 'nobody', UserAttributeNames: ['nickname'] })),
          'ResourceNotFoundException',
          'User pool us-east-1_aaaaaaaa does not exist.',
        );
      });

      it('names outside the schema: "Invalid user attributes: " and one line a name, each ending with a newline; nothing is deleted', async () => {
        const p = await pool();
        await send(
          new AdminCreateUserCommand({
            UserPoolId: p,
            Username: 'doe',
            MessageAction: 'SUPPRESS',
            UserAttributes: [
              { Name: 'family_name', Value: 'Doe' },
              { Name: 'nickname', Value: 'Joe' },
            ],
          }),
        );
        await expectError(
          send(new AdminDeleteUserAttributesCommand({ UserPoolId: p, Username: 'doe', UserAttributeNames: ['nickname', 'custom:foo'] })),
          'InvalidParameterException',
          'Invalid user attributes: user.custom:foo: Attribute does not exist in the schema.\n',
        );
        await expectError(
          send(new AdminDeleteUserAttributesCommand({ UserPoolId: p, Username: 'doe', UserAttributeNames: ['nickname', 'custom:foo', 'custom:bar'] })),
          'InvalidParameterException',
          'Invalid user attributes: user.custom:foo: Attribute does not exist in the schema.\nuser.custom:bar: Attribute does not exist in the schema.\n',
        );
        let g = await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'doe' }));
        assert.equal(attr(g.UserAttributes, 'nickname'), 'Joe', 'a refused request deletes nothing');
        await send(new AdminDeleteUserAttributesCommand({ UserPoolId: p, Username: 'doe', UserAttributeNames: ['nickname'] }));
        g = await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'doe' }));
        assert.equal(attr(g.UserAttributes, 'nickname'), undefined);
        assert.equal(attr(g.UserAttributes, 'family_name'), 'Doe');
      });
    });

    describe('6. The password policy text by operation', () => {
      it('AdminCreateUser: "with password policy"; SignUp, AdminSetUserPassword, ChangePassword: "with policy"; ConfirmForgotPassword: "does not conform to policy"', async () => {
        const p = await pool();
        const c = await client(p);
        await expectError(
          send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'tmp', TemporaryPassword: 'NoNumbers!!', MessageAction: 'SUPPRESS' })),
          'InvalidPasswordException',
          'Password did not conform with password policy: Password must have numeric characters',
        );
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'tmp', MessageAction: 'SUPPRESS' }));
        await expectError(
          send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'tmp', MessageAction: 'RESEND', TemporaryPassword: 'short' })),
          'InvalidPasswordException',
          'Password did not conform with password policy: Password not long enough',
        );
        await expectError(
          send(new SignUpCommand({ ClientId: c, Username: 'sig', Password: 'NoNumbers!!' })),
          'InvalidPasswordException',
          'Password did not conform with policy: Password must have numeric characters',
        );
        await expectError(
          send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'tmp', Password: 'NoNumbers!!', Permanent: true })),
          'InvalidPasswordException',
          'Password did not conform with policy: Password must have numeric characters',
        );
        await confirmedUser(p, 'cfp', [
          { Name: 'email', Value: 'cfp@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ]);
        await send(new ForgotPasswordCommand({ ClientId: c, Username: 'cfp' }));
        await expectError(
          send(new ConfirmForgotPasswordCommand({ ClientId: c, Username: 'cfp', ConfirmationCode: '123456', Password: 'nonumbers!!A' })),
          'InvalidPasswordException',
          'Password does not conform to policy: Password must have numeric characters',
        );
        const signedIn = await send(new InitiateAuthCommand({ ClientId: c, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'cfp', PASSWORD } }));
        await expectError(
          send(new ChangePasswordCommand({ AccessToken: signedIn.AuthenticationResult.AccessToken, PreviousPassword: PASSWORD, ProposedPassword: 'NoNumbers!!' })),
          'InvalidPasswordException',
          'Password did not conform with policy: Password must have numeric characters',
        );
      });
    });

    describe('7. The schema error ends with a newline', () => {
      it('each problem is a line ending with a newline', async () => {
        const p = await pool({ Schema: [{ Name: 'name', Required: true }] });
        await expectError(
          send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'x', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'custom:a', Value: '1' }, { Name: 'custom:b', Value: '2' }] })),
          'InvalidParameterException',
          'Attributes did not conform to the schema: custom:a: Attribute does not exist in the schema.\ncustom:b: Attribute does not exist in the schema.\n',
        );
        await expectError(
          send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'x', MessageAction: 'SUPPRESS' })),
          'InvalidParameterException',
          'Attributes did not conform to the schema: name: The attribute is required\n',
        );
      });
    });

    describe('8. NumberAttributeConstraints and StringAttributeConstraints are validated', () => {
      it('values that are not whole numbers, on standard and custom attributes', async () => {
        const cases: [SchemaAttributeType, string][] = [
          [{ Name: 'email', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: 'invalid_value' } }, 'Invalid StringAttributeConstraints for schema attribute email'],
          [{ Name: 'email', AttributeDataType: 'String', StringAttributeConstraints: { MaxLength: 'invalid_value' } }, 'Invalid StringAttributeConstraints for schema attribute email'],
          [{ Name: 'updated_at', AttributeDataType: 'Number', NumberAttributeConstraints: { MaxValue: 'invalid_value' } }, 'Invalid NumberAttributeConstraints for schema attribute updated_at'],
          [{ Name: 'updated_at', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: 'invalid_value' } }, 'Invalid NumberAttributeConstraints for schema attribute updated_at'],
          [{ Name: 'updated_at', NumberAttributeConstraints: { MaxValue: '1.5' } }, 'Invalid NumberAttributeConstraints for schema attribute updated_at'],
          [{ Name: 'nick', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: '-1' } }, 'Invalid StringAttributeConstraints for schema attribute custom:nick'],
          [{ Name: 'age', AttributeDataType: 'Number', NumberAttributeConstraints: { MaxValue: 'ten' } }, 'Invalid NumberAttributeConstraints for schema attribute custom:age'],
          [
            { Name: 'age', AttributeDataType: 'Number', DeveloperOnlyAttribute: true, NumberAttributeConstraints: { MinValue: '1e3' } },
            'Invalid NumberAttributeConstraints for schema attribute dev:custom:age',
          ],
        ];
        for (const [a, text] of cases) await expectError(createPool([a]), 'InvalidParameterException', text);
      });

      it('String lengths at most 2048; the minimum no greater than the maximum', async () => {
        for (const c of [{ MinLength: '2049' }, { MaxLength: '2049' }]) {
          await expectError(
            createPool([{ Name: 'email', AttributeDataType: 'String', StringAttributeConstraints: c }]),
            'InvalidParameterException',
            'user.email: String attributes cannot have a length of more than 2048',
          );
        }
        await expectError(
          createPool([{ Name: 'email', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: '2', MaxLength: '1' } }]),
          'InvalidParameterException',
          'user.email: Max length cannot be less than min length.',
        );
        // A standard attribute's own bounds count: birthdate is 10 to 10.
        await expectError(createPool([{ Name: 'birthdate', StringAttributeConstraints: { MinLength: '11' } }]), 'InvalidParameterException', 'user.birthdate: Max length cannot be less than min length.');
        await expectError(
          createPool([{ Name: 'updated_at', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '2', MaxValue: '1' } }]),
          'InvalidParameterException',
          'user.updated_at: Max value cannot be less than min value.',
        );
        await expectError(
          createPool([{ Name: 'score', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '10', MaxValue: '-10' } }]),
          'InvalidParameterException',
          'user.custom:score: Max value cannot be less than min value.',
        );
      });

      it('AddCustomAttributes checks them too; valid constraints are kept', async () => {
        const p = await pool();
        await expectError(
          send(new AddCustomAttributesCommand({ UserPoolId: p, CustomAttributes: [{ Name: 'n', AttributeDataType: 'Number', NumberAttributeConstraints: { MaxValue: 'invalid_value' } }] })),
          'InvalidParameterException',
          'Invalid NumberAttributeConstraints for schema attribute custom:n',
        );
        await expectError(
          send(new AddCustomAttributesCommand({ UserPoolId: p, CustomAttributes: [{ Name: 's', AttributeDataType: 'String', StringAttributeConstraints: { MaxLength: '4096' } }] })),
          'InvalidParameterException',
          'user.custom:s: String attributes cannot have a length of more than 2048',
        );
        await send(
          new AddCustomAttributesCommand({
            UserPoolId: p,
            CustomAttributes: [
              { Name: 'n', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '-40', MaxValue: '60' } },
              { Name: 's', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: '0', MaxLength: '2048' } },
            ],
          }),
        );
        const { UserPool } = await send(new DescribeUserPoolCommand({ UserPoolId: p }));
        const n = UserPool.SchemaAttributes.find((a: any) => a.Name === 'custom:n');
        const s = UserPool.SchemaAttributes.find((a: any) => a.Name === 'custom:s');
        assert.deepEqual(n.NumberAttributeConstraints, { MinValue: '-40', MaxValue: '60' });
        assert.deepEqual(s.StringAttributeConstraints, { MinLength: '0', MaxLength: '2048' });
        // And the values are enforced on users.
        await expectError(
          send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'cold', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'custom:n', Value: '-41' }] })),
          'InvalidParameterException',
          'Attributes did not conform to the schema: custom:n: Number must be no less than -40\n',
        );
      });
    });

    describe('9. ForgotPassword in a pool whose account recovery is admin_only', () => {
      it('NotAuthorizedException "Contact administrator to reset password." for every name, and no code is sent', async () => {
        const p = await pool({ AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] } });
        const legacy = await client(p);
        const hiding = await client(p, { PreventUserExistenceErrors: 'ENABLED' });
        await confirmedUser(p, 'ada', [
          { Name: 'email', Value: 'ada@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ]);
        for (const ClientId of [legacy, hiding]) {
          for (const Username of ['ada', 'nobody']) {
            await expectError(send(new ForgotPasswordCommand({ ClientId, Username })), 'NotAuthorizedException', 'Contact administrator to reset password.');
          }
        }
        assert.deepEqual(
          (await t.server.store.messages.list(p, { username: 'ada', limit: 5 })).map((m: any) => m.kind),
          [],
          'no reset code was sent',
        );
        // The administrator still can.
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'ada', Password: 'Another-Pass-7', Permanent: true }));
      });
    });
  });
}
