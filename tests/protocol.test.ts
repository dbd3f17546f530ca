/** The JSON 1.1 wire itself: targets, envelopes, headers, CORS, health, and a flood of malformed input. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { CreateUserPoolCommand, DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { backends, rawCall, startTestServer, type TestServer } from './harness.js';
import { operations as implemented } from '../src/operations/index.js';
import { operations as model } from '../src/protocol/model.generated.js';

const T = 'AWSCognitoIdentityProviderService.';

for (const backend of await backends()) {
  describe(`JSON 1.1 protocol (${backend.name})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    it('answers in x-amz-json-1.1 with a request id', async () => {
      const r = await rawCall(t.url, T + 'ListUserPools', '{"MaxResults": 5}');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/x-amz-json-1.1');
      assert.match(r.headers.get('x-amzn-requestid')!, /^[0-9a-f-]{36}$/);
      assert.deepEqual(r.json, { UserPools: [] });
    });

    it('accepts application/json and answers in kind', async () => {
      const r = await rawCall(t.url, T + 'ListUserPools', '{"MaxResults": 5}', { 'content-type': 'application/json' });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/json');
    });

    it('takes either JSON type with parameters and in any case', async () => {
      for (const ct of ['application/x-amz-json-1.1; charset=utf-8', 'Application/X-Amz-Json-1.1', 'application/json; charset=UTF-8']) {
        const r = await rawCall(t.url, T + 'ListUserPools', '{"MaxResults": 5}', { 'content-type': ct });
        assert.equal(r.status, 200, ct);
      }
    });

    it('any other Content-Type, or none, is UnknownOperationException with HTTP 404, as AWS\'s front end answers, and does nothing', async () => {
      for (const ct of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'application/octet-stream', 'application/x-amz-json-1.0', 'application/jsonx']) {
        const r = await rawCall(t.url, T + 'CreateUserPool', '{"PoolName": "plain"}', { 'content-type': ct });
        assert.equal(r.status, 404, ct);
        assert.deepEqual(r.json, {
          __type: 'UnknownOperationException',
          message: `Content-Type '${ct}' is not accepted: send the JSON body as application/x-amz-json-1.1 (or application/json).`,
        });
        assert.equal(r.headers.get('x-amzn-errortype'), 'UnknownOperationException:');
        assert.equal(r.headers.get('content-type'), 'application/x-amz-json-1.1');
        assert.ok(r.headers.get('x-amzn-requestid'));
      }
      // No Content-Type header at all (fetch would add text/plain).
      const none = await new Promise<{ status: number; json: any }>((resolve, reject) => {
        const req = http.request(t.url + '/', { method: 'POST', headers: { 'x-amz-target': T + 'CreateUserPool' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(body) }));
        });
        req.on('error', reject);
        req.end('{"PoolName": "plain"}');
      });
      assert.equal(none.status, 404);
      assert.equal(none.json.__type, 'UnknownOperationException');
      assert.match(none.json.message, /^A request without a Content-Type is not accepted/);
      const pools = await rawCall(t.url, T + 'ListUserPools', '{"MaxResults": 60}');
      assert.ok(!pools.json.UserPools.some((p: { Name: string }) => p.Name === 'plain'), 'no pool was created');
    });

    it('errors carry __type, message and x-amzn-ErrorType with HTTP 400', async () => {
      const r = await rawCall(t.url, T + 'DescribeUserPool', '{"UserPoolId": "us-east-1_missing00"}');
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, { __type: 'ResourceNotFoundException', message: 'User pool us-east-1_missing00 does not exist.' });
      assert.equal(r.headers.get('x-amzn-errortype'), 'ResourceNotFoundException:');
      assert.ok(r.headers.get('x-amzn-requestid'));
    });

    it('unknown and missing targets are UnknownOperationException', async () => {
      let r = await rawCall(t.url, T + 'MakeCoffee', '{}');
      assert.equal(r.status, 400);
      assert.equal(r.json.__type, 'UnknownOperationException');
      r = await rawCall(t.url, 'SomeOtherService.ListUserPools', '{}');
      assert.equal(r.json.__type, 'UnknownOperationException');
      r = await rawCall(t.url, undefined, '{}');
      assert.equal(r.json.__type, 'UnknownOperationException');
    });

    it('every operation of the Cognito model is implemented (none answers UnsupportedOperationException)', () => {
      const unbuilt = Object.keys(model).filter((op) => !Object.hasOwn(implemented, op));
      assert.deepEqual(unbuilt, []);
      assert.equal(Object.keys(model).length, 122);
    });

    it('bodies that are not a JSON object are SerializationException', async () => {
      for (const body of ['{', 'null', '[]', '42', '"s"', 'not json', '{"a":}']) {
        const r = await rawCall(t.url, T + 'ListUserPools', body);
        assert.equal(r.status, 400, body);
        assert.equal(r.json.__type, 'SerializationException', body);
      }
    });

    it('wrong member types are SerializationException naming the member', async () => {
      const r = await rawCall(t.url, T + 'ListUserPools', '{"MaxResults": "ten"}');
      assert.equal(r.status, 400);
      assert.equal(r.json.__type, 'SerializationException');
      assert.match(r.json.message, /maxResults|MaxResults/);
    });

    it('missing required members are reported the AWS way', async () => {
      const r = await rawCall(t.url, T + 'CreateUserPoolClient', '{}');
      assert.equal(r.status, 400);
      assert.equal(r.json.__type, 'InvalidParameterException');
      assert.match(r.json.message, /^2 validation errors detected: /);
      assert.match(r.json.message, /Value null at 'userPoolId' failed to satisfy constraint: Member must not be null/);
      assert.match(r.json.message, /Value null at 'clientName' failed to satisfy constraint: Member must not be null/);
    });

    it('refuses NUL characters anywhere in the request, on both stores, without a 500', async () => {
      const { UserPool } = await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'nul' }));
      const bodies: [string, unknown][] = [
        ['ListUsers', { UserPoolId: UserPool!.Id, Filter: 'email = "a\u0000b"' }],
        ['AdminCreateUser', { UserPoolId: UserPool!.Id, Username: 'u', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'name', Value: 'a\u0000b' }] }],
        ['TagResource', { ResourceArn: UserPool!.Arn, Tags: { 'k\u0000': 'v' } }],
      ];
      for (const [op, body] of bodies) {
        const r = await rawCall(t.url, T + op, JSON.stringify(body));
        assert.equal(r.status, 400, op);
        assert.equal(r.json.__type, 'InvalidParameterException', op);
        assert.match(r.json.message, /NUL/);
      }
      const deep = '['.repeat(200_000) + '"\\u0000"' + ']'.repeat(200_000);
      const r = await rawCall(t.url, T + 'ListUserPools', `{"MaxResults": 1, "x": ${deep}}`);
      assert.notEqual(r.status, 500);
    });

    it('ignores unknown members', async () => {
      const r = await rawCall(t.url, T + 'ListUserPools', '{"MaxResults": 5, "Surprise": {"x": 1}}');
      assert.equal(r.status, 200);
    });

    it('refuses oversize bodies without a 500', async () => {
      const r = await rawCall(t.url, T + 'CreateUserPool', JSON.stringify({ PoolName: 'x'.repeat(2 * 1024 * 1024) }));
      assert.equal(r.status, 413);
      assert.equal(r.json.__type, 'SerializationException');
    });

    it('answers CORS preflight and exposes the AWS headers', async () => {
      const res = await fetch(t.url + '/', {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-amz-target,x-amz-user-agent' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.match(res.headers.get('access-control-allow-headers')!, /x-amz-target/);
      assert.match(res.headers.get('access-control-allow-methods')!, /POST/);
      const r = await rawCall(t.url, T + 'ListUserPools', '{"MaxResults": 1}', { origin: 'http://localhost:3000' });
      assert.match(r.headers.get('access-control-expose-headers')!, /x-amzn-RequestId/);
    });

    it('serves /health', async () => {
      const res = await fetch(t.url + '/health');
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok', store: backend.name });
    });

    it('takes the region of a signed request from its credential scope, of an unsigned one from the pool', async () => {
      const { UserPool } = await t.sdk('ap-southeast-2').send(new CreateUserPoolCommand({ PoolName: 'sydney' }));
      assert.match(UserPool!.Id!, /^ap-southeast-2_/);
      const r = await rawCall(t.url, T + 'DescribeUserPool', JSON.stringify({ UserPoolId: UserPool!.Id }));
      assert.equal(r.status, 200);
      assert.equal(r.json.UserPool.Arn, `arn:aws:cognito-idp:ap-southeast-2:123456789012:userpool/${UserPool!.Id}`);
      const unsigned = await rawCall(t.url, T + 'CreateUserPool', '{"PoolName": "unsigned"}');
      assert.match(unsigned.json.UserPool.Id, /^us-east-1_/);
    });

    it('survives a flood of malformed requests with no 500', async () => {
      const ops = ['CreateUserPool', 'CreateUserPoolClient', 'UpdateUserPoolClient', 'ListUserPools', 'DescribeUserPool', 'TagResource', 'AddCustomAttributes', 'UpdateUserPool'];
      const values = [null, 0, -1, 1e309, 2 ** 53, 'x', '', 'x'.repeat(5000), true, [], [1, 'a'], {}, { a: { b: { c: [] } } }, '\u0000\ud800', '../../etc'];
      const members = ['PoolName', 'UserPoolId', 'ClientId', 'ClientName', 'MaxResults', 'NextToken', 'Policies', 'Schema', 'CallbackURLs', 'TokenValidityUnits', 'AccessTokenValidity', 'RefreshTokenValidity', 'ResourceArn', 'Tags', 'CustomAttributes', '__proto__', 'constructor', 'AllowedOAuthFlows', 'LambdaConfig', 'UserPoolTags'];
      let seed = 42;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const counts: Record<number, number> = {};
      for (let i = 0; i < 1500; i++) {
        const body: Record<string, unknown> = {};
        for (let k = rand(5); k >= 0; k--) body[members[rand(members.length)]!] = values[rand(values.length)];
        let text = JSON.stringify(body);
        if (i % 10 === 0) text = text.slice(0, rand(text.length + 1));
        const target = i % 37 === 0 ? 'Bogus.' + ops[rand(ops.length)] : T + ops[rand(ops.length)];
        const r = await rawCall(t.url, target, text);
        counts[r.status] = (counts[r.status] ?? 0) + 1;
        assert.notEqual(r.status, 500, `500 for ${target} ${text}: ${JSON.stringify(r.json)}`);
        if (r.status !== 200) assert.match(r.json.__type, /Exception$/);
      }
      assert.ok(counts[400]! > 1000);
      const health = await fetch(t.url + '/health');
      assert.equal(health.status, 200);
      await t.cognito.send(new DescribeUserPoolCommand({ UserPoolId: (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'after-flood' }))).UserPool!.Id }));
    });
  });
}
