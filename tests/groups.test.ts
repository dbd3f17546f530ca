/** User pool groups through the real SDK: CRUD, membership, pagination, quotas, cascades and races, on both stores. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteGroupCommand,
  DeleteUserPoolCommand,
  GetGroupCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  UpdateGroupCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { backends, expectError, rawCall, startTestServer, type TestServer } from './harness.js';

const PASSWORD = 'Correct-Horse-9';
const ROLE = 'arn:aws:iam::123456789012:role/admins';
const ROLE2 = 'arn:aws:iam::123456789012:role/editors';
const T = 'AWSCognitoIdentityProviderService.';
const MISSING_POOL = 'us-east-1_missing00';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of await backends()) {
  describe(`groups (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    async function pool(input: Partial<CreateUserPoolCommandInput> = {}) {
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'groups', ...input }));
      return UserPool.Id as string;
    }
    async function user(poolId: string, Username: string, attrs: Record<string, string> = {}) {
      const { User } = await send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username,
          MessageAction: 'SUPPRESS',
          TemporaryPassword: PASSWORD,
          UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      return User;
    }
    const group = (UserPoolId: string, GroupName: string, extra: Record<string, unknown> = {}) =>
      send(new CreateGroupCommand({ UserPoolId, GroupName, ...extra })).then((r) => r.Group);
    const add = (UserPoolId: string, Username: string, GroupName: string) => send(new AdminAddUserToGroupCommand({ UserPoolId, Username, GroupName }));
    const remove = (UserPoolId: string, Username: string, GroupName: string) => send(new AdminRemoveUserFromGroupCommand({ UserPoolId, Username, GroupName }));
    const groupsOf = async (UserPoolId: string, Username: string) =>
      ((await send(new AdminListGroupsForUserCommand({ UserPoolId, Username }))).Groups as { GroupName: string }[]).map((g) => g.GroupName);
    const membersOf = async (UserPoolId: string, GroupName: string) =>
      ((await send(new ListUsersInGroupCommand({ UserPoolId, GroupName }))).Users as { Username: string }[]).map((u) => u.Username);
    /** Runs the calls `width` at a time. */
    async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>) {
      for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
    }
    /** Follows NextToken from the first page to the last, returning each page's names. */
    async function walk(call: (token?: string) => Promise<{ names: string[]; next?: string }>) {
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const { names, next } = await call(token);
        pages.push(names);
        token = next;
      } while (token !== undefined);
      return pages;
    }

    describe('CreateGroup, GetGroup', () => {
      it('round-trips description, role and precedence, with dates in epoch seconds', async () => {
        const p = await pool();
        const before = Date.now();
        const g = await group(p, 'admins', { Description: 'The administrators', RoleArn: ROLE, Precedence: 3 });
        assert.equal(g.GroupName, 'admins');
        assert.equal(g.UserPoolId, p);
        assert.equal(g.Description, 'The administrators');
        assert.equal(g.RoleArn, ROLE);
        assert.equal(g.Precedence, 3);
        assert.ok(g.CreationDate instanceof Date);
        assert.ok(Math.abs(g.CreationDate.getTime() - before) < 5000);
        assert.equal(g.LastModifiedDate.getTime(), g.CreationDate.getTime());
        const { Group } = await send(new GetGroupCommand({ UserPoolId: p, GroupName: 'admins' }));
        assert.deepEqual(Group, g);
      });

      it('leaves out members that are not set; Precedence 0 is kept', async () => {
        const p = await pool();
        const g = await group(p, 'plain');
        assert.deepEqual(Object.keys(g).sort(), ['CreationDate', 'GroupName', 'LastModifiedDate', 'UserPoolId']);
        const zero = await group(p, 'first', { Precedence: 0 });
        assert.equal(zero.Precedence, 0);
        const raw = await rawCall(t.url, T + 'GetGroup', JSON.stringify({ UserPoolId: p, GroupName: 'plain' }));
        assert.equal(raw.status, 200);
        assert.deepEqual(Object.keys(raw.json.Group).sort(), ['CreationDate', 'GroupName', 'LastModifiedDate', 'UserPoolId']);
        assert.equal(typeof raw.json.Group.CreationDate, 'number');
        assert.ok(Math.abs(raw.json.Group.CreationDate - Date.now() / 1000) < 60, 'epoch seconds, not milliseconds');
      });

      it('refuses a taken name; names are case-sensitive', async () => {
        const p = await pool();
        await group(p, 'admins', { Precedence: 1 });
        await expectError(group(p, 'admins'), 'GroupExistsException', 'A group with the name admins already exists.');
        const upper = await group(p, 'Admins', { Precedence: 2 });
        assert.equal(upper.GroupName, 'Admins');
        assert.equal((await send(new GetGroupCommand({ UserPoolId: p, GroupName: 'admins' }))).Group.Precedence, 1);
        assert.equal((await send(new GetGroupCommand({ UserPoolId: p, GroupName: 'Admins' }))).Group.Precedence, 2);
        await expectError(send(new GetGroupCommand({ UserPoolId: p, GroupName: 'ADMINS' })), 'ResourceNotFoundException', 'Group not found.');
        // The same name in another pool is another group.
        const other = await pool();
        assert.equal((await group(other, 'admins')).UserPoolId, other);
      });

      it('10 concurrent CreateGroups of one name: exactly one wins', async () => {
        const p = await pool();
        const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => group(p, 'race', { Precedence: i })));
        const ok = results.filter((r): r is PromiseFulfilledResult<any> => r.status === 'fulfilled');
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(ok.length, 1);
        assert.equal(failed.length, 9);
        for (const f of failed) {
          assert.equal(f.reason.name, 'GroupExistsException', f.reason.message);
          assert.equal(f.reason.message, 'A group with the name race already exists.');
        }
        const { Groups } = await send(new ListGroupsCommand({ UserPoolId: p }));
        assert.equal(Groups.length, 1);
        assert.equal(Groups[0].Precedence, ok[0]!.value.Precedence, 'the stored group is the winner');
      });

      it('a pool holds at most 10,000 groups (LimitExceededException)', async () => {
        const p = await pool();
        // 9,999 groups straight into the store (through the API this would take minutes), then the API.
        await t.server.store.transaction(async (tx) => {
          for (let i = 0; i < 9_999; i++) {
            await tx.groups.insert({ poolId: p, name: `g${String(i).padStart(5, '0')}`, description: null, roleArn: null, precedence: null, createdAt: 1, updatedAt: 1 });
          }
        });
        await group(p, 'the-10000th');
        await expectError(group(p, 'one-too-many'), 'LimitExceededException', 'The user pool has reached its limit of 10000 groups.');
        await send(new DeleteGroupCommand({ UserPoolId: p, GroupName: 'g00000' }));
        await group(p, 'one-too-many');
      });
    });

    describe('UpdateGroup, DeleteGroup', () => {
      it('UpdateGroup changes only the fields given and moves LastModifiedDate', async () => {
        const p = await pool();
        const created = await group(p, 'editors', { Description: 'Edit things', RoleArn: ROLE, Precedence: 5 });
        await sleep(20);
        let { Group: g } = await send(new UpdateGroupCommand({ UserPoolId: p, GroupName: 'editors', Precedence: 0 }));
        assert.equal(g.Precedence, 0);
        assert.equal(g.Description, 'Edit things');
        assert.equal(g.RoleArn, ROLE);
        assert.equal(g.CreationDate.getTime(), created.CreationDate.getTime());
        assert.ok(g.LastModifiedDate.getTime() > created.LastModifiedDate.getTime());
        ({ Group: g } = await send(new UpdateGroupCommand({ UserPoolId: p, GroupName: 'editors', Description: 'Edit more things' })));
        assert.deepEqual([g.Description, g.RoleArn, g.Precedence], ['Edit more things', ROLE, 0]);
        ({ Group: g } = await send(new UpdateGroupCommand({ UserPoolId: p, GroupName: 'editors', RoleArn: ROLE2 })));
        assert.deepEqual([g.Description, g.RoleArn, g.Precedence], ['Edit more things', ROLE2, 0]);
        ({ Group: g } = await send(new UpdateGroupCommand({ UserPoolId: p, GroupName: 'editors' })));
        assert.deepEqual([g.Description, g.RoleArn, g.Precedence], ['Edit more things', ROLE2, 0]);
        const { Group: got } = await send(new GetGroupCommand({ UserPoolId: p, GroupName: 'editors' }));
        assert.deepEqual(got, g);
        // A group created bare gains the fields an update gives it.
        await group(p, 'bare');
        ({ Group: g } = await send(new UpdateGroupCommand({ UserPoolId: p, GroupName: 'bare', Description: 'now described', Precedence: 7, RoleArn: ROLE })));
        assert.deepEqual([g.Description, g.RoleArn, g.Precedence], ['now described', ROLE, 7]);
      });

      it('missing groups and pools are ResourceNotFoundException', async () => {
        const p = await pool();
        await expectError(send(new GetGroupCommand({ UserPoolId: p, GroupName: 'ghost' })), 'ResourceNotFoundException', 'Group not found.');
        await expectError(send(new UpdateGroupCommand({ UserPoolId: p, GroupName: 'ghost', Precedence: 1 })), 'ResourceNotFoundException', 'Group not found.');
        await expectError(send(new DeleteGroupCommand({ UserPoolId: p, GroupName: 'ghost' })), 'ResourceNotFoundException', 'Group not found.');
        await expectError(send(new ListUsersInGroupCommand({ UserPoolId: p, GroupName: 'ghost' })), 'ResourceNotFoundException', 'Group not found.');
        await group(p, 'gone');
        await send(new DeleteGroupCommand({ UserPoolId: p, GroupName: 'gone' }));
        await expectError(send(new GetGroupCommand({ UserPoolId: p, GroupName: 'gone' })), 'ResourceNotFoundException', 'Group not found.');
        await expectError(send(new DeleteGroupCommand({ UserPoolId: p, GroupName: 'gone' })), 'ResourceNotFoundException', 'Group not found.');
        const noPool = `User pool ${MISSING_POOL} does not exist.`;
        const U = { UserPoolId: MISSING_POOL };
        await expectError(send(new CreateGroupCommand({ ...U, GroupName: 'g' })), 'ResourceNotFoundException', noPool);
        await expectError(send(new GetGroupCommand({ ...U, GroupName: 'g' })), 'ResourceNotFoundException', noPool);
        await expectError(send(new UpdateGroupCommand({ ...U, GroupName: 'g' })), 'ResourceNotFoundException', noPool);
        await expectError(send(new DeleteGroupCommand({ ...U, GroupName: 'g' })), 'ResourceNotFoundException', noPool);
        await expectError(send(new ListGroupsCommand(U)), 'ResourceNotFoundException', noPool);
        await expectError(send(new AdminAddUserToGroupCommand({ ...U, GroupName: 'g', Username: 'u' })), 'ResourceNotFoundException', noPool);
        await expectError(send(new AdminRemoveUserFromGroupCommand({ ...U, GroupName: 'g', Username: 'u' })), 'ResourceNotFoundException', noPool);
        await expectError(send(new ListUsersInGroupCommand({ ...U, GroupName: 'g' })), 'ResourceNotFoundException', noPool);
        await expectError(send(new AdminListGroupsForUserCommand({ ...U, Username: 'u' })), 'ResourceNotFoundException', noPool);
      });

      it('requests are validated against the model', async () => {
        const p = await pool();
        await expectError(send(new CreateGroupCommand({ UserPoolId: p, GroupName: 'bad', Precedence: -1 })), 'InvalidParameterException', /precedence/);
        await expectError(send(new CreateGroupCommand({ UserPoolId: p, GroupName: 'bad', RoleArn: 'not-an-arn-at-all-really' })), 'InvalidParameterException', /roleArn/);
        await expectError(send(new CreateGroupCommand({ UserPoolId: p, GroupName: 'has space' })), 'InvalidParameterException', /groupName/);
        await expectError(send(new ListGroupsCommand({ UserPoolId: p, Limit: 61 })), 'InvalidParameterException', /limit/);
      });
    });

    describe('membership', () => {
      it('AdminAddUserToGroup is idempotent and finds users by username, alias or sub', async () => {
        const p = await pool({ AliasAttributes: ['preferred_username'] });
        const alice = await user(p, 'alice', { preferred_username: 'ally' });
        const sub = alice.Attributes.find((a: any) => a.Name === 'sub').Value;
        await user(p, 'bob');
        await group(p, 'admins');
        await group(p, 'editors');
        await group(p, 'viewers');
        await add(p, 'alice', 'admins');
        await add(p, 'alice', 'admins');
        await add(p, sub, 'editors');
        await add(p, 'ally', 'viewers');
        await add(p, 'bob', 'viewers');
        assert.deepEqual(await membersOf(p, 'admins'), ['alice']);
        assert.deepEqual(await membersOf(p, 'viewers'), ['alice', 'bob']);
        assert.deepEqual(await groupsOf(p, 'alice'), ['admins', 'editors', 'viewers']);
        assert.deepEqual(await groupsOf(p, sub), ['admins', 'editors', 'viewers']);
        assert.deepEqual(await groupsOf(p, 'bob'), ['viewers']);
      });

      it('unknown users and groups are errors for add, remove and list', async () => {
        const p = await pool();
        await user(p, 'alice');
        await group(p, 'admins');
        await expectError(add(p, 'ghost', 'admins'), 'UserNotFoundException', 'User does not exist.');
        await expectError(add(p, 'alice', 'ghosts'), 'ResourceNotFoundException', 'Group not found.');
        await expectError(remove(p, 'ghost', 'admins'), 'UserNotFoundException', 'User does not exist.');
        await expectError(remove(p, 'alice', 'ghosts'), 'ResourceNotFoundException', 'Group not found.');
        await expectError(send(new AdminListGroupsForUserCommand({ UserPoolId: p, Username: 'ghost' })), 'UserNotFoundException', 'User does not exist.');
        await expectError(add(p, 'alice', 'Admins'), 'ResourceNotFoundException', 'Group not found.');
        assert.deepEqual(await groupsOf(p, 'alice'), []);
      });

      it('AdminRemoveUserFromGroup removes a member; removing a non-member is fine', async () => {
        const p = await pool();
        await user(p, 'alice');
        await user(p, 'bob');
        await group(p, 'admins');
        await add(p, 'alice', 'admins');
        await add(p, 'bob', 'admins');
        await remove(p, 'alice', 'admins');
        assert.deepEqual(await membersOf(p, 'admins'), ['bob']);
        await remove(p, 'alice', 'admins');
        assert.deepEqual(await membersOf(p, 'admins'), ['bob']);
        assert.deepEqual(await groupsOf(p, 'alice'), []);
      });

      it('usernames are matched case-insensitively in case-insensitive pools', async () => {
        const p = await pool({ UsernameConfiguration: { CaseSensitive: false } });
        await user(p, 'Carol');
        await group(p, 'staff');
        await add(p, 'CAROL', 'staff');
        await add(p, 'carol', 'staff');
        assert.deepEqual(await membersOf(p, 'staff'), ['Carol']);
        assert.deepEqual(await groupsOf(p, 'cArOl'), ['staff']);
        await remove(p, 'carol', 'staff');
        assert.deepEqual(await membersOf(p, 'staff'), []);
      });

      it('ListUsersInGroup returns UserType as ListUsers does', async () => {
        const p = await pool();
        await user(p, 'dave', { email: 'dave@example.com', name: 'Dave' });
        await group(p, 'team');
        await add(p, 'dave', 'team');
        const { Users } = await send(new ListUsersInGroupCommand({ UserPoolId: p, GroupName: 'team' }));
        const { Users: all } = await send(new ListUsersCommand({ UserPoolId: p }));
        assert.deepEqual(Users, all);
        assert.equal(Users[0].UserStatus, 'FORCE_CHANGE_PASSWORD');
        assert.equal(Users[0].Enabled, true);
        assert.ok(Users[0].Attributes.some((a: any) => a.Name === 'email' && a.Value === 'dave@example.com'));
      });

      it('AdminListGroupsForUser returns GroupType with every field', async () => {
        const p = await pool();
        await user(p, 'erin');
        const g = await group(p, 'ops', { Description: 'Operations', RoleArn: ROLE, Precedence: 2 });
        await add(p, 'erin', 'ops');
        const { Groups } = await send(new AdminListGroupsForUserCommand({ UserPoolId: p, Username: 'erin' }));
        assert.deepEqual(Groups, [g]);
        const { Groups: listed } = await send(new ListGroupsCommand({ UserPoolId: p }));
        assert.deepEqual(listed, [g]);
      });
    });

    describe('group claims in tokens', () => {
      it('cognito:preferred_role: the lowest Precedence with a role; none when groups tie on it with different roles', async () => {
        const p = await pool();
        const { UserPoolClient } = await send(
          new CreateUserPoolClientCommand({ UserPoolId: p, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
        );
        const claims = async (Username: string) => {
          await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username, Password: PASSWORD, Permanent: true }));
          const r = await send(new InitiateAuthCommand({ ClientId: UserPoolClient.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: Username, PASSWORD } }));
          return decodeJwt(r.AuthenticationResult.IdToken);
        };
        await group(p, 'a-admins', { RoleArn: ROLE, Precedence: 1 });
        await group(p, 'b-editors', { RoleArn: ROLE2, Precedence: 1 });
        await group(p, 'c-admins-too', { RoleArn: ROLE, Precedence: 1 });
        await group(p, 'd-later', { RoleArn: ROLE2, Precedence: 5 });
        await group(p, 'e-unranked', { RoleArn: ROLE2 });
        await group(p, 'f-unranked', { RoleArn: ROLE });
        const member = async (Username: string, groups: string[]) => {
          await user(p, Username);
          for (const g of groups) await add(p, Username, g);
          return claims(Username);
        };
        // Two groups share the lowest Precedence with different roles: no preferred role.
        const tie = await member('tie', ['a-admins', 'b-editors', 'd-later']);
        assert.deepEqual(tie['cognito:roles'], [ROLE, ROLE2]);
        assert.equal(tie['cognito:preferred_role'], undefined);
        // The same tie with the same role: that role.
        assert.equal((await member('same', ['a-admins', 'c-admins-too', 'd-later']))['cognito:preferred_role'], ROLE);
        assert.equal((await member('ranked', ['d-later', 'e-unranked']))['cognito:preferred_role'], ROLE2);
        // A null Precedence ranks after every number, and a lone unranked group with a role is preferred.
        assert.equal((await member('lone', ['f-unranked']))['cognito:preferred_role'], ROLE);
        assert.equal((await member('unranked', ['e-unranked', 'f-unranked']))['cognito:preferred_role'], undefined);
      });

      it('REFRESH_TOKEN_AUTH: the groups at the time of the refresh, by name, in both tokens; none once the user has left them', async () => {
        const p = await pool();
        const { UserPoolClient } = await send(
          new CreateUserPoolClientCommand({ UserPoolId: p, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
        );
        await group(p, 'z-last', { RoleArn: ROLE2, Precedence: 2 });
        await group(p, 'a-first', { RoleArn: ROLE, Precedence: 1 });
        await group(p, 'm-plain');
        await user(p, 'refresher');
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'refresher', Password: PASSWORD, Permanent: true }));
        await add(p, 'refresher', 'z-last');
        const signedIn = await send(
          new InitiateAuthCommand({ ClientId: UserPoolClient.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'refresher', PASSWORD } }),
        );
        const RefreshToken = signedIn.AuthenticationResult.RefreshToken;
        assert.deepEqual(decodeJwt(signedIn.AuthenticationResult.IdToken)['cognito:groups'], ['z-last']);
        const refresh = async () => {
          const r = await send(new InitiateAuthCommand({ ClientId: UserPoolClient.ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: RefreshToken } }));
          return { id: decodeJwt(r.AuthenticationResult.IdToken), access: decodeJwt(r.AuthenticationResult.AccessToken) };
        };
        // Groups joined after the sign-in show in the refreshed tokens, by name, with their roles.
        await add(p, 'refresher', 'm-plain');
        await add(p, 'refresher', 'a-first');
        const three = await refresh();
        assert.deepEqual(three.id['cognito:groups'], ['a-first', 'm-plain', 'z-last']);
        assert.deepEqual(three.access['cognito:groups'], ['a-first', 'm-plain', 'z-last']);
        assert.deepEqual(three.id['cognito:roles'], [ROLE, ROLE2]);
        assert.equal(three.id['cognito:preferred_role'], ROLE);
        // Without groups: no group claims at all.
        for (const g of ['a-first', 'm-plain', 'z-last']) await send(new AdminRemoveUserFromGroupCommand({ UserPoolId: p, Username: 'refresher', GroupName: g }));
        const none = await refresh();
        for (const claim of ['cognito:groups', 'cognito:roles', 'cognito:preferred_role']) {
          assert.equal(none.id[claim], undefined, claim);
          assert.equal(none.access[claim], undefined, claim);
        }
      });
    });

    describe('pagination', () => {
      const names = ['g-a', 'g-b', 'g-c', 'g-d', 'g-e', 'g-f', 'g-g'];
      const users = ['u-a', 'u-b', 'u-c', 'u-d', 'u-e', 'u-f', 'u-g'];

      it('ListGroups: 7 groups with Limit 3 come once each, by name, in pages of 3, 3, 1', async () => {
        const p = await pool();
        for (const n of [...names].reverse()) await group(p, n);
        const pages = await walk(async (token) => {
          const r = await send(new ListGroupsCommand({ UserPoolId: p, Limit: 3, NextToken: token }));
          return { names: r.Groups.map((g: any) => g.GroupName), next: r.NextToken };
        });
        assert.deepEqual(pages, [names.slice(0, 3), names.slice(3, 6), names.slice(6)]);
        const { Groups, NextToken } = await send(new ListGroupsCommand({ UserPoolId: p }));
        assert.equal(Groups.length, 7);
        assert.equal(NextToken, undefined);
        // A page that ends exactly at the last group has no NextToken.
        const seven = await send(new ListGroupsCommand({ UserPoolId: p, Limit: 7 }));
        assert.equal(seven.Groups.length, 7);
        assert.equal(seven.NextToken, undefined);
      });

      it('ListUsersInGroup: 7 members with Limit 3 come once each, by username', async () => {
        const p = await pool();
        await group(p, 'all');
        await group(p, 'other');
        for (const u of [...users].reverse()) {
          await user(p, u);
          await add(p, u, 'all');
        }
        await user(p, 'not-a-member');
        await add(p, 'not-a-member', 'other');
        const pages = await walk(async (token) => {
          const r = await send(new ListUsersInGroupCommand({ UserPoolId: p, GroupName: 'all', Limit: 3, NextToken: token }));
          return { names: r.Users.map((u: any) => u.Username), next: r.NextToken };
        });
        assert.deepEqual(pages, [users.slice(0, 3), users.slice(3, 6), users.slice(6)]);
      });

      it('AdminListGroupsForUser: 7 groups with Limit 3 come once each, by name', async () => {
        const p = await pool();
        await user(p, 'frank');
        await user(p, 'grace');
        for (const n of names) await group(p, n);
        await group(p, 'z-not-franks');
        for (const n of [...names].reverse()) await add(p, 'frank', n);
        await add(p, 'grace', 'z-not-franks');
        const pages = await walk(async (token) => {
          const r = await send(new AdminListGroupsForUserCommand({ UserPoolId: p, Username: 'frank', Limit: 3, NextToken: token }));
          return { names: r.Groups.map((g: any) => g.GroupName), next: r.NextToken };
        });
        assert.deepEqual(pages, [names.slice(0, 3), names.slice(3, 6), names.slice(6)]);
      });

      it('a page token is good only for the list that issued it', async () => {
        const p = await pool();
        await user(p, 'u:1');
        await user(p, 'u:2');
        for (const n of ['a', 'a:b', 'c']) {
          await group(p, n);
          await add(p, 'u:1', n);
          await add(p, 'u:2', n);
        }
        const groupsToken = (await send(new ListGroupsCommand({ UserPoolId: p, Limit: 1 }))).NextToken;
        const membersToken = (await send(new ListUsersInGroupCommand({ UserPoolId: p, GroupName: 'a', Limit: 1 }))).NextToken;
        const userToken = (await send(new AdminListGroupsForUserCommand({ UserPoolId: p, Username: 'u:1', Limit: 1 }))).NextToken;
        assert.ok(groupsToken && membersToken && userToken);
        const bad = 'The NextToken is not valid: pass the token a previous response returned.';
        await expectError(send(new ListGroupsCommand({ UserPoolId: p, NextToken: 'garbage' })), 'InvalidParameterException', bad);
        await expectError(send(new ListGroupsCommand({ UserPoolId: p, NextToken: membersToken })), 'InvalidParameterException', bad);
        await expectError(send(new ListUsersInGroupCommand({ UserPoolId: p, GroupName: 'a', NextToken: groupsToken })), 'InvalidParameterException', bad);
        await expectError(send(new ListUsersInGroupCommand({ UserPoolId: p, GroupName: 'a:b', NextToken: membersToken })), 'InvalidParameterException', bad);
        await expectError(send(new ListUsersInGroupCommand({ UserPoolId: p, GroupName: 'c', NextToken: membersToken })), 'InvalidParameterException', bad);
        await expectError(send(new AdminListGroupsForUserCommand({ UserPoolId: p, Username: 'u:2', NextToken: userToken })), 'InvalidParameterException', bad);
        await expectError(send(new AdminListGroupsForUserCommand({ UserPoolId: p, Username: 'u:1', NextToken: groupsToken })), 'InvalidParameterException', bad);
        const other = await pool();
        await expectError(send(new ListGroupsCommand({ UserPoolId: other, NextToken: groupsToken })), 'InvalidParameterException', bad);
        // The right tokens work.
        assert.deepEqual((await send(new ListGroupsCommand({ UserPoolId: p, NextToken: groupsToken }))).Groups.map((g: any) => g.GroupName), ['a:b', 'c']);
        assert.deepEqual((await send(new ListUsersInGroupCommand({ UserPoolId: p, GroupName: 'a', NextToken: membersToken }))).Users.map((u: any) => u.Username), ['u:2']);
        assert.deepEqual((await send(new AdminListGroupsForUserCommand({ UserPoolId: p, Username: 'u:1', NextToken: userToken }))).Groups.map((g: any) => g.GroupName), ['a:b', 'c']);
      });
    });

    describe('quotas', () => {
      it('a user belongs to at most 100 groups (LimitExceededException)', async () => {
        const p = await pool();
        await user(p, 'joiner');
        const names = Array.from({ length: 101 }, (_, i) => `team-${String(i).padStart(3, '0')}`);
        await inBatches(names, 20, (n) => group(p, n));
        await inBatches(names.slice(0, 100), 10, (n) => add(p, 'joiner', n));
        const limit = 'A user can belong to at most 100 groups.';
        await expectError(add(p, 'joiner', 'team-100'), 'LimitExceededException', limit);
        await add(p, 'joiner', 'team-000'); // already a member: still fine at the limit
        assert.equal((await t.server.store.groups.countForUser(p, 'joiner')), 100);
        await remove(p, 'joiner', 'team-000');
        await add(p, 'joiner', 'team-100');
        await expectError(add(p, 'joiner', 'team-000'), 'LimitExceededException', limit);
        const all: string[] = [];
        let token: string | undefined;
        do {
          const r = await send(new AdminListGroupsForUserCommand({ UserPoolId: p, Username: 'joiner', Limit: 60, NextToken: token }));
          all.push(...r.Groups.map((g: any) => g.GroupName));
          token = r.NextToken;
        } while (token);
        assert.deepEqual(all, names.slice(1));
      });

      it('concurrent adds of one user cannot pass the 100-groups quota', async () => {
        const p = await pool();
        await user(p, 'racer');
        const names = Array.from({ length: 105 }, (_, i) => `crew-${String(i).padStart(3, '0')}`);
        await inBatches(names, 20, (n) => group(p, n));
        await inBatches(names.slice(0, 95), 10, (n) => add(p, 'racer', n));
        const results = await Promise.allSettled(names.slice(95).map((n) => add(p, 'racer', n)));
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(results.length - failed.length, 5);
        for (const f of failed) assert.equal(f.reason.name, 'LimitExceededException', f.reason.message);
        assert.equal(await t.server.store.groups.countForUser(p, 'racer'), 100);
      });
    });

    describe('cleanup', () => {
      it('DeleteGroup removes its memberships; the users stay', async () => {
        const p = await pool();
        await user(p, 'alice');
        await user(p, 'bob');
        await group(p, 'doomed');
        await group(p, 'kept');
        await add(p, 'alice', 'doomed');
        await add(p, 'bob', 'doomed');
        await add(p, 'alice', 'kept');
        await send(new DeleteGroupCommand({ UserPoolId: p, GroupName: 'doomed' }));
        assert.deepEqual(await groupsOf(p, 'alice'), ['kept']);
        assert.deepEqual(await groupsOf(p, 'bob'), []);
        assert.equal(await t.server.store.groups.countForUser(p, 'bob'), 0, 'no membership row is left');
        // A new group of the same name starts empty.
        await group(p, 'doomed');
        assert.deepEqual(await membersOf(p, 'doomed'), []);
        const { Users } = await send(new ListUsersCommand({ UserPoolId: p }));
        assert.deepEqual(Users.map((u: any) => u.Username), ['alice', 'bob']);
      });

      it('deleting a user removes its memberships', async () => {
        const p = await pool();
        await user(p, 'alice');
        await user(p, 'bob');
        await group(p, 'g1');
        await group(p, 'g2');
        for (const g of ['g1', 'g2']) {
          await add(p, 'alice', g);
          await add(p, 'bob', g);
        }
        await send(new AdminDeleteUserCommand({ UserPoolId: p, Username: 'bob' }));
        assert.deepEqual(await membersOf(p, 'g1'), ['alice']);
        assert.deepEqual(await membersOf(p, 'g2'), ['alice']);
        assert.equal(await t.server.store.groups.countForUser(p, 'bob'), 0, 'no membership row is left');
        // A new user of the same name starts in no group.
        await user(p, 'bob');
        assert.deepEqual(await groupsOf(p, 'bob'), []);
        assert.deepEqual(await membersOf(p, 'g1'), ['alice']);
      });

      it('deleting the pool removes its groups and memberships', async () => {
        const p = await pool();
        await user(p, 'alice');
        await group(p, 'g1', { Description: 'x' });
        await add(p, 'alice', 'g1');
        await send(new DeleteUserPoolCommand({ UserPoolId: p }));
        await expectError(send(new ListGroupsCommand({ UserPoolId: p })), 'ResourceNotFoundException', `User pool ${p} does not exist.`);
        const store = t.server.store;
        assert.equal(await store.groups.count(p), 0);
        assert.equal(await store.groups.countForUser(p, 'alice'), 0);
        assert.deepEqual(await store.groups.list(p, undefined, 10), []);
      });
    });
  });
}
