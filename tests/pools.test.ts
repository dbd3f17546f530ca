/** User pools through the real SDK: CreateUserPool, Describe, Update, Delete, List, custom attributes, tags. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddCustomAttributesCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListTagsForResourceCommand,
  ListUserPoolsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';

const STANDARD = [
  'sub', 'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile',
  'picture', 'website', 'email', 'email_verified', 'gender', 'birthdate', 'zoneinfo', 'locale',
  'phone_number', 'phone_number_verified', 'address', 'updated_at', 'identities',
];

for (const backend of await backends()) {
  describe(`user pools (${backend.name})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());
    const send = (c: any): Promise<any> => t.cognito.send(c);

    it('creates a pool with Cognito ids, ARN and defaults', async () => {
      const before = Date.now() / 1000;
      const { UserPool: p } = await send(new CreateUserPoolCommand({ PoolName: 'defaults' }));
      assert.match(p!.Id!, /^us-east-1_[A-Za-z0-9]{9}$/);
      assert.equal(p!.Arn, `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${p!.Id}`);
      assert.equal(p!.Name, 'defaults');
      assert.deepEqual(p!.Policies!.PasswordPolicy, {
        MinimumLength: 8,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: 7,
      });
      assert.deepEqual(p!.SchemaAttributes!.map((a: any) => a.Name), STANDARD);
      const sub = p!.SchemaAttributes!.find((a: any) => a.Name === 'sub')!;
      assert.equal(sub.Mutable, false);
      assert.equal(sub.Required, true);
      assert.equal(p!.SchemaAttributes!.find((a: any) => a.Name === 'email_verified')!.AttributeDataType, 'Boolean');
      assert.equal(p!.SchemaAttributes!.find((a: any) => a.Name === 'updated_at')!.AttributeDataType, 'Number');
      assert.equal(p!.MfaConfiguration, 'OFF');
      assert.equal(p!.DeletionProtection, 'INACTIVE');
      assert.deepEqual(p!.LambdaConfig, {});
      assert.deepEqual(p!.AdminCreateUserConfig, { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7 });
      assert.deepEqual(p!.VerificationMessageTemplate, { DefaultEmailOption: 'CONFIRM_WITH_CODE' });
      assert.deepEqual(p!.EmailConfiguration, { EmailSendingAccount: 'COGNITO_DEFAULT' });
      assert.equal(p!.EstimatedNumberOfUsers, 0);
      assert.ok(p!.CreationDate instanceof Date);
      assert.ok(p!.CreationDate!.getTime() / 1000 >= before - 1);
      assert.equal(p!.UsernameAttributes, undefined);
      assert.equal(p!.AliasAttributes, undefined);
    });

    it('stores and returns everything the request carries', async () => {
      const input = {
        PoolName: 'full',
        Policies: { PasswordPolicy: { MinimumLength: 12, RequireUppercase: false, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false, TemporaryPasswordValidityDays: 3 } },
        DeletionProtection: 'ACTIVE' as const,
        LambdaConfig: { PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:pre' },
        AutoVerifiedAttributes: ['email' as const],
        UsernameAttributes: ['email' as const],
        UsernameConfiguration: { CaseSensitive: false },
        MfaConfiguration: 'OPTIONAL' as const,
        SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sms', ExternalId: 'x' },
        EmailVerificationSubject: 'Your code',
        EmailVerificationMessage: 'Code: {####}',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true, InviteMessageTemplate: { EmailMessage: 'Hi {username}, {####}', EmailSubject: 'Welcome' } },
        Schema: [
          { Name: 'email', AttributeDataType: 'String' as const, Required: true, Mutable: true },
          { Name: 'tenant', AttributeDataType: 'String' as const, Mutable: false, StringAttributeConstraints: { MinLength: '1', MaxLength: '64' } },
          { Name: 'age', AttributeDataType: 'Number' as const, NumberAttributeConstraints: { MinValue: '0', MaxValue: '150' } },
        ],
        UserPoolTags: { team: 'identity' },
        UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email' as const] },
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email' as const, Priority: 1 }] },
      };
      const { UserPool: created } = await send(new CreateUserPoolCommand(input));
      const { UserPool: p } = await send(new DescribeUserPoolCommand({ UserPoolId: created!.Id }));
      assert.deepEqual(p!.Policies!.PasswordPolicy, input.Policies.PasswordPolicy);
      assert.equal(p!.DeletionProtection, 'ACTIVE');
      assert.deepEqual(p!.LambdaConfig, input.LambdaConfig);
      assert.deepEqual(p!.AutoVerifiedAttributes, ['email']);
      assert.deepEqual(p!.UsernameAttributes, ['email']);
      assert.deepEqual(p!.UsernameConfiguration, { CaseSensitive: false });
      assert.equal(p!.MfaConfiguration, 'OPTIONAL');
      assert.deepEqual(p!.SmsConfiguration, input.SmsConfiguration);
      assert.equal(p!.EmailVerificationMessage, 'Code: {####}');
      assert.equal(p!.VerificationMessageTemplate!.EmailMessage, 'Code: {####}');
      assert.equal(p!.VerificationMessageTemplate!.EmailSubject, 'Your code');
      assert.deepEqual(p!.AdminCreateUserConfig, {
        AllowAdminCreateUserOnly: true,
        UnusedAccountValidityDays: 3,
        InviteMessageTemplate: input.AdminCreateUserConfig.InviteMessageTemplate,
      });
      assert.equal(p!.SchemaAttributes!.find((a: any) => a.Name === 'email')!.Required, true);
      const tenant = p!.SchemaAttributes!.find((a: any) => a.Name === 'custom:tenant')!;
      assert.deepEqual(tenant, {
        Name: 'custom:tenant',
        AttributeDataType: 'String',
        DeveloperOnlyAttribute: false,
        Mutable: false,
        Required: false,
        StringAttributeConstraints: { MinLength: '1', MaxLength: '64' },
      });
      assert.equal(p!.SchemaAttributes!.find((a: any) => a.Name === 'custom:age')!.NumberAttributeConstraints!.MaxValue, '150');
      assert.deepEqual(p!.UserPoolTags, { team: 'identity' });
      assert.deepEqual(p!.UserAttributeUpdateSettings, { AttributesRequireVerificationBeforeUpdate: ['email'] });
      assert.deepEqual(p!.AccountRecoverySetting, input.AccountRecoverySetting);
    });

    it('refuses username attributes together with alias attributes', async () => {
      await expectError(
        send(new CreateUserPoolCommand({ PoolName: 'x', UsernameAttributes: ['email'], AliasAttributes: ['preferred_username'] })),
        'InvalidParameterException',
        'Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.',
      );
    });

    it('refuses required custom attributes and conflicting temporary password validity', async () => {
      await expectError(
        send(new CreateUserPoolCommand({ PoolName: 'x', Schema: [{ Name: 'c', AttributeDataType: 'String', Required: true }] })),
        'InvalidParameterException',
        'Required custom attributes are not supported currently.',
      );
      await expectError(
        send(
          new CreateUserPoolCommand({
            PoolName: 'x',
            Policies: { PasswordPolicy: { MinimumLength: 8, TemporaryPasswordValidityDays: 3 } },
            AdminCreateUserConfig: { UnusedAccountValidityDays: 5 },
          }),
        ),
        'InvalidParameterException',
        'Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays',
      );
    });

    it('validates the request against the model', async () => {
      await expectError(
        send(new CreateUserPoolCommand({ PoolName: 'bad!name' })),
        'InvalidParameterException',
        "1 validation error detected: Value 'bad!name' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
      );
      await expectError(
        send(new CreateUserPoolCommand({ PoolName: 'x', Policies: { PasswordPolicy: { MinimumLength: 5 } } })),
        'InvalidParameterException',
        /at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6/,
      );
      await expectError(send(new ListUserPoolsCommand({ MaxResults: 61 })), 'InvalidParameterException', /Member must have value less than or equal to 60/);
      await expectError(send(new DescribeUserPoolCommand({ UserPoolId: 'nounderscore' })), 'InvalidParameterException', /userPoolId/);
    });

    it('UpdateUserPool resets omitted fields to their defaults and keeps what it cannot change', async () => {
      const { UserPool: p } = await send(
        new CreateUserPoolCommand({
          PoolName: 'upd',
          AliasAttributes: ['email'],
          MfaConfiguration: 'OFF',
          Policies: { PasswordPolicy: { MinimumLength: 10, TemporaryPasswordValidityDays: 2 } },
          LambdaConfig: { PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:f' },
          AutoVerifiedAttributes: ['email'],
          Schema: [{ Name: 'plan', AttributeDataType: 'String' }],
          UserPoolTags: { a: '1' },
        }),
      );
      await send(new UpdateUserPoolCommand({ UserPoolId: p!.Id, DeletionProtection: 'ACTIVE' }));
      const { UserPool: u } = await send(new DescribeUserPoolCommand({ UserPoolId: p!.Id }));
      assert.equal(u!.Name, 'upd');
      assert.equal(u!.DeletionProtection, 'ACTIVE');
      assert.equal(u!.Policies!.PasswordPolicy!.MinimumLength, 8);
      assert.equal(u!.Policies!.PasswordPolicy!.TemporaryPasswordValidityDays, 7);
      assert.deepEqual(u!.LambdaConfig, {});
      assert.equal(u!.AutoVerifiedAttributes, undefined);
      assert.deepEqual(u!.AliasAttributes, ['email']);
      assert.ok(u!.SchemaAttributes!.some((a: any) => a.Name === 'custom:plan'));
      assert.deepEqual(u!.UserPoolTags, { a: '1' });
      assert.ok(u!.LastModifiedDate!.getTime() >= u!.CreationDate!.getTime());
      await send(new UpdateUserPoolCommand({ UserPoolId: p!.Id, PoolName: 'renamed' }));
      const { UserPool: r } = await send(new DescribeUserPoolCommand({ UserPoolId: p!.Id }));
      assert.equal(r!.Name, 'renamed');
      assert.equal(r!.DeletionProtection, 'INACTIVE');
      await expectError(send(new UpdateUserPoolCommand({ UserPoolId: 'us-east-1_nothere00' })), 'ResourceNotFoundException', 'User pool us-east-1_nothere00 does not exist.');
    });

    it('deletion protection blocks DeleteUserPool; deleting removes the pool and its clients', async () => {
      const { UserPool: p } = await send(new CreateUserPoolCommand({ PoolName: 'protected', DeletionProtection: 'ACTIVE' }));
      const { UserPoolClient: c } = await send(new CreateUserPoolClientCommand({ UserPoolId: p!.Id, ClientName: 'c' }));
      await expectError(
        send(new DeleteUserPoolCommand({ UserPoolId: p!.Id })),
        'InvalidParameterException',
        'The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.',
      );
      await send(new UpdateUserPoolCommand({ UserPoolId: p!.Id, DeletionProtection: 'INACTIVE' }));
      await send(new DeleteUserPoolCommand({ UserPoolId: p!.Id }));
      await expectError(send(new DescribeUserPoolCommand({ UserPoolId: p!.Id })), 'ResourceNotFoundException', `User pool ${p!.Id} does not exist.`);
      await expectError(send(new DescribeUserPoolClientCommand({ UserPoolId: p!.Id, ClientId: c!.ClientId })), 'ResourceNotFoundException');
      await expectError(send(new DeleteUserPoolCommand({ UserPoolId: p!.Id })), 'ResourceNotFoundException');
    });

    it('ListUserPools pages through the pools of the request region', async () => {
      const west = t.sdk('eu-west-2');
      const ids = new Set<string>();
      for (let i = 0; i < 7; i++) {
        const { UserPool } = await west.send(new CreateUserPoolCommand({ PoolName: `west-${i}` }));
        assert.match(UserPool!.Id!, /^eu-west-2_/);
        assert.match(UserPool!.Arn!, /^arn:aws:cognito-idp:eu-west-2:/);
        ids.add(UserPool!.Id!);
      }
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const r = await west.send(new ListUserPoolsCommand({ MaxResults: 3, NextToken: token }));
        assert.ok(r.UserPools!.length <= 3);
        for (const p of r.UserPools!) {
          seen.push(p.Id!);
          assert.ok(p.CreationDate instanceof Date);
          assert.ok(p.Name!.startsWith('west-'));
        }
        token = r.NextToken;
        pages++;
      } while (token);
      assert.equal(pages, 3);
      assert.deepEqual(new Set(seen), ids);
      assert.equal(seen.length, ids.size);
      const east = await send(new ListUserPoolsCommand({ MaxResults: 60 }));
      assert.ok(east.UserPools!.every((p: any) => p.Id!.startsWith('us-east-1_')));
      await expectError(send(new ListUserPoolsCommand({ MaxResults: 10, NextToken: 'garbage' })), 'InvalidParameterException');
    });

    it('AddCustomAttributes appends custom attributes and refuses duplicates', async () => {
      const { UserPool: p } = await send(new CreateUserPoolCommand({ PoolName: 'custom' }));
      await send(
        new AddCustomAttributesCommand({
          UserPoolId: p!.Id,
          CustomAttributes: [{ Name: 'score', AttributeDataType: 'Number' }, { Name: 'nick2', AttributeDataType: 'String', StringAttributeConstraints: { MaxLength: '20' } }],
        }),
      );
      const { UserPool: d } = await send(new DescribeUserPoolCommand({ UserPoolId: p!.Id }));
      const names = d!.SchemaAttributes!.map((a: any) => a.Name);
      assert.deepEqual(names.slice(-2), ['custom:score', 'custom:nick2']);
      await expectError(
        send(new AddCustomAttributesCommand({ UserPoolId: p!.Id, CustomAttributes: [{ Name: 'score', AttributeDataType: 'Number' }] })),
        'InvalidParameterException',
        'custom:score: Existing attribute already has name custom:score.',
      );
      await expectError(
        send(new AddCustomAttributesCommand({ UserPoolId: 'us-east-1_missing00', CustomAttributes: [{ Name: 'a' }] })),
        'ResourceNotFoundException',
      );
    });

    it('concurrent read-modify-writes of one pool lose nothing', async () => {
      const { UserPool: p } = await send(new CreateUserPoolCommand({ PoolName: 'race' }));
      const names = Array.from({ length: 8 }, (_, i) => `attr${i}`);
      await Promise.all([
        ...names.map((n) => send(new AddCustomAttributesCommand({ UserPoolId: p!.Id, CustomAttributes: [{ Name: n, AttributeDataType: 'String' }] }))),
        ...names.map((n) => send(new TagResourceCommand({ ResourceArn: p!.Arn, Tags: { [n]: 'v' } }))),
        send(new UpdateUserPoolCommand({ UserPoolId: p!.Id, MfaConfiguration: 'OFF' })),
      ]);
      const { UserPool: d } = await send(new DescribeUserPoolCommand({ UserPoolId: p!.Id }));
      for (const n of names) {
        assert.ok(d!.SchemaAttributes!.some((a: any) => a.Name === `custom:${n}`), `custom:${n} kept`);
        assert.equal(d!.UserPoolTags![n], 'v', `tag ${n} kept`);
      }
    });

    it('tags pools by ARN', async () => {
      const { UserPool: p } = await send(new CreateUserPoolCommand({ PoolName: 'tags', UserPoolTags: { a: '1' } }));
      await send(new TagResourceCommand({ ResourceArn: p!.Arn, Tags: { b: '2', c: '3' } }));
      assert.deepEqual((await send(new ListTagsForResourceCommand({ ResourceArn: p!.Arn }))).Tags, { a: '1', b: '2', c: '3' });
      await send(new UntagResourceCommand({ ResourceArn: p!.Arn, TagKeys: ['a', 'c'] }));
      assert.deepEqual((await send(new ListTagsForResourceCommand({ ResourceArn: p!.Arn }))).Tags, { b: '2' });
      const { UserPool: d } = await send(new DescribeUserPoolCommand({ UserPoolId: p!.Id }));
      assert.deepEqual(d!.UserPoolTags, { b: '2' });
      await expectError(send(new ListTagsForResourceCommand({ ResourceArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_nothere00' })), 'ResourceNotFoundException');
      await expectError(send(new TagResourceCommand({ ResourceArn: 'arn:aws:s3:::bucket', Tags: { a: 'b' } })), 'InvalidParameterException');
    });
  });
}
