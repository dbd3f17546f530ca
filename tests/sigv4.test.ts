/**
 * Access keys, SigV4 and policies, on each backend, through real clients: the AWS SDK v3 (its own
 * signer) with right and wrong keys and a shifted clock, presigned URLs made by @smithy/signature-v4,
 * raw signed fetch requests, policies allowing and denying by action and by pool, the public
 * operations signed or not, the admin endpoints (HTTP Basic and SigV4), the key's name in the request
 * log; then boto3 and the AWS CLI with a profile when python3 has them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SignatureV4 } from '@smithy/signature-v4';
import { defaults } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';
import { backends, captureStdout, expectError, rawCall, signRequest, startTestServer, type TestServer } from './harness.js';
import { Sha256 } from './sha256.js';

const ACCOUNT = defaults.accountId;
const ENV_KEY = { accessKeyId: 'AKIDADMIN0000001', secretAccessKey: 'admin-secret-0123456789' };
const READER = { accessKeyId: 'AKIDREADER000001', secretAccessKey: 'reader-secret-0123456789' };
const OPS = { accessKeyId: 'AKIDOPS000000001', secretAccessKey: 'ops-secret-0123456789' };
const MAIL = { accessKeyId: 'AKIDMAIL00000001', secretAccessKey: 'mail-secret-0123456789' };
type Key = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const arnOf = (poolId: string) => `arn:aws:cognito-idp:${poolId.split('_')[0]}:${ACCOUNT}:userpool/${poolId}`;
const TARGET = (op: string) => `AWSCognitoIdentityProviderService.${op}`;

for (const backend of await backends()) {
  describe(`SigV4 and policies (${backend.name})`, () => {
    // The pools are made first by a server without keys; the server under test shares its store and
    // reads a credentials file whose policies name those pools' ARNs.
    let setup: TestServer;
    let server: RunningServer;
    let url: string;
    let dir: string;
    let poolA: string;
    let poolB: string;
    let clientA: string;
    const clients: CognitoIdentityProviderClient[] = [];
    const sdk = (key: Key | undefined, extra: Record<string, unknown> = {}) => {
      const c = new CognitoIdentityProviderClient({
        region: 'us-east-1',
        endpoint: url,
        maxAttempts: 1,
        ...(key ? { credentials: { ...key } } : { credentials: () => Promise.reject(new Error('no credentials: this call must not need them')) }),
        ...extra,
      });
      clients.push(c);
      return c;
    };

    before(async () => {
      setup = await startTestServer(backend);
      poolA = (await setup.cognito.send(new CreateUserPoolCommand({ PoolName: 'a' }))).UserPool!.Id!;
      poolB = (await setup.cognito.send(new CreateUserPoolCommand({ PoolName: 'b' }))).UserPool!.Id!;
      clientA = (await setup.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolA, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient!.ClientId!;
      for (const p of [poolA, poolB]) {
        await setup.cognito.send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'ann', MessageAction: 'SUPPRESS' }));
        await setup.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'ann', Password: 'Correct-Horse-9', Permanent: true }));
      }
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-keys-'));
      const file = path.join(dir, 'keys.json');
      fs.writeFileSync(
        file,
        JSON.stringify([
          {
            ...READER,
            name: 'reader',
            policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['cognito-idp:List*', 'cognito-idp:Describe*', 'cognito-idp:AdminGetUser'], Resource: arnOf(poolA) }] },
          },
          {
            ...OPS,
            name: 'ops',
            policy: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 'cognito-idp:*', Resource: '*' },
                { Effect: 'Deny', Action: ['cognito-idp:AdminDelete*', 'cognito-idp:DeleteUserPool'], Resource: arnOf(poolA) },
              ],
            },
          },
          { ...MAIL, name: 'mail', policy: { Statement: [{ Effect: 'Allow', Action: 'incognito:ListMessages', Resource: arnOf(poolA) }] } },
        ]),
      );
      server = await startServer({ ...setup.config, port: 0, accessKeyId: ENV_KEY.accessKeyId, secretAccessKey: ENV_KEY.secretAccessKey, credentialsFile: file }, setup.server.store);
      url = server.url;
    });

    after(async () => {
      for (const c of clients) c.destroy();
      await server.close();
      await setup.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('the SDK with a configured key: admin operations work', async () => {
      const admin = sdk(ENV_KEY);
      const { UserPool } = await admin.send(new CreateUserPoolCommand({ PoolName: 'made-signed' }));
      assert.match(UserPool!.Id!, /^us-east-1_/);
      const user = await admin.send(new AdminGetUserCommand({ UserPoolId: poolA, Username: 'ann' }));
      assert.equal(user.Username, 'ann');
      // Any region: the credential scope's region is the request's.
      const eu = await sdk(ENV_KEY, { region: 'eu-central-1' }).send(new CreateUserPoolCommand({ PoolName: 'eu' }));
      assert.match(eu.UserPool!.Id!, /^eu-central-1_/);
    });

    it('a wrong secret: InvalidSignatureException; an unknown key: UnrecognizedClientException', async () => {
      await expectError(sdk({ accessKeyId: ENV_KEY.accessKeyId, secretAccessKey: 'not-the-secret-000' }).send(new AdminGetUserCommand({ UserPoolId: poolA, Username: 'ann' })), 'InvalidSignatureException', MISMATCH);
      await expectError(sdk({ accessKeyId: 'AKIDNOBODY000001', secretAccessKey: ENV_KEY.secretAccessKey }).send(new ListUserPoolsCommand({ MaxResults: 10 })), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    });

    it('a session token with a configured key: UnrecognizedClientException (incognito issues no temporary credentials)', async () => {
      await expectError(
        sdk({ ...ENV_KEY, sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' }).send(new AdminGetUserCommand({ UserPoolId: poolA, Username: 'ann' })),
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
      // The same key without the token is served.
      assert.equal((await sdk(ENV_KEY).send(new AdminGetUserCommand({ UserPoolId: poolA, Username: 'ann' }))).Username, 'ann');
    });

    it('no signature: MissingAuthenticationTokenException; a malformed one: IncompleteSignatureException', async () => {
      const r = await rawCall(url, TARGET('AdminGetUser'), JSON.stringify({ UserPoolId: poolA, Username: 'ann' }));
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
      assert.equal(r.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException:');
      const bad = await rawCall(url, TARGET('ListUserPools'), '{"MaxResults":1}', { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDADMIN0000001/20240101/us-east-1/cognito-idp/aws4_request', 'x-amz-date': '20240101T000000Z' });
      assert.equal(bad.json.__type, 'IncompleteSignatureException');
      assert.equal(bad.json.message, "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.");
      const bearer = await rawCall(url, TARGET('ListUserPools'), '{"MaxResults":1}', { authorization: 'Bearer abc' });
      assert.equal(bearer.json.__type, 'IncompleteSignatureException');
    });

    it('a raw fetch signed with @smithy/signature-v4 works; a changed body or another service does not', async () => {
      const body = JSON.stringify({ UserPoolId: poolA, Username: 'ann' });
      const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET('AdminGetUser') };
      const signed = await signRequest(url + '/', ENV_KEY, headers, body, { region: 'ap-southeast-2' });
      delete signed.host;
      const ok = await fetch(url + '/', { method: 'POST', headers: signed, body });
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { Username: string }).Username, 'ann');
      // @smithy/signature-v4 sends x-amz-content-sha256: a body that is not the one hashed is refused.
      assert.ok(signed['x-amz-content-sha256']);
      const tampered = await fetch(url + '/', { method: 'POST', headers: signed, body: JSON.stringify({ UserPoolId: poolB, Username: 'ann' }) });
      assert.deepEqual(await tampered.json(), { __type: 'InvalidSignatureException', message: "The provided 'x-amz-content-sha256' header does not match what was computed." });
      const noHashHeader = { ...signed };
      delete noHashHeader['x-amz-content-sha256'];
      const tampered2 = await fetch(url + '/', { method: 'POST', headers: noHashHeader, body: JSON.stringify({ UserPoolId: poolB, Username: 'ann' }) });
      assert.equal(((await tampered2.json()) as { __type: string }).__type, 'InvalidSignatureException');
      // Another operation with the same signed body: the target is a signed header.
      const retargeted = await fetch(url + '/', { method: 'POST', headers: { ...signed, 'x-amz-target': TARGET('AdminDeleteUser') }, body });
      assert.deepEqual(await retargeted.json(), { __type: 'InvalidSignatureException', message: MISMATCH });
      // A signature that leaves the target out is refused whatever it covers.
      const partial = await signRequest(url + '/', ENV_KEY, { 'content-type': 'application/x-amz-json-1.1' }, body);
      delete partial.host;
      const unsignedTarget = await fetch(url + '/', { method: 'POST', headers: { ...partial, 'x-amz-target': TARGET('AdminGetUser') }, body });
      assert.deepEqual(await unsignedTarget.json(), { __type: 'InvalidSignatureException', message: "The 'x-amz-target' header must be signed: list it in SignedHeaders." });
      assert.equal((await sdk(ENV_KEY).send(new AdminGetUserCommand({ UserPoolId: poolA, Username: 'ann' }))).Username, 'ann', 'nothing was deleted');
      const s3 = await signRequest(url + '/', ENV_KEY, headers, body, { service: 's3' });
      delete s3.host;
      const wrongService = await fetch(url + '/', { method: 'POST', headers: s3, body });
      assert.deepEqual(await wrongService.json(), { __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'cognito-idp'. " });
    });

    it('a signature more than 5 minutes old or ahead is refused; within 5 minutes it is taken', async () => {
      await expectError(
        sdk(ENV_KEY, { systemClockOffset: -10 * 60_000 }).send(new ListUserPoolsCommand({ MaxResults: 10 })),
        'InvalidSignatureException',
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
      );
      await expectError(
        sdk(ENV_KEY, { systemClockOffset: 10 * 60_000 }).send(new ListUserPoolsCommand({ MaxResults: 10 })),
        'InvalidSignatureException',
        /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
      );
      const r = await sdk(ENV_KEY, { systemClockOffset: -4 * 60_000 }).send(new ListUserPoolsCommand({ MaxResults: 10 }));
      assert.ok(r.UserPools!.some((p) => p.Id === poolA));
    });

    it('the SDK corrects its clock from the answer and succeeds on its retry (as against AWS)', async () => {
      const c = sdk(ENV_KEY, { systemClockOffset: -10 * 60_000, maxAttempts: 2 });
      const r = await c.send(new ListUserPoolsCommand({ MaxResults: 10 }));
      assert.ok(r.UserPools!.length >= 2);
    });

    describe('presigned URLs (@smithy/signature-v4 presign)', () => {
      const presign = async (key: Key, body: string, op: string, options: { signingDate?: Date; expiresIn?: number } = {}) => {
        const u = new URL(url);
        const signer = new SignatureV4({ credentials: key, region: 'us-east-1', service: 'cognito-idp', sha256: Sha256 });
        const req = await signer.presign(
          { method: 'POST', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: '/', query: {}, headers: { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET(op) }, body } as never,
          { expiresIn: options.expiresIn ?? 300, ...(options.signingDate ? { signingDate: options.signingDate } : {}) },
        );
        const query = new URLSearchParams(req.query as Record<string, string>).toString();
        return { url: `${url}/?${query}`, headers: req.headers as Record<string, string> };
      };

      it('a presigned POST works (the target travels in the query), with no Authorization header', async () => {
        const body = JSON.stringify({ UserPoolId: poolA, Username: 'ann' });
        const p = await presign(ENV_KEY, body, 'AdminGetUser');
        assert.match(p.url, /X-Amz-Signature=[0-9a-f]{64}/);
        assert.match(p.url, /x-amz-target=/i);
        const headers = { ...p.headers };
        delete headers.host;
        const res = await fetch(p.url, { method: 'POST', headers, body });
        assert.equal(res.status, 200, await res.clone().text());
        assert.equal(((await res.json()) as { Username: string }).Username, 'ann');
        const other = await fetch(p.url, { method: 'POST', headers, body: JSON.stringify({ UserPoolId: poolB, Username: 'ann' }) });
        assert.deepEqual(await other.json(), { __type: 'InvalidSignatureException', message: MISMATCH });
        // The target is in the signed query: another operation with the same body does not pass.
        const deleting = await fetch(p.url.replace('AdminGetUser', 'AdminDeleteUser'), { method: 'POST', headers, body });
        assert.deepEqual(await deleting.json(), { __type: 'InvalidSignatureException', message: MISMATCH });
      });

      it('a header target cannot replace the signed one: a presigned read sent with X-Amz-Target AdminDeleteUser deletes nothing', async () => {
        const body = JSON.stringify({ UserPoolId: poolA, Username: 'ann' });
        const p = await presign(ENV_KEY, body, 'AdminGetUser');
        const headers: Record<string, string> = { ...p.headers, 'x-amz-target': TARGET('AdminDeleteUser') };
        delete headers.host;
        const res = await fetch(p.url, { method: 'POST', headers, body });
        const answer = (await res.json()) as { __type: string; message: string };
        assert.equal(answer.__type, 'InvalidSignatureException');
        assert.match(answer.message, /differs from the X-Amz-Target of the query string/);
        // The user is still there, and the presigned URL still does what was signed.
        const again = { ...p.headers };
        delete again.host;
        const ok = await fetch(p.url, { method: 'POST', headers: again, body });
        assert.equal(((await ok.json()) as { Username: string }).Username, 'ann');
        // The header form: a request signed over a query target, with an unsigned header naming another operation.
        const u = new URL(url);
        const signer = new SignatureV4({ credentials: ENV_KEY, region: 'us-east-1', service: 'cognito-idp', sha256: Sha256 });
        const poolBody = JSON.stringify({ UserPoolId: poolA });
        const signed = (await signer.sign({
          method: 'POST', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: '/',
          query: { 'X-Amz-Target': TARGET('DescribeUserPool') },
          headers: { host: u.host, 'content-type': 'application/x-amz-json-1.1' }, body: poolBody,
        } as never)) as unknown as { headers: Record<string, string> };
        const h2: Record<string, string> = { ...signed.headers, 'x-amz-target': TARGET('DeleteUserPool') };
        delete h2.host;
        const swapped = await fetch(`${url}/?X-Amz-Target=${encodeURIComponent(TARGET('DescribeUserPool'))}`, { method: 'POST', headers: h2, body: poolBody });
        assert.equal(((await swapped.json()) as { __type: string }).__type, 'InvalidSignatureException');
        const described = await fetch(`${url}/?X-Amz-Target=${encodeURIComponent(TARGET('DescribeUserPool'))}`, { method: 'POST', headers: Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host')), body: poolBody });
        assert.equal(((await described.json()) as { UserPool: { Id: string } }).UserPool.Id, poolA, 'the pool is still there');
      });

      it('an expired presigned URL, and one of another secret, are refused', async () => {
        const body = JSON.stringify({ MaxResults: 10 });
        const old = await presign(ENV_KEY, body, 'ListUserPools', { signingDate: new Date(Date.now() - 120_000), expiresIn: 60 });
        const h = { 'content-type': 'application/x-amz-json-1.1' };
        const expired = (await (await fetch(old.url, { method: 'POST', headers: h, body })).json()) as { __type: string; message: string };
        assert.equal(expired.__type, 'InvalidSignatureException');
        assert.match(expired.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 60 sec\.\)$/);
        const wrong = await presign({ accessKeyId: ENV_KEY.accessKeyId, secretAccessKey: 'another-secret-000' }, body, 'ListUserPools');
        assert.deepEqual(await (await fetch(wrong.url, { method: 'POST', headers: h, body })).json(), { __type: 'InvalidSignatureException', message: MISMATCH });
      });
    });

    describe('policies', () => {
      it('allow by action and by pool; AccessDeniedException names the key, the action and the pool', async () => {
        const reader = sdk(READER);
        assert.equal((await reader.send(new AdminGetUserCommand({ UserPoolId: poolA, Username: 'ann' }))).Username, 'ann');
        assert.ok((await reader.send(new ListUsersCommand({ UserPoolId: poolA }))).Users!.length >= 1);
        assert.equal((await reader.send(new DescribeUserPoolCommand({ UserPoolId: poolA }))).UserPool!.Id, poolA);
        await expectError(
          reader.send(new AdminGetUserCommand({ UserPoolId: poolB, Username: 'ann' })),
          'AccessDeniedException',
          `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: cognito-idp:AdminGetUser on resource: ${arnOf(poolB)} because no identity-based policy allows the cognito-idp:AdminGetUser action`,
        );
        await expectError(
          reader.send(new AdminCreateUserCommand({ UserPoolId: poolA, Username: 'bob', MessageAction: 'SUPPRESS' })),
          'AccessDeniedException',
          `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: cognito-idp:AdminCreateUser on resource: ${arnOf(poolA)} because no identity-based policy allows the cognito-idp:AdminCreateUser action`,
        );
        // ListUserPools has no resource type: a statement naming a pool does not grant it.
        await expectError(
          reader.send(new ListUserPoolsCommand({ MaxResults: 10 })),
          'AccessDeniedException',
          `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: cognito-idp:ListUserPools on resource: * because no identity-based policy allows the cognito-idp:ListUserPools action`,
        );
        // Nothing was written by the refused call.
        await expectError(setup.cognito.send(new AdminGetUserCommand({ UserPoolId: poolA, Username: 'bob' })), 'UserNotFoundException');
      });

      it('an explicit Deny wins over an Allow of everything', async () => {
        const ops = sdk(OPS);
        await ops.send(new AdminCreateUserCommand({ UserPoolId: poolA, Username: 'carl', MessageAction: 'SUPPRESS' }));
        await expectError(
          ops.send(new AdminDeleteUserCommand({ UserPoolId: poolA, Username: 'carl' })),
          'AccessDeniedException',
          `User: arn:aws:iam::${ACCOUNT}:user/ops is not authorized to perform: cognito-idp:AdminDeleteUser on resource: ${arnOf(poolA)} with an explicit deny in an identity-based policy`,
        );
        await expectError(ops.send(new DeleteUserPoolCommand({ UserPoolId: poolA })), 'AccessDeniedException', /cognito-idp:DeleteUserPool on resource: .* with an explicit deny/);
        // The Deny names pool A only.
        await ops.send(new AdminCreateUserCommand({ UserPoolId: poolB, Username: 'carl', MessageAction: 'SUPPRESS' }));
        await ops.send(new AdminDeleteUserCommand({ UserPoolId: poolB, Username: 'carl' }));
        assert.ok((await ops.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!.length >= 2);
        assert.equal((await sdk(ENV_KEY).send(new AdminGetUserCommand({ UserPoolId: poolA, Username: 'carl' }))).Username, 'carl');
      });
    });

    it('the public operations work unsigned, and signed by any key (the signature is not what authorizes them)', async () => {
      const anonymous = sdk(undefined);
      await anonymous.send(new SignUpCommand({ ClientId: clientA, Username: 'dora', Password: 'Correct-Horse-9' }));
      const auth = await anonymous.send(new InitiateAuthCommand({ ClientId: clientA, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ann', PASSWORD: 'Correct-Horse-9' } }));
      assert.ok(auth.AuthenticationResult?.AccessToken);
      const raw = await rawCall(url, TARGET('InitiateAuth'), JSON.stringify({ ClientId: clientA, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ann', PASSWORD: 'Correct-Horse-9' } }));
      assert.equal(raw.status, 200);
      const signedByStranger = await rawCall(url, TARGET('InitiateAuth'), JSON.stringify({ ClientId: clientA, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ann', PASSWORD: 'Correct-Horse-9' } }), await signRequest(url + '/', { accessKeyId: 'AKIDSTRANGER0001', secretAccessKey: 'whatever-secret-1' }, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET('InitiateAuth') }, JSON.stringify({ ClientId: clientA, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ann', PASSWORD: 'Correct-Horse-9' } })).then((h) => ({ authorization: h.authorization!, 'x-amz-date': h['x-amz-date']! })));
      assert.equal(signedByStranger.status, 200);
    });

    describe('the admin endpoints', () => {
      const basic = (k: Key) => ({ authorization: 'Basic ' + Buffer.from(`${k.accessKeyId}:${k.secretAccessKey}`).toString('base64') });
      const messages = (pool: string) => `${url}/_incognito/messages?userPoolId=${pool}`;

      it('need a key: 401 with WWW-Authenticate without one or with a wrong secret', async () => {
        const none = await fetch(messages(poolA));
        assert.equal(none.status, 401);
        assert.match(none.headers.get('www-authenticate')!, /^Basic realm="incognito"/);
        assert.equal(((await none.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
        const wrong = await fetch(messages(poolA), { headers: basic({ accessKeyId: ENV_KEY.accessKeyId, secretAccessKey: 'wrong-secret-000' }) });
        assert.equal(wrong.status, 401);
        const log = await fetch(`${url}/_incognito/imports/import-abcdef/log`);
        assert.equal(log.status, 401);
      });

      it('HTTP Basic or SigV4 with a key whose policy allows it', async () => {
        const ok = await fetch(messages(poolA), { headers: basic(ENV_KEY) });
        assert.equal(ok.status, 200);
        assert.ok(Array.isArray(((await ok.json()) as { messages: unknown[] }).messages));
        assert.equal((await fetch(messages(poolA), { headers: basic(MAIL) })).status, 200);
        const denied = await fetch(messages(poolB), { headers: basic(MAIL) });
        assert.equal(denied.status, 403);
        assert.deepEqual(await denied.json(), {
          __type: 'AccessDeniedException',
          message: `User: arn:aws:iam::${ACCOUNT}:user/mail is not authorized to perform: incognito:ListMessages on resource: ${arnOf(poolB)} because no identity-based policy allows the incognito:ListMessages action`,
        });
        // cognito-idp:* does not reach incognito's own actions.
        assert.equal((await fetch(messages(poolA), { headers: basic(OPS) })).status, 403);
        // SigV4 (a GET signed as the SDKs sign).
        const u = new URL(messages(poolA));
        const signer = new SignatureV4({ credentials: ENV_KEY, region: 'us-east-1', service: 'cognito-idp', sha256: Sha256 });
        const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: u.pathname, query: { userPoolId: poolA }, headers: { host: u.host } } as never);
        const headers = { ...(signed as unknown as { headers: Record<string, string> }).headers };
        delete headers.host;
        assert.equal((await fetch(messages(poolA), { headers })).status, 200);
        const forged = { ...headers, authorization: headers.authorization!.replace(/Signature=[0-9a-f]{4}/, 'Signature=0000') };
        assert.equal((await fetch(messages(poolA), { headers: forged })).status, 403);
      });
    });

    it("each request's log line names the key that made it, never the secret", async () => {
      const logged = await startServer({ ...setup.config, port: 0, logRequests: true, accessKeyId: ENV_KEY.accessKeyId, secretAccessKey: ENV_KEY.secretAccessKey, credentialsFile: path.join(dir, 'keys.json') }, setup.server.store);
      const c = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: logged.url, credentials: ENV_KEY, maxAttempts: 1 });
      const out = captureStdout();
      try {
        await c.send(new AdminGetUserCommand({ UserPoolId: poolA, Username: 'ann' }));
        await c.send(new InitiateAuthCommand({ ClientId: clientA, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ann', PASSWORD: 'Correct-Horse-9' } }));
        await fetch(`${logged.url}/_incognito/messages?userPoolId=${poolA}`, { headers: { authorization: 'Basic ' + Buffer.from(`${ENV_KEY.accessKeyId}:${ENV_KEY.secretAccessKey}`).toString('base64') } });
        // A known key its policy refuses: the log line still names it.
        const denied = await fetch(`${logged.url}/_incognito/messages?userPoolId=${poolA}`, { headers: { authorization: 'Basic ' + Buffer.from(`${READER.accessKeyId}:${READER.secretAccessKey}`).toString('base64') } });
        assert.equal(denied.status, 403);
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
      } finally {
        out.restore();
        c.destroy();
        await logged.close();
      }
      const lines = out.lines();
      const get = lines.find((l) => l.operation === 'AdminGetUser');
      assert.equal(get?.key, 'admin');
      const signIn = lines.find((l) => l.operation === 'InitiateAuth');
      assert.ok(signIn && !('key' in signIn), 'a public operation is not checked against a key');
      assert.equal(lines.find((l) => l.path === '/_incognito/messages' && l.status === 200)?.key, 'admin');
      assert.equal(lines.find((l) => l.path === '/_incognito/messages' && l.status === 403)?.key, 'reader');
      const text = JSON.stringify(lines);
      assert.ok(!text.includes(ENV_KEY.secretAccessKey) && !text.includes(READER.secretAccessKey));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// boto3 and the AWS CLI (botocore's own signer), when this machine's python3 has them.

function pythonHas(module: string): boolean {
  return spawnSync('python3', ['-c', `import ${module}`], { encoding: 'utf8' }).status === 0;
}
const awsCliVersion = spawnSync('aws', ['--version'], { encoding: 'utf8' });
const noBoto3 = pythonHas('boto3') ? false : 'boto3 is not installed for python3';
const noAwsCli = awsCliVersion.status === 0 ? false : 'the AWS CLI (aws) is not installed';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) ?? 1 : 0, stdout, stderr });
    });
  });
}

for (const backend of await backends()) {
  describe(`boto3 and the AWS CLI against access keys (${backend.name})`, () => {
    let t: TestServer;
    let dir: string;
    let poolA: string;
    let poolB: string;
    const READER_KEY = { accessKeyId: 'AKIDBOTOREADER01', secretAccessKey: 'boto-reader-secret-01' };
    before(async () => {
      // The environment key, and a reader of pool A: the file is written before the pools exist, so
      // the reader's policy names pools by region (us-east-1 only; pool B lives in eu-west-1).
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-boto-'));
      const file = path.join(dir, 'keys.json');
      fs.writeFileSync(file, JSON.stringify([{ ...READER_KEY, name: 'boto-reader', policy: { Statement: [{ Effect: 'Allow', Action: ['cognito-idp:AdminGetUser', 'cognito-idp:List*'], Resource: 'arn:aws:cognito-idp:us-east-1:*:userpool/*' }] } }]));
      t = await startTestServer(backend, { ...ENV_KEY, credentialsFile: file });
      const eu = new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: t.url, credentials: ENV_KEY, maxAttempts: 1 });
      const us = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: t.url, credentials: ENV_KEY, maxAttempts: 1 });
      poolA = (await us.send(new CreateUserPoolCommand({ PoolName: 'a' }))).UserPool!.Id!;
      poolB = (await eu.send(new CreateUserPoolCommand({ PoolName: 'b' }))).UserPool!.Id!;
      for (const p of [poolA, poolB]) await us.send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'ann', MessageAction: 'SUPPRESS' }));
      eu.destroy();
      us.destroy();
    });
    after(async () => {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('boto3: right key, wrong secret, unknown key, policy by pool, and an unsigned public call', { skip: noBoto3 }, async () => {
      const script = `
import json, sys, boto3, botocore
from botocore.config import Config
from botocore import UNSIGNED
url, pool_a, pool_b, key_id, secret, reader_id, reader_secret = sys.argv[1:8]
cfg = Config(retries={'max_attempts': 1})
def client(i, s, region='us-east-1', signed=True):
    c = Config(retries={'max_attempts': 1}, signature_version=(None if signed else UNSIGNED))
    return boto3.client('cognito-idp', endpoint_url=url, region_name=region, aws_access_key_id=i, aws_secret_access_key=s, config=c)
out = {}
def attempt(name, fn):
    try:
        r = fn()
        out[name] = {'ok': r}
    except botocore.exceptions.ClientError as e:
        out[name] = {'error': e.response['Error']['Code'], 'message': e.response['Error']['Message']}
attempt('get', lambda: client(key_id, secret).admin_get_user(UserPoolId=pool_a, Username='ann')['Username'])
attempt('create', lambda: client(key_id, secret, 'eu-west-1').create_user_pool(PoolName='boto')['UserPool']['Id'])
attempt('wrong', lambda: client(key_id, 'not-the-secret-000').list_user_pools(MaxResults=10))
attempt('unknown', lambda: client('AKIDNOBODY000002', secret).list_user_pools(MaxResults=10))
attempt('unsigned', lambda: client(key_id, secret, signed=False).list_user_pools(MaxResults=10))
attempt('reader_a', lambda: client(reader_id, reader_secret).admin_get_user(UserPoolId=pool_a, Username='ann')['Username'])
attempt('reader_b', lambda: client(reader_id, reader_secret).admin_get_user(UserPoolId=pool_b, Username='ann'))
attempt('public', lambda: client(None, None, signed=False).initiate_auth(ClientId='nosuchclient00000000000000', AuthFlow='USER_PASSWORD_AUTH', AuthParameters={'USERNAME': 'ann', 'PASSWORD': 'x'}))
print(json.dumps(out))
`;
      const r = await run('python3', ['-c', script, t.url, poolA, poolB, ENV_KEY.accessKeyId, ENV_KEY.secretAccessKey, READER_KEY.accessKeyId, READER_KEY.secretAccessKey], {});
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.get, { ok: 'ann' });
      assert.match(out.create.ok, /^eu-west-1_/);
      assert.deepEqual(out.wrong, { error: 'InvalidSignatureException', message: MISMATCH });
      assert.deepEqual(out.unknown, { error: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
      assert.deepEqual(out.unsigned, { error: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
      assert.deepEqual(out.reader_a, { ok: 'ann' });
      assert.equal(out.reader_b.error, 'AccessDeniedException');
      assert.equal(out.reader_b.message, `User: arn:aws:iam::${ACCOUNT}:user/boto-reader is not authorized to perform: cognito-idp:AdminGetUser on resource: ${arnOf(poolB)} because no identity-based policy allows the cognito-idp:AdminGetUser action`);
      // The public operation was served (and answered with its own error, not an authentication one).
      assert.equal(out.public.error, 'ResourceNotFoundException');
    });

    it('the AWS CLI with a profile: right key, wrong key, a denied call', { skip: noAwsCli }, async () => {
      const credentials = path.join(dir, 'credentials');
      const config = path.join(dir, 'config');
      fs.writeFileSync(
        credentials,
        `[incognito]\naws_access_key_id = ${ENV_KEY.accessKeyId}\naws_secret_access_key = ${ENV_KEY.secretAccessKey}\n\n` +
          `[reader]\naws_access_key_id = ${READER_KEY.accessKeyId}\naws_secret_access_key = ${READER_KEY.secretAccessKey}\n\n` +
          `[wrong]\naws_access_key_id = ${ENV_KEY.accessKeyId}\naws_secret_access_key = not-the-secret-000\n`,
      );
      fs.writeFileSync(config, `[profile incognito]\nregion = us-east-1\n\n[profile reader]\nregion = us-east-1\n\n[profile wrong]\nregion = us-east-1\n`);
      const env = { AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_MAX_ATTEMPTS: '1' };
      const aws = (profile: string, ...args: string[]) => run('aws', ['--profile', profile, '--endpoint-url', t.url, '--output', 'json', 'cognito-idp', ...args], env);
      const ok = await aws('incognito', 'admin-get-user', '--user-pool-id', poolA, '--username', 'ann');
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(JSON.parse(ok.stdout).Username, 'ann');
      const list = await aws('reader', 'list-users', '--user-pool-id', poolA);
      assert.equal(list.code, 0, list.stderr);
      const wrong = await aws('wrong', 'list-user-pools', '--max-results', '10');
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /\(InvalidSignatureException\) when calling the ListUserPools operation: The request signature we calculated does not match/);
      const denied = await aws('reader', 'admin-get-user', '--user-pool-id', poolB, '--username', 'ann');
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr, new RegExp(`\\(AccessDeniedException\\) when calling the AdminGetUser operation: User: arn:aws:iam::${ACCOUNT}:user/boto-reader is not authorized to perform: cognito-idp:AdminGetUser on resource: ${arnOf(poolB).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    });
  });
}
