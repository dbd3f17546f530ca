/** GetSigningCertificate through the AWS SDK v3: the pool's self-signed X.509 certificate, stable per pool. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CreateUserPoolCommand, GetSigningCertificateCommand } from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';

for (const backend of await backends()) {
  describe(`GetSigningCertificate (${backend.name})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t?.close());
    const pool = async () => (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'saml' }))).UserPool!.Id!;
    const cert = async (poolId: string) => (await t.cognito.send(new GetSigningCertificateCommand({ UserPoolId: poolId }))).Certificate!;

    it('answers a self-signed X.509 certificate in base64 DER, valid ten years, named for the pool, the same every time', async () => {
      const poolId = await pool();
      const body = await cert(poolId);
      assert.match(body, /^[A-Za-z0-9+/]+=*$/);
      const x = new X509Certificate(Buffer.from(body, 'base64'));
      assert.equal(x.subject, `CN=urn:amazon:cognito:sp:${poolId}`);
      assert.equal(x.issuer, x.subject);
      assert.ok(x.verify(x.publicKey), 'self-signed: its own key verifies it');
      assert.equal(x.publicKey.asymmetricKeyType, 'rsa');
      assert.equal(x.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
      const years = (new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()) / (365.25 * 86_400_000);
      assert.ok(years > 9.9 && years < 10.1, `valid ${years} years`);
      assert.ok(new Date(x.validFrom).getTime() <= Date.now());
      assert.equal(await cert(poolId), body);
      // Kept in the store: the same from the store's own record, with its private key sealed there.
      const stored = await t.server.store.certificates.get(poolId);
      assert.ok(stored);
      assert.equal(new X509Certificate(stored.certificate).raw.toString('base64'), body);
      assert.ok(!stored.privateKey.includes('PRIVATE KEY'), 'the private key is sealed at rest');
    });

    it('each pool has its own; an unknown pool is not found', async () => {
      const [a, b] = [await pool(), await pool()];
      const [ca, cb] = await Promise.all([cert(a), cert(b)]);
      assert.notEqual(ca, cb);
      // Asked for twice at once, a pool still ends up with one certificate.
      const c = await pool();
      const both = await Promise.all([cert(c), cert(c)]);
      assert.equal(both[0], both[1]);
      await expectError(t.cognito.send(new GetSigningCertificateCommand({ UserPoolId: 'us-east-1_nosuchpool' })), 'ResourceNotFoundException');
    });
  });
}
