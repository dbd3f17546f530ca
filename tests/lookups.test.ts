/**
 * Finding a user by the name a request gives, through the prepared reads (store/repos/reads.ts):
 * the pool and the user in one statement (the admin operations on one user), AdminGetUser's lighter
 * read with the pools' username rules a node remembers, findUser (sign-in), and what reads see while
 * a transaction is open.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddCustomAttributesCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  AdminAddUserToGroupCommand,
  GetUserCommand,
  InitiateAuthCommand,
  UpdateUserPoolCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';
import { loadPoolAndUser, loadUserProfile } from '../src/domain/users.js';

const PASSWORD = 'Correct-Horse-9';
const OTHER_PASSWORD = 'Other-Horse-77';

for (const backend of await backends()) {
  describe(`user lookups (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    async function pool(input: Partial<CreateUserPoolCommandInput> = {}) {
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'lookups', ...input }));
      return UserPool.Id as string;
    }
    async function client(poolId: string) {
      const { UserPoolClient } = await send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      );
      return UserPoolClient.ClientId as string;
    }
    async function user(poolId: string, Username: string, attrs: Record<string, string> = {}, password = PASSWORD) {
      const r = await send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS', UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })) }),
      );
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: password, Permanent: true }));
      return r.User as { Username: string; Attributes: { Name: string; Value: string }[] };
    }
    const sub = (u: { Attributes: { Name: string; Value: string }[] }) => u.Attributes.find((a) => a.Name === 'sub')!.Value;
    /** A confirmed user's row as the store takes it (for tests that write through the store). */
    const userRow = (poolId: string, username: string, sub: string) => {
      const now = Date.now();
      return {
        poolId, username, usernameKey: username, sub, status: 'CONFIRMED' as const, enabled: true,
        attributes: {}, passwordHash: null, srpVerifier: null, passwordUpdatedAt: null, mfa: {}, extra: {}, createdAt: now, updatedAt: now,
      };
    };
    const getUser = (UserPoolId: string, Username: string) => send(new AdminGetUserCommand({ UserPoolId, Username }));
    const signIn = (ClientId: string, USERNAME: string, PASSWORD: string) =>
      send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD } }));

    it('a case-sensitive pool holding Sam and sam: each name finds its own user, SAM neither', async () => {
      const p = await pool();
      const c = await client(p);
      await user(p, 'Sam', {}, PASSWORD);
      await user(p, 'sam', {}, OTHER_PASSWORD);
      assert.equal((await getUser(p, 'Sam')).Username, 'Sam');
      assert.equal((await getUser(p, 'sam')).Username, 'sam');
      await expectError(getUser(p, 'SAM'), 'UserNotFoundException', 'User does not exist.');
      assert.ok((await signIn(c, 'Sam', PASSWORD)).AuthenticationResult);
      assert.ok((await signIn(c, 'sam', OTHER_PASSWORD)).AuthenticationResult);
      await expectError(signIn(c, 'Sam', OTHER_PASSWORD), 'NotAuthorizedException');
      await expectError(signIn(c, 'SAM', PASSWORD), 'UserNotFoundException');
    });

    it('a case-insensitive pool: any case of the name finds the user, as created', async () => {
      const p = await pool({ UsernameConfiguration: { CaseSensitive: false } });
      const c = await client(p);
      await user(p, 'Rita');
      for (const name of ['Rita', 'rita', 'RITA', 'rITA']) assert.equal((await getUser(p, name)).Username, 'Rita', name);
      assert.ok((await signIn(c, 'RITA', PASSWORD)).AuthenticationResult);
      assert.deepEqual((await send(new AdminListGroupsForUserCommand({ UserPoolId: p, Username: 'rItA' }))).Groups, []);
    });

    it('email as username: found by the email in any case and by the username (the sub)', async () => {
      const p = await pool({ UsernameAttributes: ['email'] });
      const c = await client(p);
      const u = await user(p, 'nina@example.com');
      for (const name of ['nina@example.com', 'NINA@Example.COM', u.Username]) assert.equal((await getUser(p, name)).Username, u.Username, name);
      assert.ok((await signIn(c, 'Nina@Example.com', PASSWORD)).AuthenticationResult);
    });

    it('aliases: emails in any case, other aliases as the pool compares usernames; a username comes first', async () => {
      const p = await pool({ AliasAttributes: ['email', 'preferred_username'] });
      const c = await client(p);
      await user(p, 'bo');
      await user(p, 'olga', { email: 'olga@example.com', email_verified: 'true', preferred_username: 'bo' });
      await user(p, 'pat', { preferred_username: 'Patty' });
      assert.equal((await getUser(p, 'OLGA@example.com')).Username, 'olga');
      assert.equal((await getUser(p, 'Patty')).Username, 'pat');
      await expectError(getUser(p, 'patty'), 'UserNotFoundException', 'User does not exist.');
      assert.equal((await getUser(p, 'bo')).Username, 'bo', 'the username, not the alias another user holds');
      assert.ok((await signIn(c, 'Olga@Example.com', PASSWORD)).AuthenticationResult);
      await send(new AdminDeleteUserCommand({ UserPoolId: p, Username: 'olga@example.com' }));
      await expectError(getUser(p, 'olga'), 'UserNotFoundException');
    });

    it('by sub, in any case; unknown pools and users', async () => {
      const p = await pool();
      const u = await user(p, 'quinn');
      assert.equal((await getUser(p, sub(u))).Username, 'quinn');
      assert.equal((await getUser(p, sub(u).toUpperCase())).Username, 'quinn');
      await send(new CreateGroupCommand({ UserPoolId: p, GroupName: 'g' }));
      await send(new AdminAddUserToGroupCommand({ UserPoolId: p, GroupName: 'g', Username: 'quinn' }));
      assert.deepEqual((await send(new AdminListGroupsForUserCommand({ UserPoolId: p, Username: sub(u) }))).Groups.map((g: any) => g.GroupName), ['g']);
      await expectError(getUser(p, 'nobody'), 'UserNotFoundException', 'User does not exist.');
      await expectError(getUser(p, '0b6e0c2e-1111-4222-8333-944455556666'), 'UserNotFoundException', 'User does not exist.');
      const missing = p.replace(/_.*/, '_NoSuchPool');
      await expectError(getUser(missing, 'quinn'), 'ResourceNotFoundException', `User pool ${missing} does not exist.`);
      await expectError(send(new AdminUserGlobalSignOutCommand({ UserPoolId: missing, Username: 'quinn' })), 'ResourceNotFoundException');
    });

    it("AdminGetUser remembers only a pool's username rules: a deleted pool is not found at once, a pool under the same id again is read again", async () => {
      const store = t.server.store;
      // A node that has answered for a pool, which is then deleted: ResourceNotFoundException at once.
      const gone = await pool({ UsernameConfiguration: { CaseSensitive: false } });
      await user(gone, 'Sam');
      assert.equal((await getUser(gone, 'SAM')).Username, 'Sam');
      await send(new DeleteUserPoolCommand({ UserPoolId: gone }));
      await expectError(getUser(gone, 'Sam'), 'ResourceNotFoundException', `User pool ${gone} does not exist.`);

      // The same id again, with other rules (case-sensitive now): what a pool deleted and created again
      // under its id would be, written through the store since the API never reuses ids.
      const p = await pool({ UsernameConfiguration: { CaseSensitive: false } });
      await user(p, 'Sam');
      assert.equal((await getUser(p, 'SAM')).Username, 'Sam', 'the node now knows the pool compares names case-insensitively');
      const old = (await store.pools.get(p))!;
      await store.pools.delete(p);
      await store.pools.insert({ ...old, createdAt: old.createdAt + 1000, settings: { ...old.settings, UsernameConfiguration: { CaseSensitive: true } } });
      await store.users.insert(userRow(p, 'Sam', '7b0f3c5e-bbbb-4bbb-8ccc-0123456789ab'));
      assert.equal((await getUser(p, 'Sam')).Username, 'Sam', 'the name is looked up by the new pool\'s rules');
      await expectError(getUser(p, 'SAM'), 'UserNotFoundException', 'User does not exist.');
    });

    it("AdminGetUser's lookup finds what the other operations' lookup finds, for every kind of pool and name, after the pool is updated", async () => {
      const store = t.server.store;
      const configs: Partial<CreateUserPoolCommandInput>[] = [
        {},
        { UsernameConfiguration: { CaseSensitive: false } },
        { UsernameAttributes: ['email'] },
        { UsernameAttributes: ['phone_number'] },
        { UsernameAttributes: ['email', 'phone_number'], UsernameConfiguration: { CaseSensitive: false } },
        { AliasAttributes: ['email', 'phone_number', 'preferred_username'] },
        { AliasAttributes: ['preferred_username'], UsernameConfiguration: { CaseSensitive: false } },
      ];
      // The outcome without credentials (loadUserProfile never returns them), or the error.
      const outcome = (p: Promise<Record<string, unknown>>) =>
        p.then(
          ({ passwordHash, passwordUpdatedAt, srpVerifier, ...profile }) => ({ profile }),
          (e: Error) => ({ error: `${e.name}: ${e.message}` }),
        );
      for (const config of configs) {
        const p = await pool(config);
        const names = ['nobody', 'NOBODY', '0b6e0c2e-1111-4222-8333-944455556666', 'Ann@Example.com', 'ann@example.com', '+15550001', '+15550002'];
        const create = async (Username: string, attrs: Record<string, string>) => {
          const r = await send(new AdminCreateUserCommand({ UserPoolId: p, Username, MessageAction: 'SUPPRESS', UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })) }));
          names.push(r.User.Username, r.User.Username.toUpperCase(), sub(r.User), sub(r.User).toUpperCase());
        };
        if (config.UsernameAttributes) {
          if (config.UsernameAttributes.includes('email')) await create('Ann@Example.com', { phone_number: '+15550001' });
          if (config.UsernameAttributes.includes('phone_number')) await create('+15550002', { email: 'bob@example.com' });
          names.push('BOB@example.com');
        } else {
          await create('Sam', { email: 'Sam@Example.com', email_verified: 'true', preferred_username: 'Sammy', phone_number: '+15550003', phone_number_verified: 'true' });
          // Another user whose name differs only in case, where the pool tells them apart.
          if (config.UsernameConfiguration?.CaseSensitive !== false) await create('sam', {});
          names.push('sam@example.com', 'SAM', 'Sammy', 'sammy', '+15550003');
        }
        // The username rules survive UpdateUserPool (with and without other settings) and AddCustomAttributes.
        await send(new UpdateUserPoolCommand({ UserPoolId: p }));
        await send(new UpdateUserPoolCommand({ UserPoolId: p, AutoVerifiedAttributes: ['email'] }));
        await send(new AddCustomAttributesCommand({ UserPoolId: p, CustomAttributes: [{ Name: 'c1', AttributeDataType: 'String' }] }));
        const expected = [];
        for (const n of names) expected.push(await outcome(loadPoolAndUser(store, p, n).then((r) => r.user as unknown as Record<string, unknown>)));
        // Asked for all at once (one turn: the reads run together, batched on PostgreSQL).
        const got = await Promise.all(names.map((n) => outcome(loadUserProfile(store, p, n) as unknown as Promise<Record<string, unknown>>)));
        assert.deepEqual(got, expected, JSON.stringify(config));
        assert.ok(expected.filter((e) => 'profile' in e).length >= 4, 'the names find users');
      }
    });

    it('GetUser reads the client, pool, sign-in and user of the token in one go, and still checks each', async () => {
      const p = await pool();
      const c = await client(p);
      await user(p, 'ria');
      const a = (await signIn(c, 'ria', PASSWORD)).AuthenticationResult;
      const g = await send(new GetUserCommand({ AccessToken: a.AccessToken }));
      assert.equal(g.Username, 'ria');
      await send(new AdminUserGlobalSignOutCommand({ UserPoolId: p, Username: 'ria' }));
      await expectError(send(new GetUserCommand({ AccessToken: a.AccessToken })), 'NotAuthorizedException', 'Access Token has been revoked');
      const b = (await signIn(c, 'ria', PASSWORD)).AuthenticationResult;
      await send(new AdminDeleteUserCommand({ UserPoolId: p, Username: 'ria' }));
      await expectError(send(new GetUserCommand({ AccessToken: b.AccessToken })), 'UserNotFoundException', 'User does not exist.');
    });

    it('reads asked for together (one statement on PostgreSQL) each get their own answer', async () => {
      const p = await pool({ UsernameConfiguration: { CaseSensitive: false } });
      const c = await client(p);
      const names = ['ann', 'ben', 'cy', 'dot'];
      for (const n of names) await user(p, n);
      const tokens = [];
      for (const n of names) tokens.push((await signIn(c, n, PASSWORD)).AuthenticationResult.AccessToken);
      const store = t.server.store;
      const missing = p.replace(/_.*/, '_NoSuchPool');
      const asked = [...names, 'nobody', 'BEN', 'ann'];
      const [found, other, ...users] = await Promise.all([
        Promise.all(asked.map((n) => store.reads.poolAndUsers(p, n))),
        store.reads.poolAndUsers(missing, 'ann'),
        ...asked.map((n) => store.reads.userByKey(p, n.toLowerCase())),
      ]);
      assert.deepEqual(
        found.map((f) => f?.byUsername.map((u) => u.user.username)),
        [['ann'], ['ben'], ['cy'], ['dot'], [], ['ben'], ['ann']],
      );
      assert.ok(found.every((f) => f?.pool.id === p));
      assert.equal(other, undefined);
      assert.deepEqual(users.map((u) => (u as { username: string } | undefined)?.username), ['ann', 'ben', 'cy', 'dot', undefined, 'ben', 'ann']);
      const got = await Promise.all(tokens.map((AccessToken) => send(new GetUserCommand({ AccessToken }))));
      assert.deepEqual(got.map((g) => g.Username), names);
    });

    it('a read that fails does not fail the others asked for with it; a NUL in a token is an invalid token, not a database error', async () => {
      const p = await pool();
      await user(p, 'una');
      const store = t.server.store;
      const settled = await Promise.allSettled([store.reads.userByKey(p, 'una'), store.reads.userByKey(p, 'u\0na'), store.reads.userByKey(p, 'una')]);
      assert.equal(settled[0].status === 'fulfilled' && settled[0].value?.username, 'una');
      assert.equal(settled[2].status === 'fulfilled' && settled[2].value?.username, 'una');
      // PostgreSQL text cannot hold NUL: that read alone fails there; SQLite finds nobody.
      if (settled[1].status === 'fulfilled') assert.equal(settled[1].value, undefined);

      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const forged = (claims: object) => `${b64({ alg: 'RS256', kid: 'x' })}.${b64({ iss: `${t.url}/${p}`, token_use: 'access', ...claims })}.c2lnbmF0dXJl`;
      const c = await client(p);
      for (const claims of [{ client_id: 'a\0b' }, { client_id: c, origin_jti: 'j\0' }]) {
        await expectError(send(new GetUserCommand({ AccessToken: forged(claims) })), 'NotAuthorizedException', 'Invalid Access Token');
      }
    });

    it('a read asked for just before a transaction begins: it does not see the transaction, and the transaction may await it', async () => {
      const p = await pool();
      const store = t.server.store;
      const row = userRow(p, 'tx-early', '7b0f3c5e-cccc-4bbb-8ccc-0123456789ab');
      // Asked for in the same turn as the transaction that inserts the row and rolls back.
      const early = store.reads.userByKey(p, 'tx-early');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.users.insert(row);
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal(await early, undefined);
      // Awaited inside the transaction that began after it (on SQLite it would otherwise wait for the
      // connection that transaction holds).
      const before = store.reads.userByKey(p, 'tx-early');
      const done = await Promise.race([
        store.transaction(async () => {
          await before;
          return 'done';
        }),
        new Promise((r) => setTimeout(r, 5000, 'the read never came')),
      ]);
      assert.equal(done, 'done');
    });

    it("a read outside a transaction never sees another request's uncommitted rows; one inside sees its own", async () => {
      const p = await pool();
      const store = t.server.store;
      const row = userRow(p, 'tx-user', '7b0f3c5e-aaaa-4bbb-8ccc-0123456789ab');
      let outside: Promise<unknown> | undefined;
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.users.insert(row);
          assert.equal((await tx.reads.userByKey(p, 'tx-user'))?.username, 'tx-user', 'the transaction sees its own row');
          outside = store.reads.poolAndUsers(p, 'tx-user');
          // Let the outside read run (PostgreSQL) or queue behind the transaction (SQLite).
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('roll back');
        }),
        /roll back/,
      );
      const found = (await outside) as { byUsername: unknown[] } | undefined;
      assert.deepEqual(found?.byUsername, [], 'the rolled-back row was never seen');
      assert.equal(await store.reads.userByKey(p, 'tx-user'), undefined);
    });
  });
}
