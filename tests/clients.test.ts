/** App clients through the real SDK: every rule of the seed documents (shared/seeds). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
  type CreateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';

for (const backend of await backends()) {
  describe(`app clients (${backend.name})`, () => {
    let t: TestServer;
    let poolId: string;
    before(async () => {
      t = await startTestServer(backend);
      const { UserPool } = await t.cognito.send(
        new CreateUserPoolCommand({ PoolName: 'clients', Schema: [{ Name: 'tenant', AttributeDataType: 'String' }] }),
      );
      poolId = UserPool!.Id!;
    });
    after(() => t.close());
    const send = (c: any): Promise<any> => t.cognito.send(c);
    const create = (input: Partial<CreateUserPoolClientCommandInput>) =>
      send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ...input })).then((r: any) => r.UserPoolClient);
    const describeClient = (id: string) =>
      send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: id })).then((r: any) => r.UserPoolClient);

    it('creates a client with Cognito defaults and describes it as Cognito does', async () => {
      const c = await create({});
      assert.match(c.ClientId, /^[a-z0-9]{26}$/);
      assert.equal(c.ClientSecret, undefined);
      const d = await describeClient(c.ClientId);
      assert.equal(d.UserPoolId, poolId);
      assert.equal(d.ClientName, 'app');
      assert.equal(d.RefreshTokenValidity, 30);
      assert.equal(d.AccessTokenValidity, undefined);
      assert.equal(d.IdTokenValidity, undefined);
      assert.deepEqual(d.TokenValidityUnits, { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' });
      assert.deepEqual(d.ExplicitAuthFlows, ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH']);
      assert.equal(d.PreventUserExistenceErrors, 'LEGACY');
      assert.equal(d.EnableTokenRevocation, true);
      assert.equal(d.EnablePropagateAdditionalUserContextData, false);
      assert.equal(d.AllowedOAuthFlowsUserPoolClient, false);
      assert.equal(d.AuthSessionValidity, 3);
      assert.equal(d.ReadAttributes, undefined);
      assert.equal(d.WriteAttributes, undefined);
      assert.equal(d.AllowedOAuthFlows, undefined);
      assert.ok(d.CreationDate instanceof Date && d.LastModifiedDate instanceof Date);
      assert.ok(Math.abs(d.CreationDate.getTime() - Date.now()) < 60_000);
    });

    it('generates a secret of Cognito form, returned by Create and Describe', async () => {
      const c = await create({ GenerateSecret: true });
      assert.match(c.ClientSecret, /^[a-z0-9]{51}$/);
      assert.equal((await describeClient(c.ClientId)).ClientSecret, c.ClientSecret);
      await expectError(create({ GenerateSecret: true, ClientSecret: 'a'.repeat(30) }), 'InvalidParameterException');
      const custom = await create({ ClientSecret: 'my_own_secret_of_24_chars' });
      assert.equal(custom.ClientSecret, 'my_own_secret_of_24_chars');
    });

    describe('token validity', () => {
      const ok = [
        { AccessTokenValidity: 5, TokenValidityUnits: { AccessToken: 'minutes' } },
        { AccessTokenValidity: 300, TokenValidityUnits: { AccessToken: 'seconds' } },
        { AccessTokenValidity: 1, TokenValidityUnits: { AccessToken: 'days' } },
        { AccessTokenValidity: 24 },
        { IdTokenValidity: 86400, TokenValidityUnits: { IdToken: 'seconds' } },
        { RefreshTokenValidity: 60, TokenValidityUnits: { RefreshToken: 'minutes' } },
        { RefreshTokenValidity: 3650 },
        { RefreshTokenValidity: 1, TokenValidityUnits: { RefreshToken: 'hours' } },
      ];
      const bad = [
        { AccessTokenValidity: 4, TokenValidityUnits: { AccessToken: 'minutes' } },
        { AccessTokenValidity: 299, TokenValidityUnits: { AccessToken: 'seconds' } },
        { AccessTokenValidity: 25 },
        { AccessTokenValidity: 2, TokenValidityUnits: { AccessToken: 'days' } },
        { IdTokenValidity: 1441, TokenValidityUnits: { IdToken: 'minutes' } },
        { IdTokenValidity: 30 },
        { RefreshTokenValidity: 59, TokenValidityUnits: { RefreshToken: 'minutes' } },
        { RefreshTokenValidity: 3651 },
        { RefreshTokenValidity: 3599, TokenValidityUnits: { RefreshToken: 'seconds' } },
      ];
      for (const input of ok) {
        it(`accepts ${JSON.stringify(input)}`, async () => {
          const c = await create(input as any);
          const d = await describeClient(c.ClientId);
          for (const k of ['AccessTokenValidity', 'IdTokenValidity', 'RefreshTokenValidity'] as const) {
            if ((input as any)[k] !== undefined) assert.equal(d[k], (input as any)[k]);
          }
          const units = { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days', ...(input as any).TokenValidityUnits };
          assert.deepEqual(d.TokenValidityUnits, units);
        });
      }
      for (const input of bad) {
        it(`refuses ${JSON.stringify(input)}`, async () => {
          await expectError(create(input as any), 'InvalidParameterException', 'Invalid range for token validity.');
        });
      }
      it('RefreshTokenValidity 0 means the 30-day default', async () => {
        const c = await create({ RefreshTokenValidity: 0, TokenValidityUnits: { RefreshToken: 'hours' } });
        const d = await describeClient(c.ClientId);
        assert.equal(d.RefreshTokenValidity, 30);
        assert.equal(d.TokenValidityUnits.RefreshToken, 'days');
      });
      it('checks the model ranges before the unit conversion', async () => {
        await expectError(
          create({ AccessTokenValidity: 0 }),
          'InvalidParameterException',
          "1 validation error detected: Value '0' at 'accessTokenValidity' failed to satisfy constraint: Member must have value greater than or equal to 1",
        );
        await expectError(
          create({ TokenValidityUnits: { AccessToken: 'weeks' as any } }),
          'InvalidParameterException',
          "1 validation error detected: Value 'weeks' at 'tokenValidityUnits.accessToken' failed to satisfy constraint: Member must satisfy enum value set: [seconds, minutes, hours, days]",
        );
      });
    });

    it('AuthSessionValidity is 3 to 15 minutes', async () => {
      assert.equal((await create({ AuthSessionValidity: 15 })).AuthSessionValidity, 15);
      await expectError(create({ AuthSessionValidity: 2 }), 'InvalidParameterException', /at 'authSessionValidity' failed to satisfy constraint: Member must have value greater than or equal to 3/);
      await expectError(create({ AuthSessionValidity: 16 }), 'InvalidParameterException', /Member must have value less than or equal to 15/);
    });

    it('ExplicitAuthFlows: legacy names may not be mixed with ALLOW_ names', async () => {
      assert.deepEqual((await create({ ExplicitAuthFlows: ['ADMIN_NO_SRP_AUTH', 'USER_PASSWORD_AUTH'] })).ExplicitAuthFlows, ['ADMIN_NO_SRP_AUTH', 'USER_PASSWORD_AUTH']);
      assert.deepEqual((await create({ ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })).ExplicitAuthFlows, ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
      await expectError(create({ ExplicitAuthFlows: ['USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH'] }), 'InvalidParameterException', /legacy/);
      await expectError(create({ ExplicitAuthFlows: ['ALLOW_EVERYTHING' as any] }), 'InvalidParameterException', /at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set: /);
    });

    describe('OAuth settings', () => {
      const oauth = { AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code' as const], AllowedOAuthScopes: ['openid', 'email'], CallbackURLs: ['https://app.example.com/cb'] };
      it('stores a complete OAuth configuration', async () => {
        const c = await create({
          ...oauth,
          CallbackURLs: ['https://app.example.com/cb', 'http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:8080/cb', 'myapp://callback'],
          LogoutURLs: ['https://app.example.com/bye', 'http://localhost/bye'],
          DefaultRedirectURI: 'https://app.example.com/cb',
          AllowedOAuthFlows: ['code', 'implicit'],
          AllowedOAuthScopes: ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'],
          SupportedIdentityProviders: ['COGNITO'],
        });
        const d = await describeClient(c.ClientId);
        assert.equal(d.AllowedOAuthFlowsUserPoolClient, true);
        assert.deepEqual(d.AllowedOAuthFlows, ['code', 'implicit']);
        assert.equal(d.CallbackURLs.length, 5);
        assert.equal(d.DefaultRedirectURI, 'https://app.example.com/cb');
        assert.deepEqual(d.LogoutURLs, ['https://app.example.com/bye', 'http://localhost/bye']);
        assert.deepEqual(d.SupportedIdentityProviders, ['COGNITO']);
      });
      it('needs AllowedOAuthFlowsUserPoolClient for OAuth fields', async () => {
        await expectError(create({ ...oauth, AllowedOAuthFlowsUserPoolClient: false }), 'InvalidParameterException', /AllowedOAuthFlowsUserPoolClient must be true/);
        await expectError(create({ CallbackURLs: ['https://a.example/cb'] }), 'InvalidParameterException', /AllowedOAuthFlowsUserPoolClient must be true/);
      });
      it('callback URLs are absolute, https except loopback, without fragment', async () => {
        await expectError(create({ ...oauth, CallbackURLs: ['http://app.example.com/cb'] }), 'InvalidParameterException', /must use HTTPS/);
        await expectError(create({ ...oauth, CallbackURLs: ['https://app.example.com/cb#frag'] }), 'InvalidParameterException', /fragment/);
        await expectError(create({ ...oauth, CallbackURLs: ['/relative/cb'] }), 'InvalidParameterException', /absolute/);
        await expectError(create({ ...oauth, LogoutURLs: ['http://evil.example/out'] }), 'InvalidParameterException', /must use HTTPS/);
        await expectError(create({ ...oauth, CallbackURLs: Array.from({ length: 101 }, (_, i) => `https://a.example/${i}`) }), 'InvalidParameterException', /at 'callbackURLs' failed to satisfy constraint: Member must have length less than or equal to 100/);
      });
      it('DefaultRedirectURI must be one of the callback URLs', async () => {
        await expectError(create({ ...oauth, DefaultRedirectURI: 'https://other.example/cb' }), 'InvalidParameterException', 'DefaultRedirectURI must be one of the CallbackURLs.');
      });
      it('code and implicit need a callback URL', async () => {
        await expectError(create({ ...oauth, CallbackURLs: undefined }), 'InvalidOAuthFlowException', 'CallbackUrls can not be empty when code flow or implicit flow is selected');
      });
      it('client_credentials: alone, with a secret, custom scopes only', async () => {
        const cc = { AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials' as const] };
        await expectError(create({ ...cc, AllowedOAuthFlows: ['client_credentials', 'code'], AllowedOAuthScopes: ['openid'], CallbackURLs: ['https://a.example/cb'], GenerateSecret: true }), 'InvalidOAuthFlowException', 'client_credentials flow can not be selected along with code flow or implicit flow.');
        await expectError(create({ ...cc, AllowedOAuthScopes: ['email'] }), 'InvalidOAuthFlowException', 'client_credentials flow can not be selected if client does not have a client secret.');
        await expectError(create({ ...cc, AllowedOAuthScopes: ['openid'], GenerateSecret: true }), 'InvalidOAuthFlowException', 'openid is not supported with client_credentials flow');
      });
      it('scopes must exist', async () => {
        await expectError(create({ ...oauth, AllowedOAuthScopes: ['openid', 'Cognito'] }), 'ScopeDoesNotExistException', 'Invalid scope requested: Cognito');
        await expectError(create({ ...oauth, AllowedOAuthScopes: ['api/read'] }), 'ScopeDoesNotExistException', 'Invalid scope requested: api/read');
      });
      it('identity providers must be COGNITO or a provider of the pool', async () => {
        await expectError(create({ SupportedIdentityProviders: ['Google'] }), 'InvalidParameterException', `The provider Google does not exist for User Pool ${poolId}`);
      });
      it('enum members of AllowedOAuthFlows are validated as AWS does', async () => {
        await expectError(
          create({ ...oauth, AllowedOAuthFlows: ['token' as any] }),
          'InvalidParameterException',
          "1 validation error detected: Value '[token]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [code, implicit, client_credentials]]",
        );
      });
    });

    it('PreventUserExistenceErrors, token revocation, context data, analytics and rotation are stored', async () => {
      const analytics = { ApplicationId: 'abcdef0123456789abcdef0123456789', RoleArn: 'arn:aws:iam::123456789012:role/pinpoint', ExternalId: 'ext', UserDataShared: true };
      const c = await create({
        GenerateSecret: true,
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: false,
        EnablePropagateAdditionalUserContextData: true,
        AnalyticsConfiguration: analytics,
        RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 },
      });
      const d = await describeClient(c.ClientId);
      assert.equal(d.PreventUserExistenceErrors, 'ENABLED');
      assert.equal(d.EnableTokenRevocation, false);
      assert.equal(d.EnablePropagateAdditionalUserContextData, true);
      assert.deepEqual(d.AnalyticsConfiguration, analytics);
      assert.deepEqual(d.RefreshTokenRotation, { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 });
      await expectError(create({ EnablePropagateAdditionalUserContextData: true }), 'InvalidParameterException', /client secret/);
    });

    it('Read and write attributes must name attributes of the pool', async () => {
      const c = await create({ ReadAttributes: ['email', 'custom:tenant'], WriteAttributes: ['name', 'custom:tenant'] });
      const d = await describeClient(c.ClientId);
      assert.deepEqual(d.ReadAttributes, ['email', 'custom:tenant']);
      assert.deepEqual(d.WriteAttributes, ['name', 'custom:tenant']);
      await expectError(create({ ReadAttributes: ['custom:nothere'] }), 'InvalidParameterException', 'Invalid read attributes specified while creating a client');
      await expectError(create({ WriteAttributes: ['shoe_size'] }), 'InvalidParameterException', 'Invalid write attributes specified while creating a client');
    });

    it('UpdateUserPoolClient replaces the whole configuration and keeps the secret', async () => {
      const c = await create({
        GenerateSecret: true,
        AccessTokenValidity: 10,
        TokenValidityUnits: { AccessToken: 'minutes' },
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        AuthSessionValidity: 10,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid'],
        CallbackURLs: ['https://a.example/cb'],
        ReadAttributes: ['email'],
      });
      const { UserPoolClient: u } = await send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: c.ClientId, ClientName: 'renamed' }));
      assert.equal(u!.ClientSecret, c.ClientSecret);
      const d = await describeClient(c.ClientId);
      assert.equal(d.ClientName, 'renamed');
      assert.equal(d.ClientSecret, c.ClientSecret);
      assert.equal(d.AccessTokenValidity, undefined);
      assert.deepEqual(d.TokenValidityUnits, { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' });
      assert.deepEqual(d.ExplicitAuthFlows, ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH']);
      assert.equal(d.PreventUserExistenceErrors, 'LEGACY');
      assert.equal(d.AuthSessionValidity, 3);
      assert.equal(d.AllowedOAuthFlowsUserPoolClient, false);
      assert.equal(d.AllowedOAuthFlows, undefined);
      assert.equal(d.CallbackURLs, undefined);
      assert.equal(d.ReadAttributes, undefined);
      assert.ok(d.LastModifiedDate.getTime() >= d.CreationDate.getTime());
      // the same rules hold on update
      await expectError(
        send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: c.ClientId, IdTokenValidity: 2, TokenValidityUnits: { IdToken: 'days' } })),
        'InvalidParameterException',
        'Invalid range for token validity.',
      );
      await expectError(
        send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: c.ClientId, WriteAttributes: ['nope'] })),
        'InvalidParameterException',
        'Invalid write attributes specified while updating a client',
      );
      await expectError(send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })), 'ResourceNotFoundException', 'User pool client nosuchclient does not exist.');
    });

    it('lists clients page by page and deletes them', async () => {
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'listing' }));
      const pid = UserPool!.Id!;
      const made = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const { UserPoolClient } = await send(new CreateUserPoolClientCommand({ UserPoolId: pid, ClientName: `c${i}` }));
        made.add(UserPoolClient!.ClientId!);
      }
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const r = await send(new ListUserPoolClientsCommand({ UserPoolId: pid, MaxResults: 2, NextToken: token }));
        for (const c of r.UserPoolClients!) {
          assert.equal(c.UserPoolId, pid);
          assert.match(c.ClientName!, /^c\d$/);
          seen.push(c.ClientId!);
        }
        token = r.NextToken;
      } while (token);
      assert.equal(seen.length, 5);
      assert.deepEqual(new Set(seen), made);
      const victim = seen[0]!;
      await send(new DeleteUserPoolClientCommand({ UserPoolId: pid, ClientId: victim }));
      await expectError(send(new DescribeUserPoolClientCommand({ UserPoolId: pid, ClientId: victim })), 'ResourceNotFoundException', `User pool client ${victim} does not exist.`);
      await expectError(send(new DeleteUserPoolClientCommand({ UserPoolId: pid, ClientId: victim })), 'ResourceNotFoundException');
      // a client is only found through its own pool
      await expectError(send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: seen[1]! })), 'ResourceNotFoundException');
      await expectError(send(new ListUserPoolClientsCommand({ UserPoolId: 'us-east-1_nothere00' })), 'ResourceNotFoundException');
    });
  });
}
