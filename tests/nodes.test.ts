/**
 * Revocation and keys are database facts: they hold across a SIGKILL restart (both stores) and
 * across two server nodes sharing one PostgreSQL database. The master key guards the secrets.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserPoolCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startServer } from '../src/server.js';
import { backends, expectError, startTestServer } from './harness.js';
import { kill, startCli, type Child, storeArgs } from './process.js';
import { defaults } from '../src/config.js';

const PASSWORD = 'Correct-Horse-9';
const sdk = (url: string) =>
  new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });

/** A pool, a client allowing password sign-in, and a confirmed user; returns a sign-in function. */
async function setup(c: CognitoIdentityProviderClient) {
  const { UserPool } = await c.send(new CreateUserPoolCommand({ PoolName: 'nodes' }));
  const poolId = UserPool!.Id!;
  const { UserPoolClient } = await c.send(
    new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
  );
  const clientId = UserPoolClient!.ClientId!;
  await c.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'nina', MessageAction: 'SUPPRESS' }));
  await c.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'nina', Password: PASSWORD, Permanent: true }));
  const signIn = async (client: CognitoIdentityProviderClient) => {
    const r = await client.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'nina', PASSWORD } }));
    return r.AuthenticationResult as { AccessToken: string; RefreshToken: string; IdToken: string };
  };
  return { poolId, clientId, signIn };
}

for (const backend of await backends()) {
  describe(`revocation survives a restart (${backend.name})`, () => {
    it('revoked and signed-out tokens stay refused after SIGKILL; others keep working', async () => {
      const db = await backend.fresh();
      // The issuer is the public URL: a restarted node (on another free port) keeps it by configuration.
      const args = ['--public-url', 'http://incognito.test:9229', ...storeArgs(db.settings)];
      const env = { INCOGNITO_MASTER_KEY: randomBytes(32).toString('base64') };
      let child: Child | undefined;
      let c: CognitoIdentityProviderClient | undefined;
      const restart = async () => {
        c?.destroy();
        if (child) await kill(child, 'SIGKILL');
        child = await startCli(args, env);
        c = sdk(child.url);
        return c;
      };
      try {
        let api = await restart();
        const { clientId, signIn } = await setup(api);
        const revoked = await signIn(api);
        const kept = await signIn(api);
        await api.send(new RevokeTokenCommand({ ClientId: clientId, Token: revoked.RefreshToken }));

        api = await restart();
        await expectError(api.send(new GetUserCommand({ AccessToken: revoked.AccessToken })), 'NotAuthorizedException', 'Access Token has been revoked');
        // The keys were persisted: a token minted before the restart still verifies.
        assert.equal((await api.send(new GetUserCommand({ AccessToken: kept.AccessToken }))).Username, 'nina');
        await api.send(new GlobalSignOutCommand({ AccessToken: kept.AccessToken }));

        api = await restart();
        await expectError(api.send(new GetUserCommand({ AccessToken: kept.AccessToken })), 'NotAuthorizedException', 'Access Token has been revoked');
        await expectError(
          api.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: kept.RefreshToken } })),
          'NotAuthorizedException',
          'Refresh Token has been revoked',
        );
      } finally {
        c?.destroy();
        if (child) await kill(child, 'SIGTERM');
        await db.cleanup();
      }
    });

    it('a node started with another master key refuses to start', async () => {
      const db = await backend.fresh();
      const config = { ...defaults, port: 0, logRequests: false, consoleMessages: false, ...db.settings };
      try {
        const first = await startServer({ ...config, masterKey: randomBytes(32).toString('base64') });
        await first.close();
        await assert.rejects(startServer({ ...config, masterKey: randomBytes(32).toString('base64') }), /master key does not match/);
      } finally {
        await db.cleanup();
      }
    });
  });
}

const pgBackend = (await backends()).find((b) => b.name === 'postgres');
if (pgBackend) {
  describe('two nodes on one PostgreSQL database', () => {
    it('share keys, and a sign-out on one node is refused on the other at once', async () => {
      // Nodes behind one load balancer share its public URL, which is the tokens' issuer.
      const a = await startTestServer(pgBackend, { publicUrl: 'http://incognito.test' });
      // The second node: the same database schema, master key and public URL; its own port.
      const b = await startServer({ ...a.config, port: 0 });
      const ca = a.cognito;
      const cb = sdk(b.url);
      try {
        const { poolId, clientId, signIn } = await setup(ca);
        // Both nodes ask for the new pool's keys at once: they agree on one pair.
        const [ja, jb] = await Promise.all([
          fetch(`${a.url}/${poolId}/.well-known/jwks.json`).then((r) => r.json()),
          fetch(`${b.url}/${poolId}/.well-known/jwks.json`).then((r) => r.json()),
        ]);
        assert.deepEqual(ja, jb);
        const s = await signIn(ca);
        const other = await signIn(cb);
        assert.equal((await cb.send(new GetUserCommand({ AccessToken: s.AccessToken }))).Username, 'nina', 'a token from node A verifies on node B');
        await cb.send(new RevokeTokenCommand({ ClientId: clientId, Token: other.RefreshToken }));
        await expectError(ca.send(new GetUserCommand({ AccessToken: other.AccessToken })), 'NotAuthorizedException', 'Access Token has been revoked');
        await ca.send(new GlobalSignOutCommand({ AccessToken: s.AccessToken }));
        await expectError(cb.send(new GetUserCommand({ AccessToken: s.AccessToken })), 'NotAuthorizedException', 'Access Token has been revoked');
        await expectError(
          cb.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: s.RefreshToken } })),
          'NotAuthorizedException',
          'Refresh Token has been revoked',
        );
      } finally {
        cb.destroy();
        await b.close();
        await a.close();
      }
    });

    it('a pool changed on one node is changed on the other at once (the node keeps pools by their row version)', async () => {
      const a = await startTestServer(pgBackend);
      const b = await startServer({ ...a.config, port: 0 });
      const cb = sdk(b.url);
      try {
        const { poolId, clientId } = await setup(a.cognito);
        // Node B reads the pool (through its client, and with a page of users) and keeps it.
        await cb.send(new SignUpCommand({ ClientId: clientId, Username: 'first', Password: 'Twelve-Chars-1' }));
        assert.equal((await cb.send(new ListUsersCommand({ UserPoolId: poolId }))).Users!.length, 2);
        await a.cognito.send(
          new UpdateUserPoolCommand({
            UserPoolId: poolId,
            Policies: { PasswordPolicy: { MinimumLength: 20, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
          }),
        );
        await expectError(
          cb.send(new SignUpCommand({ ClientId: clientId, Username: 'second', Password: 'Twelve-Chars-1' })),
          'InvalidPasswordException',
          'Password did not conform with policy: Password not long enough',
        );
        await cb.send(new SignUpCommand({ ClientId: clientId, Username: 'third', Password: 'Twenty-Characters-Long-1' }));
        // A change rolled back is not taken for the pool, though a read inside its transaction saw it.
        const store = b.store;
        const pool = (await store.reads.clientWithPool(clientId))!.pool;
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.pools.update({ ...pool, updatedAt: pool.updatedAt + 1, settings: { ...pool.settings, Policies: { PasswordPolicy: { MinimumLength: 6 } } } });
            const inside = await tx.reads.clientWithPool(clientId);
            assert.deepEqual(inside!.pool.settings.Policies, { PasswordPolicy: { MinimumLength: 6 } });
            throw new Error('roll back');
          }),
          /roll back/,
        );
        const afterwards = await store.reads.clientWithPool(clientId);
        assert.equal((afterwards!.pool.settings.Policies as { PasswordPolicy: { MinimumLength: number } }).PasswordPolicy.MinimumLength, 20);
        await expectError(cb.send(new SignUpCommand({ ClientId: clientId, Username: 'fourth', Password: 'Short-1a!' })), 'InvalidPasswordException');
      } finally {
        cb.destroy();
        await b.close();
        await a.close();
      }
    });

    it('a pool deleted on one node is gone on the other at once', async () => {
      const a = await startTestServer(pgBackend);
      const b = await startServer({ ...a.config, port: 0 });
      const cb = sdk(b.url);
      try {
        const { poolId } = await setup(a.cognito);
        // Node B answers for the pool (and remembers its username rules), then node A deletes it.
        assert.equal((await cb.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'nina' }))).Username, 'nina');
        await a.cognito.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
        await expectError(cb.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'nina' })), 'ResourceNotFoundException', `User pool ${poolId} does not exist.`);
      } finally {
        cb.destroy();
        await b.close();
        await a.close();
      }
    });
  });
}
