/**
 * The optional HTTPS listener: `incognito cert` writes a self-signed pair, the server started with
 * --tls-cert/--tls-key answers the API (through the AWS SDK), the discovery document and the
 * hosted pages over TLS, and marks its cookies Secure there. A transport concern: SQLite only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ConfigError, loadConfig } from '../src/config.js';
import { backends, startTestServer, type TestServer } from './harness.js';
import { CLI } from './process.js';

const run = promisify(execFile);

function get(url: string, ca: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('HTTPS listener', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-tls-'));
  let t: TestServer;
  let ca: string;
  before(async () => {
    const { stdout } = await run(process.execPath, [CLI, 'cert', '--out', dir, '--host', 'auth.example.test']);
    assert.match(stdout, /wrote .*cert\.pem and .*key\.pem/);
    ca = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    assert.equal(fs.statSync(path.join(dir, 'key.pem')).mode & 0o777, 0o600);
    const [sqlite] = await backends();
    t = await startTestServer(sqlite!, { tlsCert: path.join(dir, 'cert.pem'), tlsKey: path.join(dir, 'key.pem'), httpsPort: 0 });
  });
  after(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the certificate names localhost, the loopback addresses and the names given', () => {
    const cert = new X509Certificate(ca);
    assert.match(cert.subjectAltName!, /DNS:localhost/);
    assert.match(cert.subjectAltName!, /IP Address:127\.0\.0\.1/);
    assert.match(cert.subjectAltName!, /DNS:auth\.example\.test/);
    assert.ok(cert.checkHost('localhost'));
  });

  it('serves the API, discovery and the hosted pages over TLS; cookies are Secure there', async () => {
    const httpsUrl = t.server.httpsUrl!;
    assert.match(httpsUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    const sdk = new CognitoIdentityProviderClient({
      region: 'us-east-1',
      endpoint: httpsUrl,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca }) }),
      maxAttempts: 1,
    });
    try {
      const { UserPool } = await sdk.send(new CreateUserPoolCommand({ PoolName: 'tls' }));
      const { UserPoolClient } = await sdk.send(
        new CreateUserPoolClientCommand({
          UserPoolId: UserPool!.Id!,
          ClientName: 'web',
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid'],
          CallbackURLs: ['https://localhost/callback'],
          SupportedIdentityProviders: ['COGNITO'],
        }),
      );
      const discovery = await get(`${httpsUrl}/${UserPool!.Id}/.well-known/openid-configuration`, ca);
      assert.equal(discovery.status, 200);
      assert.ok(JSON.parse(discovery.body).jwks_uri);
      const login = await get(`${httpsUrl}/login?${new URLSearchParams({ client_id: UserPoolClient!.ClientId!, response_type: 'code', redirect_uri: 'https://localhost/callback' })}`, ca);
      assert.equal(login.status, 200);
      const cookies = login.headers['set-cookie'] as string[];
      assert.ok(cookies.length && cookies.every((c) => /; Secure/.test(c)), String(cookies));
      // The plain HTTP listener still answers, without Secure cookies.
      const plain = await fetch(`${t.url}/login?${new URLSearchParams({ client_id: UserPoolClient!.ClientId!, response_type: 'code', redirect_uri: 'https://localhost/callback' })}`);
      assert.doesNotMatch(plain.headers.get('set-cookie')!, /Secure/);
    } finally {
      sdk.destroy();
    }
  });

  it('--tls-cert and --tls-key go together', () => {
    assert.throws(() => loadConfig(['--tls-cert', 'x.pem'], {}), (e: Error) => e instanceof ConfigError && /go together/.test(e.message));
  });
});
