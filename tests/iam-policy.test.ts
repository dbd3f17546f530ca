/**
 * Unit tests of the IAM policy evaluation (src/iam/policy.ts) and of the credentials file's parsing
 * (src/iam/keys.ts): wildcards, NotAction / NotResource, explicit deny, implicit deny, and the
 * messages of what is refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, parsePolicy, PolicyError, wildcard } from '../src/iam/policy.js';
import { loadKeys, parseCredentialsFile } from '../src/iam/keys.js';
import { authorize, keyArn, resourceOf } from '../src/iam/access.js';
import { StartupError } from '../src/startup-error.js';

const POOL_A = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AAAAAAAAA';
const POOL_B = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_BBBBBBBBB';

describe('wildcards', () => {
  it('* is any run of characters, ? one character, everything else literal', () => {
    assert.ok(wildcard('cognito-idp:Admin*', false).test('cognito-idp:AdminGetUser'));
    assert.ok(wildcard('cognito-idp:Admin*', false).test('cognito-idp:Admin'));
    assert.ok(!wildcard('cognito-idp:Admin*', false).test('cognito-idp:ListUsers'));
    assert.ok(wildcard('a?c', false).test('abc'));
    assert.ok(!wildcard('a?c', false).test('ac'));
    assert.ok(!wildcard('a.c', false).test('abc'), 'a dot is a dot');
    assert.ok(!wildcard('userpool/(x)+', false).test('userpool/xx'), 'regular expression characters are literal');
    assert.ok(wildcard('userpool/(x)+', false).test('userpool/(x)+'));
  });
});

describe('policy evaluation', () => {
  const policy = parsePolicy(
    {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'read', Effect: 'Allow', Action: ['cognito-idp:List*', 'cognito-idp:AdminGetUser', 'cognito-idp:Describe*'], Resource: POOL_A },
        { Effect: 'Allow', Action: 'cognito-idp:*', Resource: 'arn:aws:cognito-idp:eu-west-1:*:userpool/*' },
        { Effect: 'Deny', Action: 'cognito-idp:DeleteUserPool', Resource: '*' },
      ],
    },
    'test',
  );

  it('allows what a statement allows, on its resources only', () => {
    assert.equal(evaluate(policy, 'cognito-idp:ListUsers', POOL_A), 'allow');
    assert.equal(evaluate(policy, 'cognito-idp:AdminGetUser', POOL_A), 'allow');
    assert.equal(evaluate(policy, 'cognito-idp:AdminCreateUser', POOL_A), 'implicit-deny');
    assert.equal(evaluate(policy, 'cognito-idp:AdminCreateUser', POOL_B), 'allow');
  });

  it('compares actions without regard to case, resources with', () => {
    assert.equal(evaluate(policy, 'COGNITO-IDP:listusers', POOL_A), 'allow');
    assert.equal(evaluate(policy, 'cognito-idp:ListUsers', POOL_A.toUpperCase()), 'implicit-deny');
  });

  it('an explicit Deny wins over any Allow', () => {
    assert.equal(evaluate(policy, 'cognito-idp:DeleteUserPool', POOL_B), 'explicit-deny');
  });

  it('a resource-level ARN does not match the `*` of operations without a resource type', () => {
    assert.equal(evaluate(policy, 'cognito-idp:ListUserPools', '*'), 'implicit-deny');
    assert.equal(evaluate(parsePolicy({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }, 't'), 'cognito-idp:ListUserPools', '*'), 'allow');
  });

  it('nothing allowed is denied; an empty statement list allows nothing', () => {
    assert.equal(evaluate(parsePolicy({ Statement: [] }, 't'), 'cognito-idp:ListUsers', POOL_A), 'implicit-deny');
    assert.equal(evaluate(policy, 'incognito:ListMessages', POOL_A), 'implicit-deny', 'cognito-idp:* does not cover incognito:*');
  });

  it('NotAction and NotResource', () => {
    const p = parsePolicy(
      {
        Statement: [
          { Effect: 'Allow', NotAction: ['cognito-idp:Delete*', 'cognito-idp:AdminDelete*'], Resource: '*' },
          { Effect: 'Deny', Action: '*', NotResource: [POOL_A, 'arn:aws:cognito-idp:*:*:userpool/eu-*'] },
        ],
      },
      't',
    );
    assert.equal(evaluate(p, 'cognito-idp:AdminCreateUser', POOL_A), 'allow');
    assert.equal(evaluate(p, 'cognito-idp:AdminDeleteUser', POOL_A), 'implicit-deny');
    assert.equal(evaluate(p, 'cognito-idp:AdminCreateUser', POOL_B), 'allow');
    assert.equal(evaluate(p, 'cognito-idp:AdminCreateUser', 'arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_C'), 'explicit-deny');
  });

  it('refuses what it cannot apply faithfully, naming the statement', () => {
    const bad: [unknown, RegExp][] = [
      [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }] }, /Statement\[0\]: Condition is not supported/],
      [{ Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }] }, /Effect must be "Allow" or "Deny"/],
      [{ Statement: [{ Effect: 'Allow', Resource: '*' }] }, /exactly one of Action and NotAction/],
      [{ Statement: [{ Effect: 'Allow', Action: '*', NotAction: '*', Resource: '*' }] }, /exactly one of Action and NotAction/],
      [{ Statement: [{ Effect: 'Allow', Action: '*' }] }, /exactly one of Resource and NotResource/],
      [{ Statement: [{ Effect: 'Allow', Action: 'AdminGetUser', Resource: '*' }] }, /'AdminGetUser' is not an action/],
      [{ Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, /Action must be a non-empty string/],
      [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }] }, /Principal has no place/],
      [{ Version: '2020-01-01', Statement: [] }, /Version must be "2012-10-17"/],
      [{ Statements: [] }, /unknown policy element 'Statements'/],
      ['{not json', /not JSON/],
      [{}, /has no Statement/],
    ];
    for (const [doc, message] of bad) assert.throws(() => parsePolicy(doc, 'key x'), (e: Error) => e instanceof PolicyError && message.test(e.message) && e.message.startsWith('key x'));
  });

  it('takes a policy given as a JSON string (as IAM APIs pass them)', () => {
    const p = parsePolicy(JSON.stringify({ Statement: { Effect: 'Allow', Action: 'cognito-idp:ListUsers', Resource: POOL_A } }), 't');
    assert.equal(evaluate(p, 'cognito-idp:ListUsers', POOL_A), 'allow');
  });
});

describe('AccessDeniedException and resources', () => {
  const key = { accessKeyId: 'AKIDREADER', secretAccessKey: 'x'.repeat(20), name: 'reader', policy: parsePolicy({ Statement: [{ Effect: 'Allow', Action: 'cognito-idp:List*', Resource: POOL_A }, { Effect: 'Deny', Action: 'cognito-idp:ListGroups', Resource: '*' }] }, 'reader') };

  it("names the key's ARN, the action, the resource and why, as AWS does", () => {
    assert.equal(keyArn(key, '123456789012'), 'arn:aws:iam::123456789012:user/reader');
    assert.doesNotThrow(() => authorize(key, 'cognito-idp:ListUsers', POOL_A, '123456789012'));
    assert.throws(() => authorize(key, 'cognito-idp:ListUsers', POOL_B, '123456789012'), {
      name: 'AccessDeniedException',
      message: `User: arn:aws:iam::123456789012:user/reader is not authorized to perform: cognito-idp:ListUsers on resource: ${POOL_B} because no identity-based policy allows the cognito-idp:ListUsers action`,
    });
    assert.throws(() => authorize(key, 'cognito-idp:ListGroups', POOL_A, '123456789012'), {
      name: 'AccessDeniedException',
      message: `User: arn:aws:iam::123456789012:user/reader is not authorized to perform: cognito-idp:ListGroups on resource: ${POOL_A} with an explicit deny in an identity-based policy`,
    });
  });

  it('a key without a policy may do anything', () => {
    assert.doesNotThrow(() => authorize({ ...key, policy: undefined }, 'cognito-idp:DeleteUserPool', POOL_B, '123456789012'));
  });

  it("the resource is the pool's ARN (its region from the id), a tag operation's ResourceArn, or *", () => {
    assert.equal(resourceOf({ UserPoolId: 'eu-west-1_BBBBBBBBB' }, 'us-east-1', '123456789012'), POOL_B);
    assert.equal(resourceOf({ ResourceArn: POOL_A }, 'us-east-1', '123456789012'), POOL_A);
    assert.equal(resourceOf({ MaxResults: 10 }, 'us-east-1', '123456789012'), '*');
    assert.equal(resourceOf({ Domain: 'auth' }, 'us-east-1', '123456789012'), '*');
  });
});

describe('the credentials file', () => {
  it('reads a list of keys, a name defaulting to the id, and their policies', () => {
    const keys = parseCredentialsFile(
      JSON.stringify([
        { accessKeyId: 'AKIDONE', secretAccessKey: 'secret-one-1', name: 'ci', policy: { Statement: [{ Effect: 'Allow', Action: 'cognito-idp:*', Resource: '*' }] } },
        { accessKeyId: 'AKIDTWO', secretAccessKey: 'secret-two-2' },
      ]),
      'keys.json',
    );
    assert.deepEqual(keys.map((k) => [k.accessKeyId, k.name, k.policy !== undefined]), [['AKIDONE', 'ci', true], ['AKIDTWO', 'AKIDTWO', false]]);
    assert.equal(parseCredentialsFile(JSON.stringify({ keys: [{ accessKeyId: 'AKIDONE', secretAccessKey: 'secret-one-1' }] }), 'f').length, 1);
    // A byte-order mark (Windows editors write one) is skipped.
    assert.equal(parseCredentialsFile('\ufeff' + JSON.stringify([{ accessKeyId: 'AKIDONE', secretAccessKey: 'secret-one-1' }]), 'f')[0]!.name, 'AKIDONE');
  });

  it('refuses what is not a key, in one line naming the file and the key', () => {
    const bad: [string, RegExp][] = [
      ['{', /^--credentials-file keys\.json is not JSON/],
      ['{"a": 1}', /must hold a JSON list of keys/],
      ['[{"accessKeyId": "AKID ONE", "secretAccessKey": "secret-one-1"}]', /key 1: accessKeyId must be 4 to 128 characters/],
      ['[{"accessKeyId": "AKIDONE", "secretAccessKey": "short"}]', /key 1: secretAccessKey must be at least 8 characters/],
      ['[{"accessKeyId": "AKIDONE", "secretAccessKey": "secret-one-1", "secret": "x"}]', /key 1: unknown member 'secret'/],
      ['[{"accessKeyId": "AKIDONE", "secretAccessKey": "secret-one-1", "name": "a b"}]', /key 1: name must be/],
      ['[{"accessKeyId": "AKIDONE", "secretAccessKey": "secret-one-1", "policy": {"Statement": [{"Effect": "Allow"}]}}]', /keys\.json: key 'AKIDONE': Statement\[0\] needs exactly one of Action/],
      // An empty file would leave the admin API open; a null policy would grant everything.
      ['[]', /keys\.json holds no keys: the admin API would be open to anyone/],
      ['{"keys": []}', /holds no keys/],
      ['[{"accessKeyId": "AKIDONE", "secretAccessKey": "secret-one-1", "policy": null}]', /key 1: policy is null\. Leave "policy" out for a key with full access/],
    ];
    for (const [text, message] of bad) assert.throws(() => parseCredentialsFile(text, 'keys.json'), (e: Error) => e instanceof StartupError && message.test(e.message));
  });

  it('merges the environment key (full access, named admin) with the file; the same id or name twice is refused', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-keys-'));
    try {
      const file = path.join(dir, 'keys.json');
      fs.writeFileSync(file, JSON.stringify([{ accessKeyId: 'AKIDFILE', secretAccessKey: 'file-secret-1', name: 'ci' }]));
      const ring = loadKeys({ accessKeyId: 'AKIDENV', secretAccessKey: 'env-secret-1', credentialsFile: file })!;
      assert.deepEqual(ring.names(), ['admin', 'ci']);
      assert.equal(ring.get('AKIDENV')!.policy, undefined);
      assert.equal(loadKeys({ accessKeyId: undefined, secretAccessKey: undefined, credentialsFile: undefined }), undefined);
      assert.throws(() => loadKeys({ accessKeyId: 'AKIDFILE', secretAccessKey: 'env-secret-1', credentialsFile: file }), /the access key id AKIDFILE is configured twice/);
      fs.writeFileSync(file, JSON.stringify([{ accessKeyId: 'AKIDFILE', secretAccessKey: 'file-secret-1', name: 'admin' }]));
      assert.throws(() => loadKeys({ accessKeyId: 'AKIDENV', secretAccessKey: 'env-secret-1', credentialsFile: file }), /the key name 'admin' is used twice/);
      assert.throws(() => loadKeys({ accessKeyId: undefined, secretAccessKey: undefined, credentialsFile: path.join(dir, 'none.json') }), /cannot read --credentials-file .*none\.json: no such file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
