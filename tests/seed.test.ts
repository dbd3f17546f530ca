/**
 * Seed files (--seed) and `incognito export`, on both stores: a file applied twice changes nothing,
 * a changed file updates what it names, a bad entry stops the start with a message naming the file
 * and the entry and writes nothing, YAML and JSON and directories, export then seed round-trips
 * (users sign in with their passwords and TOTP), and the README's example file signs a user in.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  ChangePasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  DescribeIdentityProviderCommand,
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import pg from 'pg';
import { backends, expectError } from './harness.js';
import { CLI, kill, startCli, storeArgs } from './process.js';
import { SrpClient } from './srp-client.js';
import { totpAt } from './client-fixtures.js';
import { defaults, loadConfig, type Config } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';
import { SeedError } from '../src/seed/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = path.join(ROOT, 'examples/seed.yaml');

const POOL_ID = 'us-east-1_seedTest1';
const WEB = 'seedwebclient00000000000001';
const API = 'seedapiclient00000000000001';
const API_SECRET = 'apisecret0123456789abcdefghijklmnopqrstuvwxyz012345';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** The seed most tests start from: every kind of entry. */
const SEED = `
pools:
  - Id: ${POOL_ID}
    PoolName: seeded
    Policies:
      PasswordPolicy: { MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false }
    Schema:
      - { Name: team, AttributeDataType: String }
    MfaConfig:
      MfaConfiguration: OPTIONAL
      SoftwareTokenMfaConfiguration: { Enabled: true }
    resourceServers:
      - Identifier: https://api.example.com
        Name: api
        Scopes: [{ ScopeName: read, ScopeDescription: Read things }]
    clients:
      - ClientName: web
        ClientId: ${WEB}
        ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
      - ClientName: api
        ClientId: ${API}
        ClientSecret: ${API_SECRET}
        AllowedOAuthFlows: [client_credentials]
        AllowedOAuthScopes: [https://api.example.com/read]
        AllowedOAuthFlowsUserPoolClient: true
      - ClientName: generated
        GenerateSecret: true
    domains:
      - Domain: seeded-test-domain
    groups:
      - { GroupName: admins, Description: Admins, Precedence: 1 }
      - { GroupName: staff }
    users:
      - Username: alice
        Password: Passw0rd1
        Attributes: { email: alice@example.com, email_verified: "true", "custom:team": platform }
        Groups: [admins, staff]
      - Username: bob
        TemporaryPassword: Temp0rary1
      - Username: carol
        Password: Carol1234
        Confirmed: false
        Attributes: { email: carol@example.com }
      - Username: dave
        Password: Dave12345
        SoftwareTokenSecret: ${TOTP_SECRET}
        MfaPreference: { SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }
      - Username: erin
        Enabled: false
`;

function sdk(url: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-seed-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;
/** Writes a seed file (the extension says YAML or JSON); returns its path. */
function write(name: string, text: string): string {
  const dir = path.join(tmp, String(fileNo++));
  fs.mkdirSync(dir);
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

async function signIn(c: CognitoIdentityProviderClient, username: string, password: string) {
  return c.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: WEB, AuthParameters: { USERNAME: username, PASSWORD: password } }));
}

async function srpSignIn(c: CognitoIdentityProviderClient, poolId: string, clientId: string, username: string, password: string) {
  const srp = new SrpClient(poolId);
  const r = await c.send(new InitiateAuthCommand({ AuthFlow: 'USER_SRP_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, SRP_A: srp.A } }));
  assert.equal(r.ChallengeName, 'PASSWORD_VERIFIER');
  return c.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: srp.respond(r.ChallengeParameters!, password) }));
}

/** What must not move when the same file is applied again. */
async function snapshot(c: CognitoIdentityProviderClient) {
  const users: Record<string, unknown> = {};
  for (const u of (await c.send(new ListUsersCommand({ UserPoolId: POOL_ID }))).Users!) {
    users[u.Username!] = { sub: u.Attributes!.find((a) => a.Name === 'sub')!.Value, modified: u.UserLastModifiedDate!.getTime(), status: u.UserStatus, enabled: u.Enabled };
  }
  const client = async (id: string) => (await c.send(new DescribeUserPoolClientCommand({ UserPoolId: POOL_ID, ClientId: id }))).UserPoolClient!;
  const pool = (await c.send(new DescribeUserPoolCommand({ UserPoolId: POOL_ID }))).UserPool!;
  const api = await client(API);
  const web = await client(WEB);
  return { users, pool: pool.LastModifiedDate!.getTime(), api: [api.ClientSecret, api.LastModifiedDate!.getTime()], web: web.LastModifiedDate!.getTime() };
}

for (const backend of await backends()) {
  describe(`seed files (${backend.name})`, () => {
    let db: Awaited<ReturnType<typeof backend.fresh>>;
    const masterKey = randomBytes(32).toString('base64');
    const config = (seed: string[], overrides: Partial<Config> = {}): Config => ({
      ...defaults,
      port: 0,
      logRequests: false,
      consoleMessages: false,
      masterKey,
      ...db.settings,
      seed,
      ...overrides,
    });
    let server: RunningServer | undefined;
    let c: CognitoIdentityProviderClient;
    const boot = async (seed: string[], overrides: Partial<Config> = {}) => {
      if (server) await server.close();
      server = undefined;
      server = await startServer(config(seed, overrides));
      c?.destroy();
      c = sdk(server.url);
      return server;
    };
    before(async () => {
      db = await backend.fresh();
    });
    after(async () => {
      c?.destroy();
      await server?.close();
      await db.cleanup();
    });

    const seedFile = write('seed.yaml', SEED);

    it('creates what the file names, as the API would', async () => {
      await boot([seedFile]);
      const pool = (await c.send(new DescribeUserPoolCommand({ UserPoolId: POOL_ID }))).UserPool!;
      assert.equal(pool.Name, 'seeded');
      assert.equal(pool.Policies!.PasswordPolicy!.RequireSymbols, false);
      assert.ok(pool.SchemaAttributes!.some((a) => a.Name === 'custom:team'));
      assert.equal(pool.Domain, 'seeded-test-domain');
      const mfa = await c.send(new GetUserPoolMfaConfigCommand({ UserPoolId: POOL_ID }));
      assert.equal(mfa.MfaConfiguration, 'OPTIONAL');
      assert.equal(mfa.SoftwareTokenMfaConfiguration!.Enabled, true);
      const api = (await c.send(new DescribeUserPoolClientCommand({ UserPoolId: POOL_ID, ClientId: API }))).UserPoolClient!;
      assert.equal(api.ClientSecret, API_SECRET);
      assert.deepEqual(api.AllowedOAuthScopes, ['https://api.example.com/read']);
      const rs = await c.send(new DescribeResourceServerCommand({ UserPoolId: POOL_ID, Identifier: 'https://api.example.com' }));
      assert.equal(rs.ResourceServer!.Scopes![0]!.ScopeName, 'read');
      assert.equal((await c.send(new DescribeUserPoolDomainCommand({ Domain: 'seeded-test-domain' }))).DomainDescription!.UserPoolId, POOL_ID);

      const statuses = Object.fromEntries(Object.entries((await snapshot(c)).users).map(([k, v]) => [k, (v as { status: string }).status]));
      assert.deepEqual(statuses, { alice: 'CONFIRMED', bob: 'FORCE_CHANGE_PASSWORD', carol: 'UNCONFIRMED', dave: 'CONFIRMED', erin: 'RESET_REQUIRED' });
      const groups = await c.send(new AdminListGroupsForUserCommand({ UserPoolId: POOL_ID, Username: 'alice' }));
      assert.deepEqual(groups.Groups!.map((g) => g.GroupName).sort(), ['admins', 'staff']);

      // alice signs in with her password (both flows); bob must choose a new one; dave answers TOTP.
      assert.ok((await signIn(c, 'alice', 'Passw0rd1')).AuthenticationResult?.AccessToken);
      assert.ok((await srpSignIn(c, POOL_ID, WEB, 'alice', 'Passw0rd1')).AuthenticationResult?.IdToken);
      assert.equal((await signIn(c, 'bob', 'Temp0rary1')).ChallengeName, 'NEW_PASSWORD_REQUIRED');
      await expectError(signIn(c, 'carol', 'Carol1234'), 'UserNotConfirmedException');
      const d = await signIn(c, 'dave', 'Dave12345');
      assert.equal(d.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      const done = await c.send(
        new RespondToAuthChallengeCommand({ ClientId: WEB, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: d.Session, ChallengeResponses: { USERNAME: 'dave', SOFTWARE_TOKEN_MFA_CODE: totpAt(TOTP_SECRET, Date.now()) } }),
      );
      assert.ok(done.AuthenticationResult?.AccessToken);
      await expectError(signIn(c, 'erin', 'anything1A'), 'NotAuthorizedException');
    });

    it('applied again, changes nothing: same subs, modification dates, client secrets', async () => {
      const before = await snapshot(c);
      // A client whose id the file does not fix is found again by its name, its secret kept.
      const generated = async () => {
        const { ListUserPoolClientsCommand } = await import('@aws-sdk/client-cognito-identity-provider');
        const list = await c.send(new ListUserPoolClientsCommand({ UserPoolId: POOL_ID }));
        const g = list.UserPoolClients!.filter((x) => x.ClientName === 'generated');
        assert.equal(g.length, 1);
        return (await c.send(new DescribeUserPoolClientCommand({ UserPoolId: POOL_ID, ClientId: g[0]!.ClientId }))).UserPoolClient!.ClientSecret;
      };
      const secret = await generated();
      await boot([seedFile]);
      assert.deepEqual(await snapshot(c), before);
      assert.equal(await generated(), secret);
      assert.equal((await c.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!.length, 1);
    });

    it('a changed file updates what it names and leaves the rest', async () => {
      // What the file does not name: a user made through the API, an attribute the entry does not list.
      await c.send(new AdminCreateUserCommand({ UserPoolId: POOL_ID, Username: 'viaapi', MessageAction: 'SUPPRESS' }));
      await c.send(new AdminUpdateUserAttributesCommand({ UserPoolId: POOL_ID, Username: 'alice', UserAttributes: [{ Name: 'given_name', Value: 'Alice' }] }));
      const before = await snapshot(c);
      const changed = SEED.replace('RequireSymbols: false', 'RequireSymbols: false, MinimumLength: 9'.replace('MinimumLength: 9', 'TemporaryPasswordValidityDays: 3'))
        .replace('Password: Passw0rd1', 'Password: NewPassw0rd')
        .replace('"custom:team": platform', '"custom:team": security')
        .replace('Groups: [admins, staff]', 'Groups: [staff]')
        .replace('Scopes: [{ ScopeName: read, ScopeDescription: Read things }]', 'Scopes: [{ ScopeName: read, ScopeDescription: Read things }, { ScopeName: write, ScopeDescription: Write things }]');
      await boot([write('seed.yaml', changed)]);
      const after = await snapshot(c);
      const pool = (await c.send(new DescribeUserPoolCommand({ UserPoolId: POOL_ID }))).UserPool!;
      assert.equal(pool.Policies!.PasswordPolicy!.TemporaryPasswordValidityDays, 3);
      assert.ok(after.pool > before.pool || pool.Policies!.PasswordPolicy!.TemporaryPasswordValidityDays === 3);
      const alice = await c.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'alice' }));
      assert.equal(alice.UserAttributes!.find((a) => a.Name === 'custom:team')!.Value, 'security');
      assert.equal(alice.UserAttributes!.find((a) => a.Name === 'sub')!.Value, (before.users.alice as { sub: string }).sub);
      const groups = await c.send(new AdminListGroupsForUserCommand({ UserPoolId: POOL_ID, Username: 'alice' }));
      assert.deepEqual(groups.Groups!.map((g) => g.GroupName), ['staff']);
      await expectError(signIn(c, 'alice', 'Passw0rd1'), 'NotAuthorizedException');
      assert.ok((await signIn(c, 'alice', 'NewPassw0rd')).AuthenticationResult);
      const rs = await c.send(new DescribeResourceServerCommand({ UserPoolId: POOL_ID, Identifier: 'https://api.example.com' }));
      assert.deepEqual(rs.ResourceServer!.Scopes!.map((s) => s.ScopeName), ['read', 'write']);
      // What the change did not touch stays as it was.
      for (const u of ['bob', 'carol', 'dave', 'erin', 'viaapi']) assert.deepEqual(after.users[u], before.users[u], u);
      assert.equal(alice.UserAttributes!.find((a) => a.Name === 'given_name')?.Value, 'Alice');
      assert.deepEqual(after.api, before.api);
    });

    it('a bad entry stops the start with the file and the entry named, and writes nothing of any file', async () => {
      await server?.close();
      server = undefined;
      const bad = write(
        'bad.yaml',
        `pools:
  - Id: us-east-1_other
    PoolName: other
    groups: [{ GroupName: g1 }]
    users:
      - Username: frank
        Password: Frank1234xyz!
      - Username: grace
        Password: short
`,
      );
      await assert.rejects(startServer(config([seedFile, bad])), (e: Error) => {
        assert.ok(e instanceof SeedError, String(e));
        assert.match(e.message, /bad\.yaml: pools\[0\]\.users\[1\] \(grace\): InvalidPasswordException: Password did not conform with policy: /);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
      await boot([]);
      const pools = (await c.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!;
      assert.deepEqual(pools.map((p) => p.Id), [POOL_ID]);
      // The good file before it was not applied either (it would have put alice's first password back).
      assert.ok((await signIn(c, 'alice', 'NewPassw0rd')).AuthenticationResult);
    });

    it('refuses what the API refuses, naming the entry: an unknown scope, a taken client id, a bad pool id, a YAML typo', async () => {
      await server?.close();
      server = undefined;
      const cases: [string, string, RegExp][] = [
        [
          'scope.yaml',
          `pools:\n  - Id: ${POOL_ID}\n    PoolName: seeded\n    clients:\n      - { ClientName: x, AllowedOAuthScopes: [https://nowhere/read], AllowedOAuthFlows: [code], CallbackURLs: [https://a.example/cb], AllowedOAuthFlowsUserPoolClient: true }\n`,
          /scope\.yaml: pools\[0\]\.clients\[0\] \(x\): ScopeDoesNotExistException: Invalid scope requested: https:\/\/nowhere\/read$/,
        ],
        ['taken.yaml', `pools:\n  - PoolName: another\n    clients:\n      - { ClientName: thief, ClientId: ${WEB} }\n`, /taken\.yaml: pools\[0\]\.clients\[0\] \(thief\): InvalidParameterException: The ClientId .* is taken/],
        ['id.yaml', 'pools:\n  - Id: nonsense\n    PoolName: p\n', /id\.yaml: pools\[0\] \(p\): InvalidParameterException: Id 'nonsense' is not a user pool id/],
        ['typo.yaml', 'pools:\n  - PoolName: p\n    users:\n      - Username: x\n        Pasword: y\n', /typo\.yaml: pools\[0\]\.users\[0\] \(x\): unknown member Pasword/],
        ['syntax.json', '{"pools": [', /syntax\.json: not valid JSON/],
        ['model.yaml', 'pools:\n  - PoolName: p\n    groups: [{ GroupName: "" }]\n', /model\.yaml: pools\[0\]\.groups\[0\]: InvalidParameterException: 2 validation errors detected: Value .. at .groupName. failed/],
      ];
      for (const [name, text, message] of cases) {
        await assert.rejects(startServer(config([write(name, text)])), (e: Error) => {
          assert.ok(e instanceof SeedError, String(e));
          assert.match(e.message, message);
          return true;
        });
      }
      await boot([]);
      assert.equal((await c.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!.length, 1);
    });

    it('takes JSON and YAML, and a directory in name order', async () => {
      const dir = fs.mkdtempSync(path.join(tmp, 'dir-'));
      fs.writeFileSync(
        path.join(dir, '10-pool.yaml'),
        `pools:\n  - Id: us-east-1_fromDir\n    PoolName: from-dir\n    DeletionProtection: ACTIVE\n    groups: [{ GroupName: readers }]\n`,
      );
      fs.writeFileSync(
        path.join(dir, '20-users.json'),
        JSON.stringify({ pools: [{ Id: 'us-east-1_fromDir', PoolName: 'from-dir', users: [{ Username: 'henry', Password: 'Henry1234!', Groups: ['readers'] }] }] }),
      );
      fs.writeFileSync(path.join(dir, '30-by-name.yml'), `pools:\n  - PoolName: by-name\n    clients: [{ ClientName: app }]\n`);
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a seed file');
      await boot([dir]);
      // A pool and a client without fixed ids are found again by their names at the next start.
      const byName = async () => {
        const pools = (await c.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!.filter((p) => p.Name === 'by-name');
        assert.equal(pools.length, 1);
        const { ListUserPoolClientsCommand } = await import('@aws-sdk/client-cognito-identity-provider');
        const clients = (await c.send(new ListUserPoolClientsCommand({ UserPoolId: pools[0]!.Id }))).UserPoolClients!;
        assert.equal(clients.length, 1);
        return [pools[0]!.Id, clients[0]!.ClientId];
      };
      const first = await byName();
      await boot([dir]);
      assert.deepEqual(await byName(), first);
      const henry = await c.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_fromDir', Username: 'henry' }));
      assert.equal(henry.UserStatus, 'CONFIRMED');
      const groups = await c.send(new AdminListGroupsForUserCommand({ UserPoolId: 'us-east-1_fromDir', Username: 'henry' }));
      assert.deepEqual(groups.Groups!.map((g) => g.GroupName), ['readers']);
      // The second file's entry names no setting: it refers to the pool, whose settings stay the first file's.
      assert.equal((await c.send(new DescribeUserPoolCommand({ UserPoolId: 'us-east-1_fromDir' }))).UserPool!.DeletionProtection, 'ACTIVE');
    });

    it('export --with-secrets seeds an identical pool: users sign in with their passwords and TOTP', async () => {
      await server?.close();
      server = undefined;
      const args = ['export', ...storeArgs(db.settings), '--pool', POOL_ID];
      const env = { ...process.env, INCOGNITO_MASTER_KEY: masterKey };
      const plain = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
      assert.equal(plain.status, 0, plain.stderr);
      assert.doesNotMatch(plain.stdout, /PasswordHash|ClientSecret|SoftwareTokenSecret|\$argon2/);
      assert.match(plain.stdout, /GenerateSecret: true/);
      const full = spawnSync(process.execPath, [CLI, ...args, '--with-secrets'], { env, encoding: 'utf8' });
      assert.equal(full.status, 0, full.stderr);
      assert.match(full.stdout, new RegExp(`ClientSecret: ${API_SECRET}`));
      const json = spawnSync(process.execPath, [CLI, ...args, '--with-secrets', '--format', 'json'], { env, encoding: 'utf8' });
      assert.equal(json.status, 0, json.stderr);
      assert.equal(JSON.parse(json.stdout).pools[0].Id, POOL_ID);
      const exported = write('export.yaml', full.stdout);
      const before = await boot([]).then(() => snapshot(c));
      await server!.close();
      server = undefined;

      // A fresh store, another master key: the file alone makes the same pool.
      const other = await backend.fresh();
      const otherKey = randomBytes(32).toString('base64');
      try {
        const fresh = await startServer({ ...config([exported]), ...other.settings, masterKey: otherKey });
        const c2 = sdk(fresh.url);
        try {
          const after = await snapshot(c2);
          assert.deepEqual(
            Object.fromEntries(Object.entries(after.users).map(([k, v]) => [k, { ...(v as object), modified: 0 }])),
            Object.fromEntries(Object.entries(before.users).map(([k, v]) => [k, { ...(v as object), modified: 0 }])),
          );
          assert.equal(after.api[0], API_SECRET);
          assert.ok((await signIn(c2, 'alice', 'NewPassw0rd')).AuthenticationResult);
          assert.ok((await srpSignIn(c2, POOL_ID, WEB, 'alice', 'NewPassw0rd')).AuthenticationResult);
          assert.equal((await signIn(c2, 'bob', 'Temp0rary1')).ChallengeName, 'NEW_PASSWORD_REQUIRED');
          const d = await signIn(c2, 'dave', 'Dave12345');
          assert.equal(d.ChallengeName, 'SOFTWARE_TOKEN_MFA');
          const done = await c2.send(
            new RespondToAuthChallengeCommand({ ClientId: WEB, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: d.Session, ChallengeResponses: { USERNAME: 'dave', SOFTWARE_TOKEN_MFA_CODE: totpAt(TOTP_SECRET, Date.now()) } }),
          );
          assert.ok(done.AuthenticationResult);
        } finally {
          c2.destroy();
          await fresh.close();
        }
        // Exported again, the new store gives the same file.
        const exportOther = (key: string) =>
          spawnSync(process.execPath, [CLI, 'export', ...storeArgs(other.settings), '--pool', POOL_ID, '--with-secrets'], { env: { ...process.env, INCOGNITO_MASTER_KEY: key }, encoding: 'utf8' });
        const again = exportOther(otherKey);
        assert.equal(again.status, 0, again.stderr);
        assert.equal(again.stdout, full.stdout);
        // With a master key that is not the store's, export refuses in one line.
        const wrong = exportOther(masterKey);
        assert.equal(wrong.status, 1);
        assert.match(wrong.stderr.trim(), /^incognito export: [^\n]*$/);
      } finally {
        await other.cleanup();
      }
    });

    it('pools that sign in with email, aliases, identity providers, a changed client secret', async () => {
      const text = (secret: string, given: string, jackEnabled = true) => `
pools:
  - Id: us-east-1_seedEmail
    PoolName: by-email
    UsernameAttributes: [email]
    identityProviders:
      - ProviderName: Google
        ProviderType: Google
        ProviderDetails: { client_id: google-id, client_secret: google-secret, authorize_scopes: openid email }
        AttributeMapping: { email: email, given_name: ${given} }
    clients:
      - ClientName: web
        ClientId: seedemailclient00000000001
        ClientSecret: ${secret}
        ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
        SupportedIdentityProviders: [COGNITO, Google]
    users:
      - Username: ivy@example.com
        Password: Ivy1234567!
  - Id: us-east-1_seedAlias
    PoolName: by-alias
    AliasAttributes: [email]
    clients: [{ ClientName: web, ClientId: seedaliasclient00000000001, ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH] }]
    users:
      - Username: jack
        Password: Jack1234567!
        Attributes: { email: jack@example.com, email_verified: true }
        Enabled: ${jackEnabled}
`;
      const first = write('email.yaml', text('a'.repeat(51), 'given_name'));
      await boot([first]);
      const auth = (clientId: string, user: string, password: string, secret?: string) =>
        c.send(
          new InitiateAuthCommand({
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: clientId,
            AuthParameters: { USERNAME: user, PASSWORD: password, ...(secret ? { SECRET_HASH: createHmac('sha256', secret).update(user + clientId).digest('base64') } : {}) },
          }),
        );
      assert.ok((await auth('seedemailclient00000000001', 'ivy@example.com', 'Ivy1234567!', 'a'.repeat(51))).AuthenticationResult);
      const jack = (await auth('seedaliasclient00000000001', 'jack@example.com', 'Jack1234567!')).AuthenticationResult!;
      assert.ok(jack.RefreshToken);
      const ivy = await c.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_seedEmail', Username: 'ivy@example.com' }));
      assert.equal(ivy.Username, ivy.UserAttributes!.find((a) => a.Name === 'sub')!.Value, 'the username is the sub');
      const idp = async () => (await c.send(new DescribeIdentityProviderCommand({ UserPoolId: 'us-east-1_seedEmail', ProviderName: 'Google' }))).IdentityProvider!;
      const before = { ivy: ivy.UserLastModifiedDate!.getTime(), idp: (await idp()).LastModifiedDate!.getTime() };

      await boot([first]);
      const again = await c.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_seedEmail', Username: 'ivy@example.com' }));
      assert.deepEqual({ ivy: again.UserLastModifiedDate!.getTime(), idp: (await idp()).LastModifiedDate!.getTime() }, before);
      assert.equal(again.Username, ivy.Username);

      await boot([write('email.yaml', text('b'.repeat(51), 'name', false))]);
      // Disabled by the file: as AdminDisableUser, the user's refresh tokens stop working.
      await expectError(
        c.send(new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: 'seedaliasclient00000000001', AuthParameters: { REFRESH_TOKEN: jack.RefreshToken! } })),
        'NotAuthorizedException',
      );
      assert.equal((await c.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_seedAlias', Username: 'jack' }))).Enabled, false);
      await boot([write('email.yaml', text('b'.repeat(51), 'name', true))]);
      // Enabled again: the refresh token stays revoked (AdminEnableUser does not bring sign-ins back).
      await expectError(
        c.send(new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: 'seedaliasclient00000000001', AuthParameters: { REFRESH_TOKEN: jack.RefreshToken! } })),
        'NotAuthorizedException',
      );
      assert.ok((await auth('seedaliasclient00000000001', 'jack', 'Jack1234567!')).AuthenticationResult);
      const client = (await c.send(new DescribeUserPoolClientCommand({ UserPoolId: 'us-east-1_seedEmail', ClientId: 'seedemailclient00000000001' }))).UserPoolClient!;
      assert.equal(client.ClientSecret, 'b'.repeat(51));
      assert.equal((await idp()).AttributeMapping!.given_name, 'name');
      assert.ok((await auth('seedemailclient00000000001', 'ivy@example.com', 'Ivy1234567!', 'b'.repeat(51))).AuthenticationResult);
      await expectError(auth('seedemailclient00000000001', 'ivy@example.com', 'Ivy1234567!', 'a'.repeat(51)), 'NotAuthorizedException');

      // Exported without secrets: no provider secret; with them, the provider's client_secret.
      await server!.close();
      server = undefined;
      const env = { ...process.env, INCOGNITO_MASTER_KEY: masterKey };
      const out = (extra: string[]) => spawnSync(process.execPath, [CLI, 'export', ...storeArgs(db.settings), '--pool', 'us-east-1_seedEmail', ...extra], { env, encoding: 'utf8' });
      const plain = out([]);
      assert.equal(plain.status, 0, plain.stderr);
      assert.doesNotMatch(plain.stdout, /google-secret/);
      assert.match(plain.stdout, /Username: ivy@example\.com/);
      assert.match(out(['--with-secrets']).stdout, /client_secret: google-secret/);
    });

    it('an export without --with-secrets seeds a fresh store: users RESET_REQUIRED, a provider keeps its stored secret or asks for it', async () => {
      await server?.close();
      server = undefined;
      const env = { ...process.env, INCOGNITO_MASTER_KEY: masterKey };
      const exportOf = (poolId: string, extra: string[] = []) =>
        spawnSync(process.execPath, [CLI, 'export', ...storeArgs(db.settings), '--pool', poolId, ...extra], { env, encoding: 'utf8' });
      const plain = exportOf(POOL_ID);
      assert.equal(plain.status, 0, plain.stderr);
      // The header says what is not carried; JSON says it in a note member the seed reader ignores.
      assert.match(plain.stdout, /^# [^\n]*users no password \(they are RESET_REQUIRED/m);
      assert.match(plain.stdout, /^# Not exported: the signing keys \(tokens issued by this installation do not verify on another\)/m);
      assert.match(plain.stdout, /Confirmed: false/, 'carol is exported unconfirmed');
      const json = exportOf(POOL_ID, ['--format', 'json']);
      assert.match(JSON.parse(json.stdout).note, /Not exported: .*passkeys/);
      const providers = exportOf('us-east-1_seedEmail');
      assert.doesNotMatch(providers.stdout, /client_secret:/);
      const usersFile = write('plain.yaml', plain.stdout);
      const jsonFile = write('plain.json', json.stdout);
      const providersFile = write('providers.yaml', providers.stdout);
      const before = await boot([]).then(() => snapshot(c));
      await server!.close();
      server = undefined;

      const other = await backend.fresh();
      try {
        const otherKey = randomBytes(32).toString('base64');
        const fresh = await startServer({ ...config([usersFile]), ...other.settings, masterKey: otherKey });
        const c2 = sdk(fresh.url);
        try {
          const after = await snapshot(c2);
          for (const [name, u] of Object.entries(after.users)) {
            assert.equal((u as { status: string }).status, 'RESET_REQUIRED', name);
            assert.equal((u as { sub: string }).sub, (before.users[name] as { sub: string }).sub, name);
          }
          assert.deepEqual(Object.keys(after.users).sort(), Object.keys(before.users).sort());
        } finally {
          c2.destroy();
          await fresh.close();
        }
        // The JSON form (with its note) seeds the same store again.
        await (await startServer({ ...config([jsonFile]), ...other.settings, masterKey: otherKey })).close();
        // A provider whose secret the file lacks cannot be made anew: the message says to add it.
        await assert.rejects(startServer({ ...config([providersFile]), ...other.settings, masterKey: otherKey }), (e: Error) => {
          assert.ok(e instanceof SeedError, String(e));
          assert.match(e.message, /providers\.yaml: pools\[0\]\.identityProviders\[0\] \(Google\): InvalidParameterException: ProviderDetails\.client_secret is missing, .*add it to the entry\.$/);
          return true;
        });
      } finally {
        await other.cleanup();
      }
      // The store it came from keeps the provider's stored secret.
      await boot([providersFile]);
      await server!.close();
      server = undefined;
      assert.match(exportOf('us-east-1_seedEmail', ['--with-secrets']).stdout, /client_secret: google-secret/);
    });

    it('a password the user changed stays at the next start; a changed file password is applied', async () => {
      const text = (pat: string) => `pools:
  - Id: us-east-1_seedPw
    PoolName: passwords
    clients: [{ ClientName: web, ClientId: seedpwclient00000000000001, ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH] }]
    users:
      - { Username: pat, Password: "${pat}" }
      - { Username: quinn, Password: Quinn1234567! }
      - { Username: temp, TemporaryPassword: Temp1234567! }
`;
      const file = write('pw.yaml', text('Pat1234567!'));
      await boot([file]);
      const auth = (user: string, password: string) =>
        c.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'seedpwclient00000000000001', AuthParameters: { USERNAME: user, PASSWORD: password } }));
      const pat = (await auth('pat', 'Pat1234567!')).AuthenticationResult!;
      await c.send(new ChangePasswordCommand({ AccessToken: pat.AccessToken, PreviousPassword: 'Pat1234567!', ProposedPassword: 'Mine1234567!' }));
      await c.send(new AdminSetUserPasswordCommand({ UserPoolId: 'us-east-1_seedPw', Username: 'quinn', Password: 'Other1234567!', Permanent: true }));
      const modified = async (u: string) => (await c.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_seedPw', Username: u }))).UserLastModifiedDate!.getTime();
      const dates = [await modified('pat'), await modified('quinn'), await modified('temp')];
      await boot([file]);
      assert.ok((await auth('pat', 'Mine1234567!')).AuthenticationResult);
      await expectError(auth('pat', 'Pat1234567!'), 'NotAuthorizedException');
      assert.ok((await auth('quinn', 'Other1234567!')).AuthenticationResult);
      assert.deepEqual([await modified('pat'), await modified('quinn'), await modified('temp')], dates, 'the unchanged file wrote nothing');
      // The file's password changes: it is applied (once).
      await boot([write('pw.yaml', text('Pat7654321!'))]);
      assert.ok((await auth('pat', 'Pat7654321!')).AuthenticationResult);
      await expectError(auth('pat', 'Mine1234567!'), 'NotAuthorizedException');
      assert.ok((await auth('quinn', 'Other1234567!')).AuthenticationResult);
      assert.equal((await auth('temp', 'Temp1234567!')).ChallengeName, 'NEW_PASSWORD_REQUIRED');
    });

    it('refuses unknown members, duplicate pools, a changed Sub, a pool Id that does not exist; names entries briefly', async () => {
      await server?.close();
      server = undefined;
      const cases: [string, string, RegExp][] = [
        ['polices.yaml', 'pools:\n  - PoolName: p\n    Polices: { PasswordPolicy: { MinimumLength: 8 } }\n', /polices\.yaml: pools\[0\] \(p\): unknown member Polices \(did you mean Policies\?\) \(a pool takes /],
        ['mfas.yaml', 'pools:\n  - PoolName: p\n    EnabledMfas: [SOFTWARE_TOKEN_MFA]\n', /pools\[0\] \(p\): unknown member EnabledMfas /],
        ['mfaconfig.yaml', 'pools:\n  - PoolName: p\n    MfaConfig: { MfaConfig: ON }\n', /pools\[0\] \(p\)\.MfaConfig: unknown member MfaConfig \(SetUserPoolMfaConfig's input: /],
        ['callback.yaml', 'pools:\n  - PoolName: p\n    clients: [{ ClientName: web, CallbackUrls: [https://a.example/cb] }]\n', /pools\[0\]\.clients\[0\] \(web\): unknown member CallbackUrls \(did you mean CallbackURLs\?\)/],
        ['group.yaml', 'pools:\n  - PoolName: p\n    groups: [{ GroupName: g, Precedance: 1 }]\n', /pools\[0\]\.groups\[0\] \(g\): unknown member Precedance \(did you mean Precedence\?\) /],
        ['twice.yaml', 'pools:\n  - { Id: us-east-1_twice, PoolName: a }\n  - { Id: us-east-1_twice, PoolName: b }\n', /twice\.yaml: pools\[1\] \(b\): the pool us-east-1_twice is already described by pools\[0\] \(a\): give a pool once in a file\.$/],
        ['byname.yaml', 'pools:\n  - { PoolName: same }\n  - { PoolName: same, users: [{ Username: x }] }\n', /pools\[1\] \(same\): the pool named same is already described by pools\[0\] \(same\)/],
        ['noid.yaml', 'pools:\n  - Id: us-east-1_nope\n    users: [{ Username: x }]\n', /noid\.yaml: pools\[0\] \(us-east-1_nope\): ResourceNotFoundException: There is no user pool us-east-1_nope: give its PoolName/],
        ['sub.yaml', `pools:\n  - Id: ${POOL_ID}\n    users: [{ Username: alice, Sub: 00000000-0000-4000-8000-000000000000 }]\n`, /pools\[0\]\.users\[0\] \(alice\): InvalidParameterException: The user alice exists with the sub [0-9a-f-]{36}; a sub cannot change/],
        ['number.yaml', 'pools:\n  - PoolName: p\n    users: [{ Username: 007 }]\n', /pools\[0\]\.users\[0\]: Username must be a string: quote it/],
        ['alias.yaml', 'pools:\n  - Id: us-east-1_seedAlias\n    PoolName: by-alias\n    UsernameAttributes: [email]\n', /UsernameAttributes of the existing pool us-east-1_seedAlias cannot change .*: delete the pool, or leave UsernameAttributes out \(the pool has none\)\.$/],
        ['long.json', JSON.stringify({ pools: [{ PoolName: 'p', users: [{ Username: 'u'.repeat(100_000), Password: 'x' }] }] }), /pools\[0\]\.users\[0\] \(u{64}\.\.\. \(100000 characters\)\): /],
      ];
      for (const [name, text, message] of cases) {
        await assert.rejects(startServer(config([write(name, text)])), (e: Error) => {
          assert.ok(e instanceof SeedError, String(e));
          assert.match(e.message, message);
          assert.ok(e.message.length < 2000, `${e.message.length} characters`);
          return true;
        });
      }
      // Across files: two entries that both give the pool's settings; both are named.
      const a = write('a.yaml', 'pools:\n  - { Id: us-east-1_split, PoolName: split, DeletionProtection: ACTIVE }\n');
      const b = write('b.yaml', 'pools:\n  - { Id: us-east-1_split, PoolName: split, DeletionProtection: INACTIVE }\n');
      await assert.rejects(startServer(config([a, b])), (e: Error) => {
        assert.match(e.message, /b\.yaml: pools\[0\] \(split\): the pool us-east-1_split is already described by \S*a\.yaml: pools\[0\] \(split\)/);
        return true;
      });
      // An entry with Id alone (and lists) refers to an existing pool; a PoolName it gives renames it.
      const users = write('users.yaml', 'pools:\n  - Id: us-east-1_split\n    PoolName: renamed\n    users: [{ Username: rita, Password: Rita1234567! }]\n');
      await boot([a, users]);
      assert.equal((await c.send(new DescribeUserPoolCommand({ UserPoolId: 'us-east-1_split' }))).UserPool!.Name, 'renamed');
      await boot([write('ref.yaml', 'pools:\n  - Id: us-east-1_split\n    users: [{ Username: sam }]\n')]);
      assert.equal((await c.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_split', Username: 'sam' }))).UserStatus, 'RESET_REQUIRED');
      assert.equal((await c.send(new DescribeUserPoolCommand({ UserPoolId: 'us-east-1_split' }))).UserPool!.DeletionProtection, 'ACTIVE');
    });

    it('export refuses a store that is not there, writing nothing; an empty seed directory and a long seed\'s progress are logged', async () => {
      await server?.close();
      server = undefined;
      const env = { ...process.env, INCOGNITO_MASTER_KEY: masterKey };
      const typo =
        backend.name === 'sqlite'
          ? { dataDir: path.join(tmp, 'no-such-dir') }
          : { databaseUrl: db.settings.databaseUrl!, databaseSchema: `${db.settings.databaseSchema}_typo`, dataDir: path.join(tmp, 'no-such-dir') };
      const run = spawnSync(process.execPath, [CLI, 'export', ...storeArgs(typo)], { env, encoding: 'utf8' });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr.trim(), /^incognito export: there is no incognito database in /);
      if (backend.name === 'sqlite') {
        assert.equal(fs.existsSync(typo.dataDir), false);
      } else {
        const client = new pg.Client({ connectionString: typo.databaseUrl });
        await client.connect();
        try {
          const r = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [typo.databaseSchema]);
          assert.equal(r.rowCount, 0, 'no schema was made');
        } finally {
          await client.end();
        }
      }
      const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
      // A long seed logs its progress (users without a password: no argon2 to wait for).
      const many = write('many.json', JSON.stringify({ pools: [{ Id: 'us-east-1_many', PoolName: 'many', users: Array.from({ length: 1001 }, (_, i) => ({ Username: `m${i}` })) }] }));
      const child = await startCli([...storeArgs(db.settings), '--seed', empty, '--seed', many, '--log-requests', 'false'], { INCOGNITO_MASTER_KEY: masterKey });
      try {
        assert.match(child.output(), /"level":"warn","msg":"seed: no seed file here \(\*\.json, \*\.yaml, \*\.yml\)","dir":"[^"]*empty-/);
        assert.match(child.output(), /"msg":"seed progress","file":"[^"]*many\.json","pool":"us-east-1_many","users":1000,"of":1001/);
      } finally {
        await kill(child, 'SIGTERM');
      }
    });

    if (backend.name === 'postgres') {
      it('nodes of one database starting together with the same file: both start, one pool', async () => {
        await server?.close();
        server = undefined;
        const fresh = await backend.fresh();
        try {
          const cfg = { ...config([EXAMPLE]), ...fresh.settings };
          // The schema made first (concurrent CREATE SCHEMA IF NOT EXISTS can collide in PostgreSQL itself).
          await (await startServer({ ...cfg, seed: [] })).close();
          const nodes = await Promise.all([startServer(cfg), startServer(cfg), startServer(cfg)]);
          const c4 = sdk(nodes[0]!.url);
          const pools = (await c4.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!;
          assert.deepEqual(pools.map((p) => p.Id), ['us-east-1_example']);
          assert.equal((await c4.send(new ListUsersCommand({ UserPoolId: 'us-east-1_example' }))).Users!.length, 1);
          c4.destroy();
          for (const n of nodes) await n.close();
        } finally {
          await fresh.cleanup();
        }
      });
    }

    it('the README example: a user signs in with the hard-coded client id, through the real command line', async () => {
      const fresh = await backend.fresh();
      let child: Awaited<ReturnType<typeof startCli>> | undefined;
      try {
        const args = [...storeArgs(fresh.settings), '--seed', EXAMPLE, '--log-requests', 'false'];
        child = await startCli(args);
        assert.match(child.output(), /"msg":"seed applied","file":"[^"]*examples\/seed\.yaml","created":4,"updated":0/);
        let c3 = sdk(child.url);
        const r = await c3.send(
          new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'exampleclient0000000000000', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' } }),
        );
        assert.ok(r.AuthenticationResult?.AccessToken);
        const payload = JSON.parse(Buffer.from(r.AuthenticationResult!.AccessToken!.split('.')[1]!, 'base64url').toString());
        assert.deepEqual(payload['cognito:groups'], ['admins']);
        assert.ok((await srpSignIn(c3, 'us-east-1_example', 'exampleclient0000000000000', 'alice', 'Passw0rd!')).AuthenticationResult);
        const sub = (await c3.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_example', Username: 'alice' }))).UserAttributes!.find((a) => a.Name === 'sub')!.Value;
        // Exported while the server runs (a SQLite data directory is read beside its owner).
        const live = spawnSync(process.execPath, [CLI, 'export', ...storeArgs(fresh.settings), '--format', 'json'], { encoding: 'utf8' });
        assert.equal(live.status, 0, live.stderr);
        const exported = JSON.parse(live.stdout).pools[0];
        assert.equal(exported.Id, 'us-east-1_example');
        assert.deepEqual(exported.users.map((u: { Username: string; Sub: string }) => [u.Username, u.Sub]), [['alice', sub]]);
        c3.destroy();
        await kill(child, 'SIGTERM');
        // Started again with the same file, named by INCOGNITO_SEED this time: nothing is created, nothing updated.
        child = await startCli([...storeArgs(fresh.settings), '--log-requests', 'false'], { INCOGNITO_SEED: EXAMPLE });
        assert.match(child.output(), /"msg":"seed applied","file":"[^"]*examples\/seed\.yaml","created":0,"updated":0/);
        c3 = sdk(child.url);
        const again = (await c3.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_example', Username: 'alice' }))).UserAttributes!.find((a) => a.Name === 'sub')!.Value;
        assert.equal(again, sub);
        c3.destroy();
        await kill(child, 'SIGTERM');
        // A bad file: one line naming the file and the entry, exit 1.
        const bad = write('bad.yaml', 'pools:\n  - Id: us-east-1_example\n    PoolName: example\n    users:\n      - Username: zed\n        Password: abc\n');
        const run = spawnSync(process.execPath, [CLI, '--port', '0', ...storeArgs(fresh.settings), '--seed', bad], { encoding: 'utf8' });
        assert.equal(run.status, 1);
        assert.match(run.stderr.trim(), /^incognito: \S*bad\.yaml: pools\[0\]\.users\[0\] \(zed\): InvalidPasswordException: Password did not conform with policy: [^\n]*$/);
      } finally {
        if (child) await kill(child, 'SIGTERM');
        await fresh.cleanup();
      }
    });
  });
}

describe('--seed and INCOGNITO_SEED', () => {
  it('is repeatable; the environment separates paths with the path delimiter; flags replace it', () => {
    assert.deepEqual(loadConfig([], {}).seed, []);
    assert.deepEqual(loadConfig([], { INCOGNITO_SEED: ['a.yaml', 'dir'].join(path.delimiter) }).seed, ['a.yaml', 'dir']);
    assert.deepEqual(loadConfig(['--seed', 'x.json', '--seed=y.yaml'], { INCOGNITO_SEED: 'a.yaml' }).seed, ['x.json', 'y.yaml']);
    assert.deepEqual(defaults.seed, []);
  });
});
