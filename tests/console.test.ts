/**
 * The web console (/_incognito/console) through HTTP, on each store: its pages, the actions and
 * their effect as the SDK sees it, Cognito's errors on bad input, the CSRF token (forms posted with
 * and without it, with another, from another site), HTML escaping of attacker-controlled values,
 * no secrets on the pages, the admin keys (none, wrong, right, a read-only policy), the log line,
 * and --console false. The same pages in Chromium: tests/browser-console.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { adminFetch, backends, captureStdout, expectError, startTestServer, TEST_KEY, type TestServer } from './harness.js';
import { FormClient, pageMessage, type PageResult } from './hosted.js';
import { esc } from '../src/oauth/pages.js';

const PASSWORD = 'Correct-Horse-9';
const XSS = '<script>alert("owned")</script>';

/** A FormClient that sends an Authorization header with every request (HTTP Basic of a key), or none. */
class ConsoleClient extends FormClient {
  constructor(
    base: string,
    private readonly authorization = '',
  ) {
    super(base);
  }
  override request(pathOrUrl: string, init: RequestInit = {}): Promise<PageResult> {
    const headers = { ...(init.headers as Record<string, string>), ...(this.authorization ? { authorization: this.authorization } : {}) };
    return super.request(pathOrUrl, { ...init, headers });
  }
}

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');
const C = '/_incognito/console';

/** The index of the form whose action ends with `suffix` on the page. */
function formIndex(page: PageResult, suffix: string): number {
  const actions = [...page.html.matchAll(/<form method="post" action="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  const i = actions.findIndex((a) => a.split('?')[0]!.endsWith(suffix));
  assert.ok(i >= 0, `no form posting to ...${suffix} on the page (forms: ${actions.join(', ')})`);
  return i;
}

/** The text of the page with its tags taken out (what a reader sees, roughly). */
const text = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');

for (const backend of await backends()) {
  describe(`web console over HTTP (${backend.name})`, () => {
    let t: TestServer;
    let poolId: string;
    let clientSecret: string;
    let clientId: string;
    let publicClientId: string;
    before(async () => {
      t = await startTestServer(backend);
      const { UserPool } = await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'console', AutoVerifiedAttributes: ['email'] }));
      poolId = UserPool!.Id!;
      const { UserPoolClient } = await t.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'backend', GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
      clientId = UserPoolClient!.ClientId!;
      clientSecret = UserPoolClient!.ClientSecret!;
      publicClientId = (await t.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app' }))).UserPoolClient!.ClientId!;
      await t.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Description: 'People who run things' }));
      for (let i = 1; i <= 28; i++) {
        await t.cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: poolId,
            Username: `user${String(i).padStart(2, '0')}`,
            MessageAction: 'SUPPRESS',
            TemporaryPassword: PASSWORD,
            UserAttributes: [{ Name: 'email', Value: `user${i}@example.com` }],
          }),
        );
      }
    });
    after(() => t.close());

    it('shows the pools, a pool with its clients (secret hidden), the users and their search, a user', async () => {
      const b = new ConsoleClient(t.url);
      const pools = await b.get(C);
      assert.equal(pools.status, 200);
      assert.match(pools.headers.get('content-type')!, /^text\/html/);
      assert.match(pools.headers.get('content-security-policy')!, /default-src 'none'/);
      assert.match(pools.headers.get('set-cookie')!, /^incognito_console=[\w-]{43}; Path=\/_incognito\/console; HttpOnly; SameSite=Lax$/);
      assert.ok(pools.html.includes(`href="${C}/pools/${poolId}"`), 'the pool is linked');

      const pool = await b.get(`${C}/pools/${poolId}`);
      assert.equal(pool.status, 200);
      assert.ok(pool.html.includes(clientId));
      assert.ok(text(pool.html).includes('confidential (secret hidden)'));
      const client = await b.get(`${C}/pools/${poolId}/clients/${clientId}`);
      assert.equal(client.status, 200);
      assert.ok(text(client.html).includes('set (not shown here)'));
      assert.ok(client.html.includes('ALLOW_USER_PASSWORD_AUTH'));
      for (const p of [pools, pool, client]) assert.ok(!p.html.includes(clientSecret), 'no client secret on any page');
      // (The secret is the client's, still: the SDK sees it.)
      assert.equal((await t.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!.ClientSecret, clientSecret);

      // The first page of users, then the next through the PaginationToken link.
      const users = await b.get(`${C}/pools/${poolId}/users`);
      assert.equal(users.status, 200);
      const names = (html: string) => [...html.matchAll(/\/users\/(user\d\d)"/g)].map((m) => m[1]!);
      assert.deepEqual(names(users.html), Array.from({ length: 25 }, (_, i) => `user${String(i + 1).padStart(2, '0')}`));
      const next = /id="next" href="([^"]*)"/.exec(users.html)![1]!.replace(/&amp;/g, '&');
      assert.deepEqual(names((await b.get(next)).html), ['user26', 'user27', 'user28']);

      // The search: email ^= "user1" (ListUsers' prefix filter), then an exact username, then a status.
      const search = async (attr: string, op: string, value: string) =>
        names((await b.get(`${C}/pools/${poolId}/users?${new URLSearchParams({ attr, op, value })}`)).html);
      // (In the order of the filtered attribute: "user10@..." before "user1@...".)
      assert.deepEqual((await search('email', '^=', 'user1')).sort(), ['user01', 'user10', 'user11', 'user12', 'user13', 'user14', 'user15', 'user16', 'user17', 'user18', 'user19']);
      assert.deepEqual(await search('username', '=', 'user07'), ['user07']);
      assert.deepEqual(await search('cognito:user_status', '=', 'force_change_password'), names(users.html));
      assert.deepEqual(await search('email', '=', 'a"b\\'), [], 'a quote and a backslash are escaped in the filter, not a parse error');
      const filtered = await b.get(`${C}/pools/${poolId}/users?attr=email&op=%5E%3D&value=user2`);
      assert.ok(filtered.html.includes('email ^= &quot;user2&quot;'), 'the filter is shown');

      const user = await b.get(`${C}/pools/${poolId}/users/user07`);
      assert.equal(user.status, 200);
      assert.ok(user.html.includes('user7@example.com'));
      assert.ok(text(user.html).includes('FORCE_CHANGE_PASSWORD'));
      const stored = (await t.server.store.users.get(poolId, 'user07'))!;
      assert.ok(stored.passwordHash && stored.srpVerifier);
      assert.ok(!user.html.includes('$argon2') && !user.html.includes(stored.passwordHash) && !user.html.includes(stored.srpVerifier), 'no password hash or SRP verifier');

      const missing = await b.get(`${C}/pools/${poolId}/users/nobody`);
      assert.equal(missing.status, 404);
      assert.equal(pageMessage(missing.html), 'UserNotFoundException: User does not exist.');
      assert.equal((await b.get(`${C}/pools/us-east-1_nope12345`)).status, 404);
      assert.equal((await b.get(`${C}/no/such/page`)).status, 404);
      const wrongMethod = await b.request(`${C}/pools/${poolId}/users/user07/delete`, { method: 'PUT' });
      assert.equal(wrongMethod.status, 405);
    });

    it('creates a user as AdminCreateUser does (invitation in the outbox), and shows Cognito\'s error for a bad password', async () => {
      const b = new ConsoleClient(t.url);
      const users = await b.get(`${C}/pools/${poolId}/users`);
      const weak = await b.submit(users, { username: 'weak', email: 'weak@example.com', temporary_password: 'short', invite_email: 'on' }, formIndex(users, '/users'));
      assert.equal(weak.status, 400);
      assert.match(pageMessage(weak.html)!, /^InvalidPasswordException: Password did not conform with password policy: Password not long enough$/);
      assert.ok(weak.html.includes('value="weak@example.com"'), 'what was typed is kept');
      await expectError(t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'weak' })), 'UserNotFoundException');

      const created = await b.submit(users, { username: 'carol', email: 'carol@example.com', email_verified: 'on', invite_email: 'on' }, formIndex(users, '/users'));
      assert.equal(created.status, 303);
      assert.equal(created.location, `${C}/pools/${poolId}/users/carol?done=created`);
      const page = await b.follow(created);
      assert.equal(pageMessage(page.html), 'User created.');
      const u = await t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'carol' }));
      assert.equal(u.UserStatus, 'FORCE_CHANGE_PASSWORD');
      assert.deepEqual(Object.fromEntries(u.UserAttributes!.filter((a) => a.Name !== 'sub').map((a) => [a.Name, a.Value])), { email: 'carol@example.com', email_verified: 'true' });
      // The invitation with its temporary password: in the outbox, and on the console's Messages page.
      const outbox = (await (await adminFetch(`${t.url}/_incognito/messages?userPoolId=${poolId}&username=carol`)).json()) as { messages: { kind: string; code: string }[] };
      assert.equal(outbox.messages[0]!.kind, 'INVITATION');
      const messages = await b.get(`${C}/pools/${poolId}/messages?username=carol`);
      // (A generated temporary password may hold & < > " ': escaped on the page.)
      const code = `<span class="code">${esc(outbox.messages[0]!.code)}</span>`;
      assert.ok(messages.html.includes(code));
      assert.ok(page.html.includes(code), "the user's page shows its recent messages");

      // Resend (AdminCreateUser RESEND): a new temporary password in a new invitation.
      const resent = await b.submit(page, {}, formIndex(page, '/resend'));
      assert.equal(resent.status, 303);
      assert.equal(pageMessage((await b.follow(resent)).html), 'Invitation sent again, with a new temporary password.');
      const after = (await (await adminFetch(`${t.url}/_incognito/messages?userPoolId=${poolId}&username=carol`)).json()) as { messages: { kind: string; code: string }[] };
      assert.deepEqual(after.messages.map((m) => m.kind), ['INVITATION', 'INVITATION']);
      assert.notEqual(after.messages[0]!.code, outbox.messages[0]!.code);

      const again = await b.submit(users, { username: 'carol', email: 'c2@example.com' }, formIndex(users, '/users'));
      assert.equal(again.status, 400);
      assert.equal(pageMessage(again.html), 'UsernameExistsException: User account already exists');
      const badInput = await b.submit(users, { username: '' }, formIndex(users, '/users'));
      assert.equal(badInput.status, 400);
      assert.match(pageMessage(badInput.html)!, /^InvalidParameterException: /, 'the service model\'s validation, as the API');
    });

    it('creates a user in a pool that requires other attributes (name): a field for each, and name=value lines for any other', async () => {
      const { UserPool } = await t.cognito.send(
        new CreateUserPoolCommand({ PoolName: 'needs-name', Schema: [{ Name: 'name', AttributeDataType: 'String', Required: true, Mutable: true }, { Name: 'plan', AttributeDataType: 'String', Mutable: true }] }),
      );
      const id = UserPool!.Id!;
      const b = new ConsoleClient(t.url);
      const users = await b.get(`${C}/pools/${id}/users`);
      assert.ok(users.html.includes('name="attr.name"'), 'a field for the required attribute');
      assert.ok(users.html.includes('<textarea name="attributes"'), 'a field for other attributes');
      // Without the required attribute: Cognito's error, nothing created.
      const missing = await b.submit(users, { username: 'ada', email: 'ada@example.com' }, formIndex(users, '/users'));
      assert.equal(missing.status, 400);
      assert.match(pageMessage(missing.html)!, /^InvalidParameterException: Attributes did not conform to the schema: name: The attribute is required\s*$/);
      // A line that is not name=value: said so, the typed lines kept.
      const badLine = await b.submit(users, { username: 'ada', 'attr.name': 'Ada Lovelace', attributes: 'given_name=Ada\nLovelace' }, formIndex(users, '/users'));
      assert.equal(badLine.status, 400);
      assert.equal(pageMessage(badLine.html), 'InvalidParameterException: Other attributes, line 2 ("Lovelace"): write one attribute a line as name=value, e.g. given_name=Ada.');
      assert.ok(badLine.html.includes('given_name=Ada\nLovelace</textarea>') && badLine.html.includes('value="Ada Lovelace"'), 'what was typed is kept');
      // An unknown attribute: Cognito's error.
      const unknown = await b.submit(users, { username: 'ada', 'attr.name': 'Ada Lovelace', attributes: 'nickname_x=Ada' }, formIndex(users, '/users'));
      assert.equal(unknown.status, 400);
      assert.match(pageMessage(unknown.html)!, /^InvalidParameterException: .*nickname_x/);
      await expectError(t.cognito.send(new AdminGetUserCommand({ UserPoolId: id, Username: 'ada' })), 'UserNotFoundException');

      const made = await b.submit(users, { username: 'ada', email: 'ada@example.com', 'attr.name': 'Ada Lovelace', attributes: 'given_name = Ada\r\n\r\ncustom:plan=pro=max\n' }, formIndex(users, '/users'));
      assert.equal(made.status, 303, pageMessage(made.html));
      const u = await t.cognito.send(new AdminGetUserCommand({ UserPoolId: id, Username: 'ada' }));
      assert.deepEqual(Object.fromEntries(u.UserAttributes!.filter((a) => a.Name !== 'sub').map((a) => [a.Name, a.Value])), {
        name: 'Ada Lovelace',
        given_name: 'Ada',
        'custom:plan': 'pro=max',
        email: 'ada@example.com',
      });
    });

    it('opens users and groups named . and .. (and ~...): their links survive the URL parser', async () => {
      const b = new ConsoleClient(t.url);
      for (const name of ['.', '..', '~tilde', '%2E']) {
        await t.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: name, MessageAction: 'SUPPRESS', TemporaryPassword: PASSWORD }));
        await t.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: name }));
      }
      for (const name of ['.', '..', '~tilde', '%2E']) {
        const search = await b.get(`${C}/pools/${poolId}/users?${new URLSearchParams({ attr: 'username', op: '=', value: name })}`);
        const link = new RegExp(`href="([^"]*)">${esc(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</a>`).exec(search.html)?.[1];
        assert.ok(link, `a link to ${name}`);
        // fetch parses the link as a browser does (dot segments removed, %2E included).
        const page = await b.get(link!.replace(/&amp;/g, '&'));
        assert.equal(page.status, 200, `${name}: ${link}`);
        assert.equal(/<h1>([^<]*)<\/h1>/.exec(page.html)![1], esc(name));
        // An action on it goes back to its page, and acts on it.
        const disabled = await b.submit(page, {}, formIndex(page, '/disable'));
        assert.equal(disabled.status, 303, name);
        assert.equal((await b.follow(disabled)).status, 200);
        assert.equal((await t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: name }))).Enabled, false, name);
        const groups = await b.get(`${C}/pools/${poolId}/groups`);
        const glink = new RegExp(`href="([^"]*)">${esc(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</a>`).exec(groups.html)![1]!;
        const group = await b.get(glink);
        assert.equal(group.status, 200, `group ${name}: ${glink}`);
        assert.equal(/<h1>([^<]*)<\/h1>/.exec(group.html)![1], esc(name));
      }
    });

    it('sets a password, confirms, disables and enables, adds to and removes from a group, deletes after a confirmation', async () => {
      const b = new ConsoleClient(t.url);
      const get = (name: string) => t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: name }));
      let page = await b.get(`${C}/pools/${poolId}/users/user03`);

      // A refused action: back (303) to the user's page, which says why; reloading it posts nothing.
      const weak = await b.submit(page, { password: 'password', permanent: 'on' }, formIndex(page, '/password'));
      assert.equal(weak.status, 303);
      assert.match(weak.location!, new RegExp(`^${C}/pools/${poolId}/users/user03\\?error=`));
      const weakPage = await b.follow(weak);
      assert.equal(weakPage.status, 200);
      assert.match(pageMessage(weakPage.html)!, /^InvalidPasswordException: Password did not conform with policy: Password must have (uppercase|numeric|symbol)/);
      // The message is signed for this session: the same link in another browser, or with other words, shows none.
      assert.equal(pageMessage((await new ConsoleClient(t.url).get(weak.location!)).html), undefined);
      const forged = new URL(weak.location!, t.url);
      forged.searchParams.set('error', 'Your session expired: sign in at https://evil.example');
      assert.equal(pageMessage((await b.get(forged.pathname + forged.search)).html), undefined);
      assert.equal((await get('user03')).UserStatus, 'FORCE_CHANGE_PASSWORD');
      const set = await b.submit(page, { password: 'Another-Pass-7', permanent: 'on' }, formIndex(page, '/password'));
      assert.equal(set.status, 303);
      assert.equal(pageMessage((await b.follow(set)).html), 'Password set.');
      assert.equal((await get('user03')).UserStatus, 'CONFIRMED');
      // Temporary (the box not ticked): FORCE_CHANGE_PASSWORD again.
      await b.submit(page, { password: 'Another-Pass-8' }, formIndex(page, '/password'));
      assert.equal((await get('user03')).UserStatus, 'FORCE_CHANGE_PASSWORD');

      // Confirm: an UNCONFIRMED user (SignUp); a confirmed one is refused with Cognito's message.
      await t.cognito.send(new SignUpCommand({ ClientId: publicClientId, Username: 'dave', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'dave@example.com' }] }));
      page = await b.get(`${C}/pools/${poolId}/users/dave`);
      assert.equal((await b.submit(page, {}, formIndex(page, '/confirm'))).status, 303);
      assert.equal((await get('dave')).UserStatus, 'CONFIRMED');
      const twice = await b.follow(await b.submit(page, {}, formIndex(page, '/confirm')));
      assert.equal(pageMessage(twice.html), 'NotAuthorizedException: User cannot be confirmed. Current status is CONFIRMED');

      page = await b.get(`${C}/pools/${poolId}/users/dave`);
      assert.equal((await b.submit(page, {}, formIndex(page, '/disable'))).status, 303);
      assert.equal((await get('dave')).Enabled, false);
      page = await b.get(`${C}/pools/${poolId}/users/dave`);
      assert.ok(text(page.html).includes('Disabled'));
      // The search by status (ListUsers' `status = "Disabled"`) finds the disabled users only.
      const disabled = await b.get(`${C}/pools/${poolId}/users?attr=status&op=%3D&value=Disabled`);
      assert.deepEqual([...disabled.html.matchAll(/\/users\/([\w]+)"/g)].map((m) => m[1]), ['dave']);
      assert.equal((await b.submit(page, {}, formIndex(page, '/enable'))).status, 303);
      assert.equal((await get('dave')).Enabled, true);

      page = await b.get(`${C}/pools/${poolId}/users/dave`);
      assert.equal((await b.submit(page, { group: 'admins' }, formIndex(page, '/groups/add'))).status, 303);
      const groups = async () => (await t.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'dave' }))).Groups!.map((g) => g.GroupName);
      assert.deepEqual(await groups(), ['admins']);
      const members = await b.get(`${C}/pools/${poolId}/groups/admins`);
      assert.ok(members.html.includes(`${C}/pools/${poolId}/users/dave"`));
      const noGroup = await b.submit(page, { group: 'nosuchgroup' }, formIndex(page, '/groups/add'));
      assert.equal(noGroup.status, 303);
      assert.equal(pageMessage((await b.follow(noGroup)).html), 'ResourceNotFoundException: Group not found.');
      page = await b.get(`${C}/pools/${poolId}/users/dave`);
      assert.equal((await b.submit(page, {}, formIndex(page, '/groups/remove'))).status, 303);
      assert.deepEqual(await groups(), []);

      // Delete: a confirmation page first, then the POST.
      const confirmPage = await b.get(`${C}/pools/${poolId}/users/dave/delete`);
      assert.equal(confirmPage.status, 200);
      assert.ok(text(confirmPage.html).includes('This cannot be undone.'));
      assert.equal((await get('dave')).Username, 'dave', 'the confirmation page deletes nothing');
      const deleted = await b.submit(confirmPage, {}, formIndex(confirmPage, '/delete'));
      assert.equal(deleted.status, 303);
      assert.equal(deleted.location, `${C}/pools/${poolId}/users?done=deleted`);
      await expectError(get('dave'), 'UserNotFoundException');
      // A user that is not there: 404 and the users page with Cognito's reason, whatever the action.
      for (const action of ['/delete', '/disable', '/enable', '/confirm', '/resend', '/password', '/groups/add', '/groups/remove']) {
        const r = await b.request(`${C}/pools/${poolId}/users/dave${action}`, {
          method: 'POST',
          body: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]*)"/.exec(page.html)![1]!, password: 'Another-Pass-9', group: 'admins' }),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(r.status, 404, action);
        assert.equal(pageMessage(r.html), 'UserNotFoundException: User does not exist.', action);
        assert.ok(r.html.includes('id="users"') || r.html.includes('No users'), `${action}: the users page`);
      }
      assert.equal((await b.get(`${C}/pools/${poolId}/users/dave`)).status, 404);
      assert.equal((await b.get(`${C}/pools/${poolId}/users/dave/delete`)).status, 404);
    });

    it('heads a user of an email-as-username pool with the email (its username is a UUID)', async () => {
      const { UserPool } = await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'by-email', UsernameAttributes: ['email'] }));
      const id = UserPool!.Id!;
      const { User } = await t.cognito.send(new AdminCreateUserCommand({ UserPoolId: id, Username: 'pat@example.com', MessageAction: 'SUPPRESS', TemporaryPassword: PASSWORD }));
      assert.notEqual(User!.Username, 'pat@example.com');
      const b = new ConsoleClient(t.url);
      const page = await b.get(`${C}/pools/${id}/users/${User!.Username}`);
      assert.equal(/<h1>([^<]*)<\/h1>/.exec(page.html)![1], 'pat@example.com');
      assert.ok(text(page.html).includes(`Username ${User!.Username}`), 'the username (UUID) in the summary');
      const del = await b.get(`${C}/pools/${id}/users/${User!.Username}/delete`);
      assert.equal(/<h1>([^<]*)<\/h1>/.exec(del.html)![1], 'Delete pat@example.com?');
    });

    it('answers HEAD as GET (no body)', async () => {
      const head = await fetch(`${t.url}${C}/pools/${poolId}/users`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.match(head.headers.get('content-type')!, /^text\/html/);
      assert.equal(await head.text(), '');
      assert.ok(Number(head.headers.get('content-length')) > 1000, 'the length of the GET');
      assert.equal((await fetch(`${t.url}${C}/pools/${poolId}/users/nobody-here`, { method: 'HEAD' })).status, 404);
    });

    it('refuses a form without the CSRF token, with another one, without the session cookie, or from another site; nothing changes', async () => {
      const b = new ConsoleClient(t.url);
      const page = await b.get(`${C}/pools/${poolId}/users/user05`);
      const action = `${C}/pools/${poolId}/users/user05/disable`;
      const token = /name="_csrf" value="([^"]*)"/.exec(page.html)![1]!;
      const post = (client: FormClient, body: Record<string, string>, headers: Record<string, string> = {}) =>
        client.request(action, { method: 'POST', body: new URLSearchParams(body), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
      const refused = [
        await post(b, {}),
        await post(b, { _csrf: 'x'.repeat(43) }),
        await post(b, { _csrf: token }, { origin: 'https://evil.example' }),
        await post(b, { _csrf: token }, { 'sec-fetch-site': 'cross-site' }),
        // Another browser (no session cookie) with the token of this one.
        await post(new ConsoleClient(t.url), { _csrf: token }),
      ];
      for (const r of refused) {
        assert.equal(r.status, 403);
        // (Without keys, a page of another site is refused before the token is looked at: iam/hosts.ts.)
        assert.match(pageMessage(r.html)!, r === refused[2] ? /^Refused: a web page of https:\/\/evil\.example may not use the admin endpoints/ : /security token is missing or wrong/);
      }
      // Another session's token does not fit this session.
      const other = new ConsoleClient(t.url);
      const otherPage = await other.get(`${C}/pools/${poolId}/users/user05`);
      const otherToken = /name="_csrf" value="([^"]*)"/.exec(otherPage.html)![1]!;
      assert.notEqual(otherToken, token);
      assert.equal((await post(b, { _csrf: otherToken })).status, 403);
      assert.equal((await t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'user05' }))).Enabled, true, 'nothing was disabled');
      // The same token from the same session, from this origin: accepted.
      const accepted = await post(b, { _csrf: token }, { origin: new URL(t.url).origin, 'sec-fetch-site': 'same-origin' });
      assert.equal(accepted.status, 303);
      assert.equal((await t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'user05' }))).Enabled, false);
    });

    it('shows attacker-controlled values as text (attributes, usernames, message bodies)', async () => {
      await t.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: '<img/src=x/onerror=alert(1)>',
          TemporaryPassword: PASSWORD,
          DesiredDeliveryMediums: ['EMAIL'],
          UserAttributes: [
            { Name: 'email', Value: 'mallory@example.com' },
            { Name: 'name', Value: XSS },
            { Name: 'family_name', Value: '"><svg onload=alert(2)>' },
          ],
        }),
      );
      const b = new ConsoleClient(t.url);
      const user = await b.get(`${C}/pools/${poolId}/users/${encodeURIComponent('<img/src=x/onerror=alert(1)>')}`);
      assert.equal(user.status, 200);
      const users = await b.get(`${C}/pools/${poolId}/users?attr=email&op=%3D&value=mallory%40example.com`);
      const messages = await b.get(`${C}/pools/${poolId}/messages`);
      for (const p of [user, users, messages]) {
        assert.ok(!p.html.includes('<script>alert'), 'no script element');
        assert.ok(!/<img/i.test(p.html), 'no img element');
        assert.ok(!p.html.includes('<svg'), 'no svg element');
        assert.ok(!/<[^>]*[\s/]onerror=/i.test(p.html));
      }
      assert.ok(user.html.includes('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;'), 'the name is shown as text');
      assert.ok(user.html.includes('&quot;&gt;&lt;svg onload=alert(2)&gt;'));
      assert.ok(users.html.includes('&lt;img/src=x/onerror=alert(1)&gt;'));
      assert.ok(!/<script/i.test(user.html + users.html + messages.html), 'the console has no scripts at all');
    });

    it('logs each request as the other endpoints do (method, path, status; no query) and counts it in the metrics', async () => {
      const t2 = await startTestServer(backend, { logRequests: true });
      const cap = captureStdout();
      try {
        const res = await fetch(`${t2.url}${C}?value=secret-search`);
        await res.text();
        await new Promise((r) => setImmediate(r));
      } finally {
        cap.restore();
      }
      const line = cap.lines().find((l) => l.path === C);
      assert.ok(line, 'a log line for the console');
      assert.equal(line.method, 'GET');
      assert.equal(line.status, 200);
      assert.ok(!JSON.stringify(cap.lines()).includes('secret-search'), 'the query is not logged');
      const metrics = await (await adminFetch(`${t2.url}/metrics`)).text();
      assert.match(metrics, /incognito_requests_total\{operation="GET \/_incognito\/console\/\*",outcome="200"\} 1/);
      await t2.close();
    });

    it('--messages-endpoint false: the console shows no outbox either', async () => {
      const quiet = await startTestServer(backend, { messagesEndpoint: false });
      try {
        const { UserPool } = await quiet.cognito.send(new CreateUserPoolCommand({ PoolName: 'quiet' }));
        await quiet.cognito.send(new AdminCreateUserCommand({ UserPoolId: UserPool!.Id!, Username: 'fay', TemporaryPassword: PASSWORD, DesiredDeliveryMediums: ['EMAIL'], UserAttributes: [{ Name: 'email', Value: 'fay@example.com' }] }));
        const b = new ConsoleClient(quiet.url);
        const messages = await b.get(`${C}/pools/${UserPool!.Id}/messages`);
        assert.equal(messages.status, 200);
        assert.ok(text(messages.html).includes('The outbox is not served (--messages-endpoint false).'));
        assert.ok(!messages.html.includes(PASSWORD) && !messages.html.includes('class="code"'));
        const user = await b.get(`${C}/pools/${UserPool!.Id}/users/fay`);
        assert.ok(!user.html.includes('Recent messages') && !user.html.includes(PASSWORD));
      } finally {
        await quiet.close();
      }
    });

    it('--console false: 404 for every console path', async () => {
      const off = await startTestServer(backend, { console: false });
      try {
        for (const [method, p] of [['GET', C], ['GET', `${C}/pools/${poolId}/users`], ['POST', `${C}/pools/${poolId}/users`]] as const) {
          const res = await fetch(`${off.url}${p}`, { method, ...(method === 'POST' ? { body: 'username=x' } : {}) });
          assert.equal(res.status, 404, `${method} ${p}`);
          await res.text();
        }
      } finally {
        await off.close();
      }
    });
  });

  describe(`web console behind access keys (${backend.name})`, () => {
    let t: TestServer;
    let dir: string;
    let poolId: string;
    let otherPoolId: string;
    const READER = { accessKeyId: 'AKIDCONSOLEREADER', secretAccessKey: 'reader-secret-123' };
    const SCOPED = { accessKeyId: 'AKIDCONSOLESCOPED', secretAccessKey: 'scoped-secret-123' };
    const METRICS = { accessKeyId: 'AKIDCONSOLEMETRICS', secretAccessKey: 'metrics-secret-123' };
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-console-keys-'));
      const file = path.join(dir, 'keys.json');
      fs.writeFileSync(
        file,
        JSON.stringify([
          { accessKeyId: TEST_KEY.accessKeyId, secretAccessKey: TEST_KEY.secretAccessKey, name: 'admin' },
          {
            ...READER,
            name: 'reader',
            policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['cognito-idp:List*', 'cognito-idp:Describe*', 'cognito-idp:AdminGetUser'], Resource: '*' }] },
          },
          // One pool only (its ARN), everything on it; and a key for the metrics alone.
          { ...SCOPED, name: 'scoped', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cognito-idp:*', Resource: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/${SCOPED_POOL}' }] } },
          { ...METRICS, name: 'metrics', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'incognito:GetMetrics', Resource: '*' }] } },
        ]).replace('${SCOPED_POOL}', 'us-east-1_*'),
      );
      t = await startTestServer(backend, { credentialsFile: file });
      const { UserPool } = await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'keyed' }));
      poolId = UserPool!.Id!;
      // (The scoped key's policy names pools us-east-1_*: this one in eu-west-1 is outside it.)
      otherPoolId = (await t.sdk('eu-west-1').send(new CreateUserPoolCommand({ PoolName: 'elsewhere' }))).UserPool!.Id!;
    });
    after(async () => {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('asks for a key (HTTP Basic), refuses a wrong one, serves a right one', async () => {
      const none = await new ConsoleClient(t.url).get(C);
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Basic realm="incognito", charset="UTF-8"');
      assert.equal(pageMessage(none.html), 'This endpoint needs a configured access key: HTTP Basic with accessKeyId:secretAccessKey (curl -u ID:SECRET), or a SigV4 signature.');
      const wrong = await new ConsoleClient(t.url, basic(TEST_KEY.accessKeyId, 'not-the-secret')).get(C);
      assert.equal(wrong.status, 401);
      const noPost = await new ConsoleClient(t.url).request(`${C}/pools/${poolId}/users`, { method: 'POST', body: new URLSearchParams({ username: 'x' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(noPost.status, 401);

      const admin = new ConsoleClient(t.url, basic(TEST_KEY.accessKeyId, TEST_KEY.secretAccessKey));
      const pools = await admin.get(C);
      assert.equal(pools.status, 200);
      assert.ok(text(pools.html).includes('signed in with key admin'));
      const users = await admin.get(`${C}/pools/${poolId}/users`);
      // With the key but without the token: refused.
      const bare = await admin.request(`${C}/pools/${poolId}/users`, { method: 'POST', body: new URLSearchParams({ username: 'erin' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(bare.status, 403);
      const made = await admin.submit(users, { username: 'erin', temporary_password: PASSWORD }, formIndex(users, '/users'));
      assert.equal(made.status, 303);
      assert.equal((await t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'erin' }))).Username, 'erin');
    });

    it("applies the key's policy: a read-only key sees the users but cannot change them", async () => {
      const reader = new ConsoleClient(t.url, basic(READER.accessKeyId, READER.secretAccessKey));
      const users = await reader.get(`${C}/pools/${poolId}/users`);
      assert.equal(users.status, 200);
      const user = await reader.get(`${C}/pools/${poolId}/users/erin`);
      assert.equal(user.status, 200);
      assert.ok(!user.html.includes('Recent messages'), 'no outbox without incognito:ListMessages');
      // It sees no form it could not submit: no create, no password, status, delete or group forms.
      assert.equal([...user.html.matchAll(/<form method="post"/g)].length, 0, 'no action form');
      assert.ok(!user.html.includes('id="delete"'));
      assert.ok(user.html.includes('id="read-only"'), 'the page says the key may not change the user');
      assert.ok(!users.html.includes('id="create-user"'));
      // Posting anyway (a form of a page seen with another key) is refused, and the page leads back.
      const admin = new ConsoleClient(t.url, basic(TEST_KEY.accessKeyId, TEST_KEY.secretAccessKey));
      const adminView = await admin.get(`${C}/pools/${poolId}/users/erin`);
      const refused = await reader.request(`${C}/pools/${poolId}/users/erin/disable`, {
        method: 'POST',
        body: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]*)"/.exec(adminView.html)![1]! }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(refused.status, 403);
      for (const to of [`${C}/pools/${poolId}/users/erin`, `${C}/pools/${poolId}`, `${C}/pools/${poolId}/users`, C]) {
        assert.ok(refused.html.includes(`href="${to}"`), `a link to ${to}`);
      }
      assert.match(pageMessage(refused.html)!, /^User: arn:aws:iam::123456789012:user\/reader is not authorized to perform: cognito-idp:AdminDisableUser on resource: arn:aws:cognito-idp:us-east-1:123456789012:userpool\//);
      assert.equal((await t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'erin' }))).Enabled, true);
      const outbox = await reader.get(`${C}/pools/${poolId}/messages`);
      assert.equal(outbox.status, 403, 'the outbox needs incognito:ListMessages');
      assert.ok(outbox.html.includes(`href="${C}/pools/${poolId}/users"`), 'and leads back');
    });

    it('shows a key scoped to some pools those pools on the home page; a key with none a page that says so', async () => {
      const scoped = new ConsoleClient(t.url, basic(SCOPED.accessKeyId, SCOPED.secretAccessKey));
      const home = await scoped.get(C);
      assert.equal(home.status, 200);
      assert.ok(home.html.includes(`href="${C}/pools/${poolId}"`), 'its pool');
      assert.ok(!home.html.includes(otherPoolId), 'not the other');
      assert.ok(home.html.includes('id="scoped"'));
      assert.equal((await scoped.get(`${C}/pools/${poolId}/users`)).status, 200);
      assert.equal((await scoped.get(`${C}/pools/${otherPoolId}/users`)).status, 403);
      const none = await new ConsoleClient(t.url, basic(METRICS.accessKeyId, METRICS.secretAccessKey)).get(C);
      assert.equal(none.status, 403);
      assert.match(pageMessage(none.html)!, /^The key metrics may not list the user pools \(cognito-idp:ListUserPools\), and its policy lets it open none of them/);
      // The full key still sees both.
      const all = await new ConsoleClient(t.url, basic(TEST_KEY.accessKeyId, TEST_KEY.secretAccessKey)).get(C);
      assert.ok(all.html.includes(poolId) && all.html.includes(otherPoolId) && !all.html.includes('id="scoped"'));
    });
  });
}
