/**
 * OAuth resource servers through the real SDK: CRUD, scopes, quotas, pagination, races, and the
 * custom scopes app clients may name in AllowedOAuthScopes, on both stores.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteResourceServerCommand,
  DeleteUserPoolCommand,
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  ListResourceServersCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolClientCommand,
  type ResourceServerScopeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, rawCall, startTestServer, type TestServer } from './harness.js';

const T = 'AWSCognitoIdentityProviderService.';
const MISSING_POOL = 'us-east-1_missing00';
const READ = { ScopeName: 'read', ScopeDescription: 'Read the photos' };
const WRITE = { ScopeName: 'write', ScopeDescription: 'Change the photos' };

for (const backend of await backends()) {
  describe(`resource servers (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    async function pool() {
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'resource-servers' }));
      return UserPool.Id as string;
    }
    const server = (UserPoolId: string, Identifier: string, Scopes?: ResourceServerScopeType[], Name = 'Photos') =>
      send(new CreateResourceServerCommand({ UserPoolId, Identifier, Name, ...(Scopes ? { Scopes } : {}) })).then((r) => r.ResourceServer);
    const describeServer = (UserPoolId: string, Identifier: string) =>
      send(new DescribeResourceServerCommand({ UserPoolId, Identifier })).then((r) => r.ResourceServer);
    /** An OAuth client of the pool allowed the given scopes (client_credentials needs a secret and custom scopes only). */
    const oauthClient = (UserPoolId: string, scopes: string[], extra: Record<string, unknown> = {}) =>
      send(
        new CreateUserPoolClientCommand({
          UserPoolId,
          ClientName: 'app',
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          CallbackURLs: ['https://app.example.com/cb'],
          AllowedOAuthScopes: scopes,
          ...extra,
        }),
      ).then((r) => r.UserPoolClient);
    const identifiers = async (UserPoolId: string) =>
      ((await send(new ListResourceServersCommand({ UserPoolId, MaxResults: 50 }))).ResourceServers as { Identifier: string }[]).map((s) => s.Identifier);

    describe('CreateResourceServer, DescribeResourceServer', () => {
      it('round-trips the identifier, name and scopes in the order given', async () => {
        const p = await pool();
        const rs = await server(p, 'https://photos.example.com', [WRITE, READ], 'Photo API');
        assert.deepEqual(rs, { UserPoolId: p, Identifier: 'https://photos.example.com', Name: 'Photo API', Scopes: [WRITE, READ] });
        assert.deepEqual(await describeServer(p, 'https://photos.example.com'), rs);
      });

      it('leaves Scopes out for a server without scopes', async () => {
        const p = await pool();
        const rs = await server(p, 'plain');
        assert.deepEqual(rs, { UserPoolId: p, Identifier: 'plain', Name: 'Photos' });
        const raw = await rawCall(t.url, T + 'DescribeResourceServer', JSON.stringify({ UserPoolId: p, Identifier: 'plain' }));
        assert.equal(raw.status, 200);
        assert.deepEqual(raw.json, { ResourceServer: { UserPoolId: p, Identifier: 'plain', Name: 'Photos' } });
      });

      it('refuses a taken identifier; identifiers are case-sensitive and per pool', async () => {
        const p = await pool();
        await server(p, 'photos', [READ]);
        await expectError(server(p, 'photos'), 'InvalidParameterException', `A resource server with the identifier photos already exists in user pool ${p}.`);
        assert.equal((await server(p, 'Photos', [WRITE])).Identifier, 'Photos');
        assert.deepEqual((await describeServer(p, 'photos')).Scopes, [READ]);
        assert.deepEqual((await describeServer(p, 'Photos')).Scopes, [WRITE]);
        await expectError(describeServer(p, 'PHOTOS'), 'ResourceNotFoundException', `Resource server PHOTOS does not exist in user pool ${p}.`);
        const other = await pool();
        assert.equal((await server(other, 'photos')).UserPoolId, other);
      });

      it('refuses a scope name given twice', async () => {
        const p = await pool();
        await expectError(
          server(p, 'photos', [READ, WRITE, { ScopeName: 'read', ScopeDescription: 'again' }]),
          'InvalidParameterException',
          'The scope name read is given more than once: scope names must be unique in a resource server.',
        );
        await expectError(describeServer(p, 'photos'), 'ResourceNotFoundException');
      });

      it('validates identifiers, names and scopes against the model', async () => {
        const p = await pool();
        await expectError(server(p, 'a"b'), 'InvalidParameterException', /^1 validation error detected: Value 'a"b' at 'identifier' failed to satisfy constraint: Member must satisfy regular expression pattern/);
        await expectError(server(p, 'x'.repeat(257)), 'InvalidParameterException', /at 'identifier' failed to satisfy constraint: Member must have length less than or equal to 256/);
        await expectError(server(p, 'photos', undefined, 'bad/name'), 'InvalidParameterException', /at 'name' failed to satisfy constraint/);
        // A scope name has no '/', so `<identifier>/<scope>` is never ambiguous.
        await expectError(
          server(p, 'photos', [{ ScopeName: 'a/b', ScopeDescription: 'slash' }]),
          'InvalidParameterException',
          /at 'scopes\.1\.member\.scopeName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
        );
        await expectError(
          send(new CreateResourceServerCommand({ UserPoolId: p, Identifier: 'photos', Name: 'Photos', Scopes: [{ ScopeName: 'read' } as ResourceServerScopeType] })),
          'InvalidParameterException',
          /at 'scopes\.1\.member\.scopeDescription' failed to satisfy constraint: Member must not be null/,
        );
        await expectError(describeServer(p, 'photos'), 'ResourceNotFoundException');
      });

      it('answers ResourceNotFoundException for an unknown pool', async () => {
        await expectError(server(MISSING_POOL, 'photos'), 'ResourceNotFoundException', `User pool ${MISSING_POOL} does not exist.`);
        await expectError(describeServer(MISSING_POOL, 'photos'), 'ResourceNotFoundException', `User pool ${MISSING_POOL} does not exist.`);
      });
    });

    describe('quotas', () => {
      it('takes 100 scopes in a server and refuses 101 (the model limit)', async () => {
        const p = await pool();
        const scopes = (n: number) => Array.from({ length: n }, (_, i) => ({ ScopeName: `s${i}`, ScopeDescription: `scope ${i}` }));
        const rs = await server(p, 'big', scopes(100));
        assert.equal(rs.Scopes.length, 100);
        assert.equal((await describeServer(p, 'big')).Scopes[99].ScopeName, 's99');
        await expectError(server(p, 'bigger', scopes(101)), 'InvalidParameterException', /at 'scopes' failed to satisfy constraint: Member must have length less than or equal to 100/);
        await expectError(
          send(new UpdateResourceServerCommand({ UserPoolId: p, Identifier: 'big', Name: 'Big', Scopes: scopes(101) })),
          'InvalidParameterException',
          /Member must have length less than or equal to 100/,
        );
        assert.equal((await describeServer(p, 'big')).Scopes.length, 100);
      });

      it('takes 25 servers in a pool and refuses the 26th, also when creates race', async () => {
        const p = await pool();
        for (let i = 0; i < 23; i++) await server(p, `api-${String(i).padStart(2, '0')}`);
        // Five concurrent creates for the last two places: exactly two win.
        const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => server(p, `race-${i}`)));
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 2);
        for (const r of lost) {
          assert.equal(r.reason.name, 'LimitExceededException');
          assert.equal(r.reason.message, 'The user pool has reached its limit of 25 resource servers.');
        }
        assert.equal((await identifiers(p)).length, 25);
        await expectError(server(p, 'one-more'), 'LimitExceededException', 'The user pool has reached its limit of 25 resource servers.');
        // Deleting one frees a place.
        await send(new DeleteResourceServerCommand({ UserPoolId: p, Identifier: 'api-00' }));
        assert.equal((await server(p, 'one-more')).Identifier, 'one-more');
      });

      it('lets exactly one of concurrent creates of one identifier win', async () => {
        const p = await pool();
        const results = await Promise.allSettled([READ, WRITE, READ, WRITE].map((s) => server(p, 'contested', [s])));
        const won = results.filter((r): r is PromiseFulfilledResult<any> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.equal(lost.length, 3);
        for (const r of lost) assert.equal(r.reason.name, 'InvalidParameterException', r.reason.message);
        assert.deepEqual((await describeServer(p, 'contested')).Scopes, won[0]!.value.Scopes);
      });
    });

    describe('UpdateResourceServer, DeleteResourceServer', () => {
      it('replaces the name and scopes; omitted Scopes leave none', async () => {
        const p = await pool();
        await server(p, 'photos', [READ]);
        const { ResourceServer } = await send(new UpdateResourceServerCommand({ UserPoolId: p, Identifier: 'photos', Name: 'Photo API v2', Scopes: [WRITE, READ] }));
        assert.deepEqual(ResourceServer, { UserPoolId: p, Identifier: 'photos', Name: 'Photo API v2', Scopes: [WRITE, READ] });
        assert.deepEqual(await describeServer(p, 'photos'), ResourceServer);
        const cleared = await send(new UpdateResourceServerCommand({ UserPoolId: p, Identifier: 'photos', Name: 'Photo API v3' }));
        assert.deepEqual(cleared.ResourceServer, { UserPoolId: p, Identifier: 'photos', Name: 'Photo API v3' });
        assert.deepEqual(await describeServer(p, 'photos'), cleared.ResourceServer);
      });

      it('refuses duplicate scope names, unknown servers and pools, and a missing Name', async () => {
        const p = await pool();
        await server(p, 'photos', [READ]);
        await expectError(
          send(new UpdateResourceServerCommand({ UserPoolId: p, Identifier: 'photos', Name: 'Photos', Scopes: [WRITE, WRITE] })),
          'InvalidParameterException',
          'The scope name write is given more than once: scope names must be unique in a resource server.',
        );
        await expectError(
          send(new UpdateResourceServerCommand({ UserPoolId: p, Identifier: 'videos', Name: 'Videos' })),
          'ResourceNotFoundException',
          `Resource server videos does not exist in user pool ${p}.`,
        );
        await expectError(
          send(new UpdateResourceServerCommand({ UserPoolId: MISSING_POOL, Identifier: 'photos', Name: 'Photos' })),
          'ResourceNotFoundException',
          `User pool ${MISSING_POOL} does not exist.`,
        );
        const raw = await rawCall(t.url, T + 'UpdateResourceServer', JSON.stringify({ UserPoolId: p, Identifier: 'photos' }));
        assert.equal(raw.status, 400);
        assert.equal(raw.json.__type, 'InvalidParameterException');
        assert.equal(raw.json.message, "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
        assert.deepEqual((await describeServer(p, 'photos')).Scopes, [READ]);
      });

      it('deletes a server; a second delete or an unknown one is ResourceNotFoundException', async () => {
        const p = await pool();
        await server(p, 'photos', [READ]);
        await server(p, 'videos');
        assert.deepEqual(await send(new DeleteResourceServerCommand({ UserPoolId: p, Identifier: 'photos' })).then((r) => Object.keys(r).filter((k) => k !== '$metadata')), []);
        await expectError(describeServer(p, 'photos'), 'ResourceNotFoundException', `Resource server photos does not exist in user pool ${p}.`);
        await expectError(
          send(new DeleteResourceServerCommand({ UserPoolId: p, Identifier: 'photos' })),
          'ResourceNotFoundException',
          `Resource server photos does not exist in user pool ${p}.`,
        );
        await expectError(
          send(new DeleteResourceServerCommand({ UserPoolId: MISSING_POOL, Identifier: 'videos' })),
          'ResourceNotFoundException',
          `User pool ${MISSING_POOL} does not exist.`,
        );
        assert.deepEqual(await identifiers(p), ['videos']);
      });

      it('goes with its pool', async () => {
        const p = await pool();
        await server(p, 'photos', [READ]);
        assert.deepEqual([...(await t.server.store.resourceServers.scopesOf(p))], ['photos/read']);
        await send(new DeleteUserPoolCommand({ UserPoolId: p }));
        assert.equal(await t.server.store.resourceServers.count(p), 0);
        assert.equal((await t.server.store.resourceServers.scopesOf(p)).size, 0);
      });
    });

    describe('ListResourceServers', () => {
      it('pages through the servers in identifier order (byte order), with stable tokens', async () => {
        const p = await pool();
        const names = ['https://b.example.com', 'alpha', 'Zulu', 'beta', 'https://a.example.com', 'a:b'];
        for (const n of names) await server(p, n, [READ]);
        const expected = [...names].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
        assert.deepEqual(await identifiers(p), expected);
        const pages: string[][] = [];
        let token: string | undefined;
        do {
          const r = await send(new ListResourceServersCommand({ UserPoolId: p, MaxResults: 4, ...(token ? { NextToken: token } : {}) }));
          pages.push((r.ResourceServers as { Identifier: string }[]).map((s) => s.Identifier));
          for (const s of r.ResourceServers) assert.deepEqual(s.Scopes, [READ]);
          token = r.NextToken;
          // A server added behind the cursor does not shift the next page.
          if (pages.length === 1) await server(p, 'Aaaa');
        } while (token !== undefined);
        assert.deepEqual(pages, [expected.slice(0, 4), expected.slice(4)]);
        // Without MaxResults every server comes on one page (at most 25 exist; the page size is 50).
        const all = await send(new ListResourceServersCommand({ UserPoolId: p }));
        assert.equal(all.ResourceServers.length, names.length + 1);
        assert.equal(all.NextToken, undefined);
      });

      it('answers an empty list for a pool without servers, and refuses bad tokens and sizes', async () => {
        const p = await pool();
        const r = await send(new ListResourceServersCommand({ UserPoolId: p, MaxResults: 10 }));
        assert.deepEqual(r.ResourceServers, []);
        assert.equal(r.NextToken, undefined);
        await expectError(
          send(new ListResourceServersCommand({ UserPoolId: p, NextToken: 'not-a-token' })),
          'InvalidParameterException',
          'The NextToken is not valid: pass the token a previous response returned.',
        );
        // A token of another pool's list is not valid here.
        const other = await pool();
        for (const n of ['a', 'b', 'c']) await server(other, n);
        const first = await send(new ListResourceServersCommand({ UserPoolId: other, MaxResults: 1 }));
        assert.ok(first.NextToken);
        await expectError(send(new ListResourceServersCommand({ UserPoolId: p, NextToken: first.NextToken })), 'InvalidParameterException');
        await expectError(send(new ListResourceServersCommand({ UserPoolId: p, MaxResults: 51 })), 'InvalidParameterException', /at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50/);
        await expectError(send(new ListResourceServersCommand({ UserPoolId: p, MaxResults: 0 })), 'InvalidParameterException', /Member must have value greater than or equal to 1/);
        await expectError(send(new ListResourceServersCommand({ UserPoolId: MISSING_POOL })), 'ResourceNotFoundException', `User pool ${MISSING_POOL} does not exist.`);
      });
    });

    describe('custom scopes in app clients', () => {
      it('refuses a custom scope until its resource server exists, then accepts it', async () => {
        const p = await pool();
        await expectError(oauthClient(p, ['openid', 'photos/read']), 'ScopeDoesNotExistException', 'Invalid scope requested: photos/read');
        await server(p, 'photos', [READ, WRITE]);
        const c = await oauthClient(p, ['openid', 'photos/read', 'photos/write']);
        assert.deepEqual(c.AllowedOAuthScopes, ['openid', 'photos/read', 'photos/write']);
        // A scope the server does not define, or a server that does not exist, is still refused.
        await expectError(oauthClient(p, ['photos/delete']), 'ScopeDoesNotExistException', 'Invalid scope requested: photos/delete');
        await expectError(oauthClient(p, ['videos/read']), 'ScopeDoesNotExistException', 'Invalid scope requested: videos/read');
        await expectError(oauthClient(p, ['Photos/read']), 'ScopeDoesNotExistException', 'Invalid scope requested: Photos/read');
        // Another pool's servers do not count.
        const other = await pool();
        await expectError(oauthClient(other, ['photos/read']), 'ScopeDoesNotExistException', 'Invalid scope requested: photos/read');
      });

      it('takes identifiers with slashes (URLs) and client_credentials clients with custom scopes only', async () => {
        const p = await pool();
        await server(p, 'https://api.example.com/v1', [READ]);
        const c = await oauthClient(p, ['https://api.example.com/v1/read'], { GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], CallbackURLs: undefined });
        assert.deepEqual(c.AllowedOAuthFlows, ['client_credentials']);
        assert.deepEqual(c.AllowedOAuthScopes, ['https://api.example.com/v1/read']);
        await expectError(
          oauthClient(p, ['https://api.example.com/v1/read', 'openid'], { GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], CallbackURLs: undefined }),
          'InvalidOAuthFlowException',
          'openid is not supported with client_credentials flow',
        );
      });

      it('checks UpdateUserPoolClient against the scopes that exist now', async () => {
        const p = await pool();
        const c = await oauthClient(p, ['openid']);
        const update = (scopes: string[]) =>
          send(
            new UpdateUserPoolClientCommand({
              UserPoolId: p,
              ClientId: c.ClientId,
              AllowedOAuthFlowsUserPoolClient: true,
              AllowedOAuthFlows: ['code'],
              CallbackURLs: ['https://app.example.com/cb'],
              AllowedOAuthScopes: scopes,
            }),
          ).then((r) => r.UserPoolClient);
        await expectError(update(['openid', 'photos/read']), 'ScopeDoesNotExistException', 'Invalid scope requested: photos/read');
        await server(p, 'photos', [READ]);
        assert.deepEqual((await update(['openid', 'photos/read'])).AllowedOAuthScopes, ['openid', 'photos/read']);
      });

      it('keeps a deleted scope in clients, inactive: new requests naming it are refused until it exists again', async () => {
        const p = await pool();
        await server(p, 'photos', [READ, WRITE]);
        const c = await oauthClient(p, ['openid', 'photos/read', 'photos/write']);
        const scopesOfClient = async () =>
          (await send(new DescribeUserPoolClientCommand({ UserPoolId: p, ClientId: c.ClientId }))).UserPoolClient.AllowedOAuthScopes;
        const active = async () => [...(await t.server.store.resourceServers.scopesOf(p))].sort();

        // UpdateResourceServer drops `write`: the client keeps it, the pool no longer has it.
        await send(new UpdateResourceServerCommand({ UserPoolId: p, Identifier: 'photos', Name: 'Photos', Scopes: [READ] }));
        assert.deepEqual(await scopesOfClient(), ['openid', 'photos/read', 'photos/write']);
        assert.deepEqual(await active(), ['photos/read']);
        await expectError(oauthClient(p, ['photos/write']), 'ScopeDoesNotExistException', 'Invalid scope requested: photos/write');

        // DeleteResourceServer: the same for every scope of the server.
        await send(new DeleteResourceServerCommand({ UserPoolId: p, Identifier: 'photos' }));
        assert.deepEqual(await scopesOfClient(), ['openid', 'photos/read', 'photos/write']);
        assert.deepEqual(await active(), []);
        await expectError(oauthClient(p, ['photos/read']), 'ScopeDoesNotExistException', 'Invalid scope requested: photos/read');
        // UpdateUserPoolClient is a full replace checked like a create: resending the inactive scope is refused.
        await expectError(
          send(
            new UpdateUserPoolClientCommand({
              UserPoolId: p,
              ClientId: c.ClientId,
              AllowedOAuthFlowsUserPoolClient: true,
              AllowedOAuthFlows: ['code'],
              CallbackURLs: ['https://app.example.com/cb'],
              AllowedOAuthScopes: ['openid', 'photos/read'],
            }),
          ),
          'ScopeDoesNotExistException',
          'Invalid scope requested: photos/read',
        );
        assert.deepEqual(await scopesOfClient(), ['openid', 'photos/read', 'photos/write']);

        // Created again, the scopes are active again and new clients may name them.
        await server(p, 'photos', [READ, WRITE]);
        assert.deepEqual(await active(), ['photos/read', 'photos/write']);
        assert.deepEqual((await oauthClient(p, ['photos/write'])).AllowedOAuthScopes, ['photos/write']);
      });
    });
  });
}
