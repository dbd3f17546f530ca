/**
 * Client secret rotation through the AWS SDK v3 over HTTP: AddUserPoolClientSecret,
 * ListUserPoolClientSecrets, DeleteUserPoolClientSecret, and every check of the secret (SECRET_HASH,
 * GetTokensFromRefreshToken's ClientSecret, the token endpoint's Basic and client_secret_post)
 * taking either secret while both exist, and only the remaining one after a delete.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  AddUserPoolClientSecretCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientSecretCommand,
  DescribeUserPoolClientCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  ListUserPoolClientSecretsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';

const PASSWORD = 'Correct-Horse-9';
const hash = (secret: string, username: string, clientId: string) => createHmac('sha256', secret).update(username + clientId).digest('base64');

for (const backend of await backends()) {
  describe(`client secret rotation (${backend.name})`, () => {
    let t: TestServer;
    let poolId: string;
    before(async () => {
      t = await startTestServer(backend);
      poolId = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'rotation' }))).UserPool!.Id!;
      await t.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', MessageAction: 'SUPPRESS' }));
      await t.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: PASSWORD, Permanent: true }));
      await t.cognito.send(
        new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'api', Name: 'api', Scopes: [{ ScopeName: 'read', ScopeDescription: 'read' }] }),
      );
    });
    after(() => t?.close());
    const send = (c: any): Promise<any> => t.cognito.send(c);
    const confidential = async (extra: object = {}) =>
      (
        await send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: 'backend',
            GenerateSecret: true,
            ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
            ...extra,
          }),
        )
      ).UserPoolClient as { ClientId: string; ClientSecret: string; CreationDate: Date };
    const list = async (clientId: string) => (await send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId }))).ClientSecrets as any[];
    const signIn = (clientId: string, secret: string) =>
      send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD, SECRET_HASH: hash(secret, 'alice', clientId) } }));

    it('a client created with a secret lists it: id <client id>--<creation time>, its date, never its value', async () => {
      const c = await confidential();
      const secrets = await list(c.ClientId);
      assert.equal(secrets.length, 1);
      assert.match(secrets[0].ClientSecretId, new RegExp(`^${c.ClientId}--\\d{13}$`));
      assert.equal(secrets[0].ClientSecretValue, undefined);
      assert.ok(secrets[0].ClientSecretCreateDate instanceof Date);
      assert.equal(secrets[0].ClientSecretCreateDate.getTime(), c.CreationDate.getTime());
    });

    it('adds a generated second secret: both sign in with SECRET_HASH, the third is refused, deleting the old leaves the new', async () => {
      const c = await confidential();
      const [old] = await list(c.ClientId);
      const added = (await send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: c.ClientId }))).ClientSecretDescriptor;
      assert.match(added.ClientSecretValue, /^[a-z0-9]{51}$/);
      assert.notEqual(added.ClientSecretValue, c.ClientSecret);
      assert.match(added.ClientSecretId, new RegExp(`^${c.ClientId}--\\d{13}$`));
      assert.notEqual(added.ClientSecretId, old.ClientSecretId);
      assert.ok(added.ClientSecretCreateDate instanceof Date);
      assert.deepEqual((await list(c.ClientId)).map((s) => s.ClientSecretId), [old.ClientSecretId, added.ClientSecretId]);

      // Both secrets make a valid SECRET_HASH; a made-up one does not.
      assert.ok((await signIn(c.ClientId, c.ClientSecret)).AuthenticationResult?.AccessToken);
      const viaNew = await signIn(c.ClientId, added.ClientSecretValue);
      assert.ok(viaNew.AuthenticationResult?.AccessToken);
      await expectError(signIn(c.ClientId, 'x'.repeat(51)), 'NotAuthorizedException', `Unable to verify secret hash for client ${c.ClientId}`);
      // GetTokensFromRefreshToken takes either secret as ClientSecret.
      for (const secret of [c.ClientSecret, added.ClientSecretValue]) {
        const r = await send(new GetTokensFromRefreshTokenCommand({ ClientId: c.ClientId, ClientSecret: secret, RefreshToken: viaNew.AuthenticationResult.RefreshToken }));
        assert.ok(r.AuthenticationResult?.AccessToken);
      }

      // DescribeUserPoolClient keeps showing the current (oldest) secret during the rotation.
      assert.equal((await send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: c.ClientId }))).UserPoolClient.ClientSecret, c.ClientSecret);

      await expectError(
        send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: c.ClientId })),
        'LimitExceededException',
        `User pool client ${c.ClientId} already has 2 client secrets, the most it can hold: delete one with DeleteUserPoolClientSecret before adding another.`,
      );

      await send(new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: c.ClientId, ClientSecretId: old.ClientSecretId }));
      assert.deepEqual((await list(c.ClientId)).map((s) => s.ClientSecretId), [added.ClientSecretId]);
      await expectError(signIn(c.ClientId, c.ClientSecret), 'NotAuthorizedException', `Unable to verify secret hash for client ${c.ClientId}`);
      assert.ok((await signIn(c.ClientId, added.ClientSecretValue)).AuthenticationResult?.AccessToken);
      assert.equal((await send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: c.ClientId }))).UserPoolClient.ClientSecret, added.ClientSecretValue);

      // The last secret stays; an unknown id is not found.
      await expectError(
        send(new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: c.ClientId, ClientSecretId: added.ClientSecretId })),
        'InvalidParameterException',
        /is the last secret of user pool client/,
      );
      await expectError(
        send(new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: c.ClientId, ClientSecretId: old.ClientSecretId })),
        'ResourceNotFoundException',
        new RegExp(`^Client secret ${old.ClientSecretId} does not exist`),
      );
    });

    it('a secret of the caller\'s own: not echoed back, validated by the model, not a duplicate', async () => {
      const c = await confidential();
      const mine = 'my_own_rotated_secret_value_123';
      const added = (await send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: c.ClientId, ClientSecret: mine }))).ClientSecretDescriptor;
      assert.equal(added.ClientSecretValue, undefined);
      assert.ok(added.ClientSecretId);
      assert.ok((await signIn(c.ClientId, mine)).AuthenticationResult?.AccessToken);
      const other = await confidential();
      await expectError(send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: other.ClientId, ClientSecret: 'short' })), 'InvalidParameterException', /Value at 'clientSecret' failed to satisfy constraint/);
      await expectError(send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: other.ClientId, ClientSecret: 'has spaces in it which are not allowed' })), 'InvalidParameterException', /Value at 'clientSecret' failed to satisfy constraint/);
      await expectError(
        send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: other.ClientId, ClientSecret: other.ClientSecret })),
        'InvalidParameterException',
        `User pool client ${other.ClientId} already has this client secret: give another value, or none to have one generated.`,
      );
    });

    it('a public client cannot add a secret; unknown clients and pools are not found', async () => {
      const pub = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'spa' }))).UserPoolClient;
      assert.deepEqual(await list(pub.ClientId), []);
      await expectError(send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: pub.ClientId })), 'InvalidParameterException', /has no client secret/);
      await expectError(send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })), 'ResourceNotFoundException', 'User pool client nosuchclient does not exist.');
      await expectError(send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })), 'ResourceNotFoundException', 'User pool client nosuchclient does not exist.');
      await expectError(send(new ListUserPoolClientSecretsCommand({ UserPoolId: 'us-east-1_nosuchpool', ClientId: pub.ClientId })), 'ResourceNotFoundException');
    });

    it('the token endpoint authenticates the client with either secret, by Basic and by client_secret_post', async () => {
      const c = await confidential({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['api/read'] });
      const added = (await send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: c.ClientId }))).ClientSecretDescriptor;
      const token = async (secret: string, how: 'basic' | 'post') => {
        const form = new URLSearchParams({ grant_type: 'client_credentials', ...(how === 'post' ? { client_id: c.ClientId, client_secret: secret } : {}) });
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
        if (how === 'basic') headers.authorization = `Basic ${Buffer.from(`${c.ClientId}:${secret}`).toString('base64')}`;
        const res = await fetch(`${t.url}/oauth2/token`, { method: 'POST', headers, body: form });
        return { status: res.status, json: (await res.json()) as any };
      };
      for (const secret of [c.ClientSecret, added.ClientSecretValue]) {
        for (const how of ['basic', 'post'] as const) {
          const r = await token(secret, how);
          assert.equal(r.status, 200, JSON.stringify(r.json));
          assert.equal(r.json.token_type, 'Bearer');
        }
      }
      assert.equal((await token('y'.repeat(51), 'basic')).json.error, 'invalid_client');
      const [old] = await list(c.ClientId);
      await send(new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: c.ClientId, ClientSecretId: old.ClientSecretId }));
      assert.equal((await token(c.ClientSecret, 'basic')).json.error, 'invalid_client');
      assert.equal((await token(c.ClientSecret, 'post')).json.error, 'invalid_client');
      assert.equal((await token(added.ClientSecretValue, 'post')).status, 200);
    });
  });
}
