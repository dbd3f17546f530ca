/**
 * User pool domains through the real SDK: prefix and custom domains, their rules, one of each per
 * pool, names unique across pools (also under races), DescribeUserPool's Domain/CustomDomain and
 * DeleteUserPool while a domain exists, on both stores.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  UpdateUserPoolDomainCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, rawCall, startTestServer, type TestServer } from './harness.js';

const T = 'AWSCognitoIdentityProviderService.';
const MISSING_POOL = 'us-east-1_missing00';
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0f6a4a6e-8c7d-4b1e-9f3a-2b5c6d7e8f90';
const CERT2 = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const POOL_HAS_ONE = 'User pool already has a domain configured.';
const TAKEN = 'Domain already associated with another user pool.';
const NO_SUCH = 'No such domain or user pool exists.';
const INVALID_PREFIX =
  'The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. ' +
  'Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$';

let seq = 0;
/** A name no other test (or earlier run on the same database) uses: domains are unique across pools. */
const unique = (stem: string) => `${stem}-${process.pid}-${Date.now().toString(36)}-${seq++}`;

for (const backend of await backends()) {
  describe(`user pool domains (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    async function pool(input: Partial<CreateUserPoolCommandInput> = {}) {
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'domains', ...input }));
      return UserPool.Id as string;
    }
    const create = (UserPoolId: string, Domain: string, extra: Record<string, unknown> = {}) =>
      send(new CreateUserPoolDomainCommand({ UserPoolId, Domain, ...extra })).then(({ $metadata, ...rest }) => rest);
    const custom = (UserPoolId: string, Domain: string, CertificateArn = CERT, extra: Record<string, unknown> = {}) =>
      create(UserPoolId, Domain, { CustomDomainConfig: { CertificateArn }, ...extra });
    const describeDomain = (Domain: string) => send(new DescribeUserPoolDomainCommand({ Domain })).then((r) => r.DomainDescription);
    const deleteDomain = (UserPoolId: string, Domain: string) => send(new DeleteUserPoolDomainCommand({ UserPoolId, Domain }));
    const update = (UserPoolId: string, Domain: string, extra: Record<string, unknown> = {}) =>
      send(new UpdateUserPoolDomainCommand({ UserPoolId, Domain, ...extra })).then(({ $metadata, ...rest }) => rest);
    const describePool = (UserPoolId: string) => send(new DescribeUserPoolCommand({ UserPoolId })).then((r) => r.UserPool);
    const host = () => new URL(t.url).hostname;

    describe('prefix domains', () => {
      it('creates one and describes it with honest local values', async () => {
        const p = await pool();
        const name = unique('myapp');
        const before = Date.now();
        assert.deepEqual(await create(p, name), { ManagedLoginVersion: 1 });
        const d = await describeDomain(name);
        assert.deepEqual(Object.keys(d).sort(), [
          'AWSAccountId',
          'CloudFrontDistribution',
          'Domain',
          'ManagedLoginVersion',
          'Status',
          'UserPoolId',
          'Version',
        ]);
        assert.equal(d.UserPoolId, p);
        assert.equal(d.AWSAccountId, t.config.accountId);
        assert.equal(d.Domain, name);
        assert.equal(d.Status, 'ACTIVE');
        assert.equal(d.ManagedLoginVersion, 1);
        assert.equal(d.CloudFrontDistribution, host());
        // Version: the time of the last change, yyyyMMddHHmmss in UTC.
        assert.match(d.Version, /^\d{14}$/);
        const stamp = (ms: number) => new Date(ms).toISOString().replace(/\D/g, '').slice(0, 14);
        assert.ok(d.Version >= stamp(before - 1000) && d.Version <= stamp(Date.now() + 1000), d.Version);
      });

      it('takes ManagedLoginVersion 2, refuses other versions, and 2 in a Lite pool', async () => {
        const p = await pool();
        const name = unique('managed');
        assert.deepEqual(await create(p, name, { ManagedLoginVersion: 2 }), { ManagedLoginVersion: 2 });
        assert.equal((await describeDomain(name)).ManagedLoginVersion, 2);
        const q = await pool();
        await expectError(create(q, unique('v3'), { ManagedLoginVersion: 3 }), 'InvalidParameterException', 'ManagedLoginVersion must be 1 (hosted UI, classic) or 2 (managed login); 3 is neither.');
        const lite = await pool({ UserPoolTier: 'LITE' });
        await expectError(
          create(lite, unique('lite'), { ManagedLoginVersion: 2 }),
          'FeatureUnavailableInTierException',
          'Managed login (ManagedLoginVersion 2) requires the ESSENTIALS or PLUS user pool tier.',
        );
        assert.deepEqual(await create(lite, unique('lite'), { ManagedLoginVersion: 1 }), { ManagedLoginVersion: 1 });
      });

      it("follows Cognito's prefix rules", async () => {
        const p = await pool();
        for (const bad of ['MyApp', '-myapp', 'myapp-', 'my_app', 'my app', 'my!app', 'ümlaut']) {
          await expectError(create(p, bad), 'InvalidParameterException', INVALID_PREFIX);
        }
        const long = 'a'.repeat(64);
        await expectError(create(p, long), 'InvalidParameterException', `A domain prefix can have at most 63 characters; ${long} has 64.`);
        for (const [bad, word] of [
          ['my-aws-app', 'aws'],
          ['amazonapp', 'amazon'],
          ['newcognito', 'cognito'],
          ['laws1', 'aws'],
        ] as const) {
          await expectError(create(p, `${bad}-${process.pid}`), 'InvalidParameterException', `Domain cannot contain reserved word: ${word}`);
        }
        await expectError(create(p, 'myapp', { CustomDomainConfig: { CertificateArn: CERT } }), 'InvalidParameterException', /myapp is a prefix domain, which takes no CustomDomainConfig/);
        // None of those was created; a valid name of 63 characters (or 1) is fine.
        assert.deepEqual((await describePool(p)).Domain, undefined);
        const max = `${process.pid}-${Date.now()}-`.padEnd(63, 'x');
        assert.deepEqual(await create(p, max), { ManagedLoginVersion: 1 });
        assert.equal((await describeDomain(max)).UserPoolId, p);
        await expectError(create(p, ''), 'InvalidParameterException', /at 'domain' failed to satisfy constraint: Member must have length greater than or equal to 1/);
      });
    });

    describe('custom domains', () => {
      it('creates one with its certificate; CloudFrontDomain is where its DNS must point', async () => {
        const p = await pool();
        const name = `${unique('auth')}.example.com`;
        assert.deepEqual(await custom(p, name), { ManagedLoginVersion: 1, CloudFrontDomain: host() });
        const d = await describeDomain(name);
        assert.equal(d.Domain, name);
        assert.equal(d.UserPoolId, p);
        assert.deepEqual(d.CustomDomainConfig, { CertificateArn: CERT });
        assert.equal(d.CloudFrontDistribution, host());
        assert.equal(d.Status, 'ACTIVE');
        assert.equal(d.S3Bucket, undefined);
      });

      it('takes names longer than a prefix may be (the model pattern is the prefix rule)', async () => {
        const p = await pool();
        const name = `${'a'.repeat(60)}.${unique('login')}.example.co.uk`;
        assert.ok(name.length > 63);
        assert.deepEqual(await custom(p, name), { ManagedLoginVersion: 1, CloudFrontDomain: host() });
        assert.equal((await describePool(p)).CustomDomain, name);
      });

      it('needs a certificate: an ACM ARN in us-east-1', async () => {
        const p = await pool();
        const name = `${unique('auth')}.example.com`;
        await expectError(create(p, name), 'InvalidParameterException', `${name} is a custom domain: give CustomDomainConfig with the CertificateArn of its ACM certificate (or a prefix without dots for a prefix domain).`);
        await expectError(
          custom(p, name, 'arn:aws:iam::123456789012:server-certificate/auth'),
          'InvalidParameterException',
          'CertificateArn arn:aws:iam::123456789012:server-certificate/auth is not the ARN of an ACM certificate (arn:aws:acm:us-east-1:<account id>:certificate/<certificate id>).',
        );
        await expectError(
          custom(p, name, 'arn:aws:acm:eu-west-1:123456789012:certificate/0f6a4a6e-8c7d-4b1e-9f3a-2b5c6d7e8f90'),
          'InvalidParameterException',
          "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain.",
        );
        // Not an ARN at all: the model's ArnType.
        await expectError(custom(p, name, 'certificate'), 'InvalidParameterException', /at 'customDomainConfig\.certificateArn' failed to satisfy constraint/);
        assert.deepEqual(await describeDomain(name), {});
      });

      it('refuses names that are not DNS names, or not the caller’s', async () => {
        const p = await pool();
        for (const bad of ['Auth.Example.com', 'auth..example.com', '-auth.example.com', 'auth-.example.com', 'auth.example.com.', '.example.com', 'auth.exa_mple.com', '10.0.0.1', `${'a'.repeat(64)}.example.com`, `${'abcdefghi.'.repeat(26)}com`]) {
          await expectError(custom(p, bad), 'InvalidParameterException', /is not a valid custom domain: give a fully qualified name such as auth\.example\.com/);
        }
        await expectError(custom(p, 'myapp.auth.us-east-1.amazoncognito.com'), 'InvalidParameterException', 'A custom domain cannot be under amazoncognito.com; use a domain you own, such as auth.example.com.');
        await expectError(custom(p, 'login.amazonaws.com'), 'InvalidParameterException', 'A custom domain cannot be under amazonaws.com; use a domain you own, such as auth.example.com.');
        assert.equal((await describePool(p)).CustomDomain, undefined);
      });
    });

    describe('one of each kind per pool, names unique across pools', () => {
      it('lets a pool hold one prefix and one custom domain, shown by DescribeUserPool', async () => {
        const p = await pool();
        const prefix = unique('both');
        const name = `${unique('auth')}.example.com`;
        const before = await describePool(p);
        assert.equal(before.Domain, undefined);
        assert.equal(before.CustomDomain, undefined);
        await create(p, prefix);
        await custom(p, name);
        const after = await describePool(p);
        assert.equal(after.Domain, prefix);
        assert.equal(after.CustomDomain, name);
        await expectError(create(p, unique('second')), 'InvalidParameterException', POOL_HAS_ONE);
        await expectError(custom(p, `${unique('second')}.example.com`), 'InvalidParameterException', POOL_HAS_ONE);
        // Asking for the name it holds again is the same answer.
        await expectError(create(p, prefix), 'InvalidParameterException', POOL_HAS_ONE);
        const held = await t.server.store.domains.listForPool(p);
        assert.deepEqual(held.map((d) => [d.kind, d.domain]), [['prefix', prefix], ['custom', name]]);
      });

      it("refuses another pool's name, prefix or custom", async () => {
        const p = await pool();
        const q = await pool();
        const prefix = unique('taken');
        const name = `${unique('auth')}.example.com`;
        await create(p, prefix);
        await custom(p, name);
        await expectError(create(q, prefix), 'InvalidParameterException', TAKEN);
        await expectError(custom(q, name, CERT2), 'InvalidParameterException', TAKEN);
        assert.equal((await describeDomain(prefix)).UserPoolId, p);
        assert.deepEqual((await describeDomain(name)).CustomDomainConfig, { CertificateArn: CERT });
        const other = await describePool(q);
        assert.equal(other.Domain, undefined);
        assert.equal(other.CustomDomain, undefined);
      });

      it('lets exactly one of concurrent creates of one name win, across pools', async () => {
        const pools = await Promise.all([0, 1, 2, 3, 4].map(() => pool()));
        const name = unique('race');
        const results = await Promise.allSettled(pools.map((p) => create(p, name)));
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [pools[i]!] : []));
        assert.equal(won.length, 1);
        for (const r of results) {
          if (r.status === 'rejected') {
            assert.equal(r.reason.name, 'InvalidParameterException');
            assert.equal(r.reason.message, TAKEN);
            assert.equal(r.reason.$metadata.httpStatusCode, 400);
          }
        }
        assert.equal((await describeDomain(name)).UserPoolId, won[0]);
        const customName = `${unique('race')}.example.com`;
        const customResults = await Promise.allSettled(pools.map((p) => custom(p, customName)));
        assert.equal(customResults.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of customResults) if (r.status === 'rejected') assert.equal(r.reason.message, TAKEN);
      });

      it('lets a pool win exactly one of concurrent creates of different prefixes', async () => {
        const p = await pool();
        const names = [0, 1, 2, 3].map(() => unique('one-of'));
        const results = await Promise.allSettled(names.map((n) => create(p, n)));
        const won = names.filter((_, i) => results[i]!.status === 'fulfilled');
        assert.equal(won.length, 1);
        for (const r of results) if (r.status === 'rejected') assert.equal(r.reason.message, POOL_HAS_ONE);
        assert.equal((await describePool(p)).Domain, won[0]);
        for (const n of names) {
          if (n === won[0]) assert.equal((await describeDomain(n)).UserPoolId, p);
          else assert.deepEqual(await describeDomain(n), {});
        }
      });

      it('answers ResourceNotFoundException for an unknown pool', async () => {
        await expectError(create(MISSING_POOL, unique('nopool')), 'ResourceNotFoundException', `User pool ${MISSING_POOL} does not exist.`);
      });
    });

    describe('DescribeUserPoolDomain, domains.find', () => {
      it('answers an empty DomainDescription for a domain nobody holds', async () => {
        assert.deepEqual(await describeDomain(unique('nobody')), {});
        const raw = await rawCall(t.url, T + 'DescribeUserPoolDomain', JSON.stringify({ Domain: 'Not A Domain!' }));
        assert.equal(raw.status, 200);
        assert.deepEqual(raw.json, { DomainDescription: {} });
        const missing = await rawCall(t.url, T + 'DescribeUserPoolDomain', '{}');
        assert.equal(missing.status, 400);
        assert.equal(missing.json.message, "1 validation error detected: Value null at 'domain' failed to satisfy constraint: Member must not be null");
      });

      it('finds a domain by its exact name in the store', async () => {
        const p = await pool();
        const prefix = unique('find');
        const name = `${unique('auth')}.example.com`;
        await create(p, prefix, { ManagedLoginVersion: 2 });
        await custom(p, name);
        const f = await t.server.store.domains.find(prefix);
        assert.ok(f);
        assert.deepEqual(
          { domain: f.domain, poolId: f.poolId, kind: f.kind, certificateArn: f.certificateArn, managedLoginVersion: f.managedLoginVersion },
          { domain: prefix, poolId: p, kind: 'prefix', certificateArn: null, managedLoginVersion: 2 },
        );
        const c = await t.server.store.domains.find(name);
        assert.equal(c?.kind, 'custom');
        assert.equal(c?.poolId, p);
        assert.equal(c?.certificateArn, CERT);
        assert.equal(await t.server.store.domains.find(prefix.toUpperCase()), undefined);
        assert.equal(await t.server.store.domains.find(`${prefix}.auth.us-east-1.amazoncognito.com`), undefined);
      });

      it('tells which unique key an insert hit: the name, or the pool’s one domain of a kind', async () => {
        const p = await pool();
        const q = await pool();
        const store = t.server.store;
        const record = (poolId: string, domain: string) => ({
          domain,
          poolId,
          kind: 'prefix' as const,
          certificateArn: null,
          managedLoginVersion: 1,
          createdAt: Date.now(),
          updatedAt: Date.now(),
        });
        const first = unique('keys');
        await store.domains.insert(record(p, first));
        await assert.rejects(store.domains.insert(record(q, first)), (e: any) => e.what === 'domain');
        await assert.rejects(store.domains.insert(record(p, unique('keys'))), (e: any) => e.what === 'pool-domain-kind');
        assert.deepEqual((await store.domains.listForPool(p)).map((d) => d.domain), [first]);
        assert.deepEqual(await store.domains.listForPool(q), []);
      });
    });

    describe('UpdateUserPoolDomain', () => {
      it('changes the managed login version and a custom domain’s certificate, keeping what is omitted', async () => {
        const p = await pool();
        const prefix = unique('upd');
        const name = `${unique('auth')}.example.com`;
        await create(p, prefix);
        await custom(p, name);
        assert.deepEqual(await update(p, prefix, { ManagedLoginVersion: 2 }), { ManagedLoginVersion: 2 });
        assert.equal((await describeDomain(prefix)).ManagedLoginVersion, 2);
        assert.deepEqual(await update(p, prefix), { ManagedLoginVersion: 2 });
        assert.deepEqual(await update(p, name, { CustomDomainConfig: { CertificateArn: CERT2 } }), { ManagedLoginVersion: 1, CloudFrontDomain: host() });
        const d = await describeDomain(name);
        assert.deepEqual(d.CustomDomainConfig, { CertificateArn: CERT2 });
        assert.equal(d.ManagedLoginVersion, 1);
        assert.deepEqual(await update(p, name, { ManagedLoginVersion: 2 }), { ManagedLoginVersion: 2, CloudFrontDomain: host() });
        assert.deepEqual((await describeDomain(name)).CustomDomainConfig, { CertificateArn: CERT2 });
      });

      it('refuses a certificate for a prefix domain, bad values, and domains the pool does not hold', async () => {
        const p = await pool();
        const q = await pool();
        const prefix = unique('upd');
        const name = `${unique('auth')}.example.com`;
        await create(p, prefix);
        await custom(p, name);
        await expectError(
          update(p, prefix, { CustomDomainConfig: { CertificateArn: CERT } }),
          'InvalidParameterException',
          'User pool should have a custom domain associated, failed to update the certificate.',
        );
        await expectError(
          update(p, name, { CustomDomainConfig: { CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } }),
          'InvalidParameterException',
          /isn't in us-east-1 region/,
        );
        await expectError(update(p, prefix, { ManagedLoginVersion: 0 }), 'InvalidParameterException', /ManagedLoginVersion must be 1/);
        await expectError(update(q, prefix, { ManagedLoginVersion: 2 }), 'InvalidParameterException', NO_SUCH);
        await expectError(update(p, unique('nobody'), { ManagedLoginVersion: 2 }), 'InvalidParameterException', NO_SUCH);
        await expectError(update(MISSING_POOL, prefix), 'ResourceNotFoundException', `User pool ${MISSING_POOL} does not exist.`);
        const d = await describeDomain(name);
        assert.deepEqual(d.CustomDomainConfig, { CertificateArn: CERT });
        assert.equal((await describeDomain(prefix)).ManagedLoginVersion, 1);
      });
    });

    describe('DeleteUserPoolDomain, DeleteUserPool', () => {
      it('deletes a domain only through the pool that holds it; the name is free again afterwards', async () => {
        const p = await pool();
        const q = await pool();
        const prefix = unique('del');
        await create(p, prefix);
        await expectError(deleteDomain(q, prefix), 'InvalidParameterException', NO_SUCH);
        await expectError(deleteDomain(MISSING_POOL, prefix), 'ResourceNotFoundException', `User pool ${MISSING_POOL} does not exist.`);
        assert.equal((await describeDomain(prefix)).UserPoolId, p);
        const r = await deleteDomain(p, prefix);
        assert.deepEqual(Object.keys(r).filter((k) => k !== '$metadata'), []);
        assert.deepEqual(await describeDomain(prefix), {});
        assert.equal((await describePool(p)).Domain, undefined);
        await expectError(deleteDomain(p, prefix), 'InvalidParameterException', NO_SUCH);
        assert.deepEqual(await create(q, prefix), { ManagedLoginVersion: 1 });
        assert.equal((await describeDomain(prefix)).UserPoolId, q);
      });

      it('refuses to delete a pool that has a domain, then deletes it once the domains are gone', async () => {
        const p = await pool();
        const prefix = unique('keep');
        const name = `${unique('auth')}.example.com`;
        await create(p, prefix);
        await custom(p, name);
        const refuse = () =>
          expectError(
            send(new DeleteUserPoolCommand({ UserPoolId: p })),
            'InvalidParameterException',
            'User pool cannot be deleted. It has a domain configured that should be deleted first.',
          );
        await refuse();
        await deleteDomain(p, prefix);
        // A custom domain alone is a domain too.
        await refuse();
        assert.equal((await describePool(p)).CustomDomain, name);
        await deleteDomain(p, name);
        await send(new DeleteUserPoolCommand({ UserPoolId: p }));
        await expectError(describePool(p), 'ResourceNotFoundException');
        assert.deepEqual(await describeDomain(name), {});
      });
    });
  });
}
