import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CognitoError } from '../src/protocol/errors.js';
import { operationAuth, operationExists, validateInput } from '../src/protocol/validate.js';

const POOL = 'us-east-1_AbCdEfGhI';

/** Runs validateInput and returns the CognitoError it throws (fails if it does not throw one). */
function failure(op: string, body: unknown): CognitoError {
  try {
    validateInput(op, body);
  } catch (e) {
    assert.ok(e instanceof CognitoError, `expected a CognitoError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${op} to be rejected`);
}

function invalid(op: string, body: unknown): string {
  const e = failure(op, body);
  assert.equal(e.type, 'InvalidParameterException', e.message);
  assert.equal(e.status, 400);
  return e.message;
}

function serialization(op: string, body: unknown): string {
  const e = failure(op, body);
  assert.equal(e.type, 'SerializationException', e.message);
  return e.message;
}

const client = (extra: Record<string, unknown> = {}) => ({ UserPoolId: POOL, ClientName: 'my-app', ...extra });

test('operationExists / operationAuth', () => {
  assert.equal(operationExists('CreateUserPoolClient'), true);
  assert.equal(operationExists('InitiateAuth'), true);
  assert.equal(operationExists('NoSuchOperation'), false);
  assert.equal(operationExists('constructor'), false);
  assert.equal(operationExists('__proto__'), false);
  assert.equal(operationAuth('InitiateAuth'), 'none');
  assert.equal(operationAuth('SignUp'), 'none');
  assert.equal(operationAuth('AdminGetUser'), 'iam');
  assert.equal(operationAuth('CreateUserPoolClient'), 'iam');
  assert.equal(operationAuth('toString'), undefined);
});

test('unknown operation is a plain Error', () => {
  assert.throws(
    () => validateInput('NoSuchOperation', {}),
    (e: unknown) => e instanceof Error && !(e instanceof CognitoError),
  );
});

test('valid input passes', () => {
  validateInput('CreateUserPoolClient', client());
  validateInput(
    'CreateUserPoolClient',
    client({
      GenerateSecret: true,
      RefreshTokenValidity: 30,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: ['https://example.com/cb', 'myapp://cb'],
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email'],
      AllowedOAuthFlowsUserPoolClient: true,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AuthSessionValidity: 3,
    }),
  );
  validateInput('InitiateAuth', {
    ClientId: 'abc123',
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: 'alice', PASSWORD: 'hunter2' },
    ClientMetadata: { k: 'v' },
  });
  validateInput('ListUserPools', { MaxResults: 10 });
});

test('required member missing', () => {
  assert.equal(
    invalid('CreateUserPoolClient', { ClientName: 'x' }),
    "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
  );
  assert.equal(
    invalid('CreateUserPoolClient', {}),
    '2 validation errors detected: ' +
      "Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; " +
      "Value null at 'clientName' failed to satisfy constraint: Member must not be null",
  );
});

test('null counts as absent', () => {
  assert.equal(
    invalid('CreateUserPoolClient', { UserPoolId: null, ClientName: 'x', AccessTokenValidity: null }),
    "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
  );
  validateInput('CreateUserPoolClient', client({ TokenValidityUnits: null, CallbackURLs: null, GenerateSecret: null }));
  validateInput('CreateUserPoolClient', client({ CallbackURLs: ['https://a', null] }));
  // A null body is an empty input.
  assert.match(invalid('DescribeUserPool', null), /^1 validation error detected: Value null at 'userPoolId'/);
});

test('unknown members are ignored at every level', () => {
  validateInput(
    'CreateUserPoolClient',
    client({
      Bogus: { deeply: [1, 2, { x: 'y' }] },
      TokenValidityUnits: { AccessToken: 'hours', Extra: 42 },
      AnalyticsConfiguration: { UserDataShared: true, Whatever: [] },
      __proto__: 'x',
      constructor: 5,
    }),
  );
  validateInput('AdminCreateUser', {
    UserPoolId: POOL,
    Username: 'bob',
    UserAttributes: [{ Name: 'email', Value: 'b@example.com', Junk: 1 }],
  });
});

test('pattern violation (clientName with !)', () => {
  assert.equal(
    invalid('CreateUserPoolClient', client({ ClientName: 'bad!' })),
    "1 validation error detected: Value 'bad!' at 'clientName' failed to satisfy constraint: " +
      'Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+',
  );
  // The whole value must match (Java matches()), not a substring.
  assert.match(invalid('CreateUserPoolClient', client({ UserPoolId: 'x us-east-1_abc' })), /at 'userPoolId'/);
  // Java's \s is ASCII-only: a no-break space is not allowed in a client name.
  assert.match(invalid('CreateUserPoolClient', client({ ClientName: 'a\u00a0b' })), /regular expression pattern/);
  validateInput('CreateUserPoolClient', client({ ClientName: 'my app+1=,.@-_\t' }));
  // Unicode categories (\p{L} ...) work.
  validateInput('AdminGetUser', { UserPoolId: POOL, Username: 'Jörg_Ünïcødé.用户' });
});

test('string length violations, with the exact order AWS uses', () => {
  assert.equal(
    invalid('CreateUserPoolClient', client({ ClientName: 'a'.repeat(129) })),
    "1 validation error detected: Value '" +
      'a'.repeat(129) +
      "' at 'clientName' failed to satisfy constraint: Member must have length less than or equal to 128",
  );
  assert.equal(
    invalid('CreateUserPoolClient', client({ ClientName: '' })),
    '2 validation errors detected: ' +
      "Value '' at 'clientName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
      "Value '' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
  );
});

test('enum violation', () => {
  assert.equal(
    invalid('CreateUserPoolClient', client({ PreventUserExistenceErrors: 'MAYBE' })),
    "1 validation error detected: Value 'MAYBE' at 'preventUserExistenceErrors' failed to satisfy constraint: " +
      'Member must satisfy enum value set: [LEGACY, ENABLED]',
  );
});

test('number range (AccessTokenValidity 0 and 86401)', () => {
  assert.equal(
    invalid('CreateUserPoolClient', client({ AccessTokenValidity: 0 })),
    "1 validation error detected: Value '0' at 'accessTokenValidity' failed to satisfy constraint: " +
      'Member must have value greater than or equal to 1',
  );
  assert.equal(
    invalid('CreateUserPoolClient', client({ AccessTokenValidity: 86401 })),
    "1 validation error detected: Value '86401' at 'accessTokenValidity' failed to satisfy constraint: " +
      'Member must have value less than or equal to 86400',
  );
  validateInput('CreateUserPoolClient', client({ AccessTokenValidity: 1, IdTokenValidity: 86400, RefreshTokenValidity: 0 }));
});

test('list size (101 CallbackURLs)', () => {
  const urls = Array.from({ length: 101 }, (_, i) => `https://example.com/${i}`);
  assert.equal(
    invalid('CreateUserPoolClient', client({ CallbackURLs: urls })),
    `1 validation error detected: Value '[${urls.join(', ')}]' at 'callbackURLs' failed to satisfy constraint: ` +
      'Member must have length less than or equal to 100',
  );
  validateInput('CreateUserPoolClient', client({ CallbackURLs: urls.slice(0, 100) }));
});

test('list member constraints are reported at the list level', () => {
  assert.equal(
    invalid('CreateUserPoolClient', client({ AllowedOAuthFlows: ['code', 'token'] })),
    "1 validation error detected: Value '[code, token]' at 'allowedOAuthFlows' failed to satisfy constraint: " +
      'Member must satisfy constraint: [Member must satisfy enum value set: [code, implicit, client_credentials]]',
  );
  // Every constraint of the item shape is listed, not only the violated one (AWS behaviour).
  assert.equal(
    invalid('CreateUserPoolClient', client({ CallbackURLs: ['https://ok', 'https://has space'] })),
    "1 validation error detected: Value '[https://ok, https://has space]' at 'callbackURLs' failed to satisfy " +
      'constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, ' +
      'Member must have length greater than or equal to 1, ' +
      'Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+]',
  );
});

test('items of lists of structures use <list>.<N>.member paths (1-based)', () => {
  assert.equal(
    invalid('CreateUserPool', {
      PoolName: 'pool',
      Schema: [{ Name: 'ok', AttributeDataType: 'String' }, { Name: 'phone_number_verified' }],
    }),
    "1 validation error detected: Value 'phone_number_verified' at 'schema.2.member.name' failed to satisfy " +
      'constraint: Member must have length less than or equal to 20',
  );
  assert.equal(
    invalid('AdminCreateUser', { UserPoolId: POOL, Username: 'u', UserAttributes: [{ Value: 'x' }] }),
    "1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: " +
      'Member must not be null',
  );
});

test('nested structure path (TokenValidityUnits.AccessToken weeks)', () => {
  assert.equal(
    invalid('CreateUserPoolClient', client({ TokenValidityUnits: { AccessToken: 'weeks' } })),
    "1 validation error detected: Value 'weeks' at 'tokenValidityUnits.accessToken' failed to satisfy constraint: " +
      'Member must satisfy enum value set: [seconds, minutes, hours, days]',
  );
  assert.equal(
    invalid('CreateUserPool', { PoolName: 'p', Policies: { PasswordPolicy: { MinimumLength: 5 } } }),
    "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy " +
      'constraint: Member must have value greater than or equal to 6',
  );
});

test('sensitive values are never echoed', () => {
  assert.equal(
    invalid('DescribeUserPoolClient', { UserPoolId: POOL, ClientId: 'bad!client' }),
    "1 validation error detected: Value at 'clientId' failed to satisfy constraint: " +
      'Member must satisfy regular expression pattern: [\\w+]+',
  );
  // AWS's real SignUp message (amazon-cognito-identity-js#388 / ks888/LambStatus#6 form), with the
  // password pattern the service applies now (spaces inside a password are allowed, not at its ends:
  // see PasswordType in scripts/gen-model.mjs).
  const msg = invalid('SignUp', { ClientId: 'abc', Username: '', Password: 'secret with a trailing space ' });
  assert.equal(
    msg,
    '3 validation errors detected: ' +
      "Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
      "Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
      '[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+; ' +
      "Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$",
  );
  assert.ok(!msg.includes('secret'));
  assert.doesNotThrow(() => validateInput('SignUp', { ClientId: 'abc', Username: 'u', Password: 'secret with spaces' }));
  // Sensitive map (AuthParameters) and sensitive type errors.
  const big = invalid('InitiateAuth', {
    ClientId: 'abc',
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { PASSWORD: 'p'.repeat(131073) },
  });
  assert.equal(
    big,
    "1 validation error detected: Value at 'authParameters' failed to satisfy constraint: Map value must satisfy " +
      'constraint: [Member must have length less than or equal to 131072, Member must have length greater than or equal to 0]',
  );
  const ser = serialization('AdminSetUserPassword', { UserPoolId: POOL, Username: 'u', Password: 12345678 });
  assert.ok(!ser.includes('12345678'), ser);
  assert.match(ser, /'password'/);
  // A sensitive structure member inside a list of structures.
  const attr = invalid('AdminCreateUser', {
    UserPoolId: POOL,
    Username: 'u',
    UserAttributes: [{ Name: 'email', Value: 'secret@example.com'.repeat(200) }],
  });
  assert.equal(
    attr,
    "1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: " +
      'Member must have length less than or equal to 2048',
  );
});

test('map key and value constraints are reported at the map level', () => {
  assert.equal(
    invalid('CreateUserPool', { PoolName: 'p', UserPoolTags: { ['k'.repeat(129)]: 'v' } }),
    "1 validation error detected: Value '{" +
      'k'.repeat(129) +
      "=v}' at 'userPoolTags' failed to satisfy constraint: Map key must satisfy constraint: " +
      '[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]',
  );
  assert.equal(
    invalid('CreateUserPool', { PoolName: 'p', UserPoolTags: { a: 'v'.repeat(257), b: 'ok' } }),
    "1 validation error detected: Value '{a=" +
      'v'.repeat(257) +
      ", b=ok}' at 'userPoolTags' failed to satisfy constraint: Map value must satisfy constraint: " +
      '[Member must have length less than or equal to 256, Member must have length greater than or equal to 0]',
  );
});

test('multiple errors: count and "; " join, model member order', () => {
  const msg = invalid(
    'CreateUserPoolClient',
    client({ ClientName: 'bad!', AccessTokenValidity: 0, TokenValidityUnits: { AccessToken: 'weeks' } }),
  );
  assert.equal(
    msg,
    '3 validation errors detected: ' +
      "Value 'bad!' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+; " +
      "Value '0' at 'accessTokenValidity' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
      "Value 'weeks' at 'tokenValidityUnits.accessToken' failed to satisfy constraint: Member must satisfy enum value set: [seconds, minutes, hours, days]",
  );
  assert.equal(msg.split('; ').length, 3);
});

test('type mismatches are SerializationException naming member and type', () => {
  assert.equal(
    serialization('CreateUserPoolClient', client({ AccessTokenValidity: 'abc' })),
    "Value 'abc' at 'accessTokenValidity' is not a valid integer",
  );
  assert.match(serialization('CreateUserPoolClient', client({ AccessTokenValidity: 1.5 })), /'accessTokenValidity'.*integer/);
  assert.match(serialization('CreateUserPoolClient', client({ AccessTokenValidity: 2 ** 31 })), /integer/);
  assert.match(serialization('CreateUserPoolClient', client({ ClientName: 42 })), /'clientName'.*string/);
  assert.match(serialization('CreateUserPoolClient', client({ GenerateSecret: 'true' })), /'generateSecret'.*boolean/);
  assert.match(serialization('CreateUserPoolClient', client({ TokenValidityUnits: 'hours' })), /'tokenValidityUnits'.*structure/);
  assert.match(serialization('CreateUserPoolClient', client({ TokenValidityUnits: ['hours'] })), /structure/);
  assert.match(serialization('CreateUserPoolClient', client({ CallbackURLs: 'https://x' })), /'callbackURLs'.*list/);
  assert.match(serialization('CreateUserPoolClient', client({ CallbackURLs: ['https://x', 7] })), /'callbackURLs\.2\.member'.*string/);
  assert.match(serialization('InitiateAuth', { ClientId: 'c', AuthFlow: 'USER_AUTH', ClientMetadata: [] }), /'clientMetadata'.*map/);
  assert.match(serialization('InitiateAuth', { ClientId: 'c', AuthFlow: 'USER_AUTH', ClientMetadata: { a: 1 } }), /'clientMetadata\.a'.*string/);
  assert.match(serialization('SetUICustomization', { UserPoolId: POOL, ImageFile: 'not base64!' }), /'imageFile'.*blob/);
  // Serialization wins over constraint violations found earlier.
  assert.equal(
    failure('CreateUserPoolClient', { ClientName: 'bad!', AccessTokenValidity: 'x' }).type,
    'SerializationException',
  );
  // The body itself must be an object.
  for (const body of [[], 'str', 42, true]) assert.equal(failure('ListUserPools', body).type, 'SerializationException');
});

test('document members accept any JSON value', () => {
  // (No operation input of this model version has a timestamp, long or double member.)
  validateInput('CompleteWebAuthnRegistration', { AccessToken: 'abc.def.ghi', Credential: { any: [1, { x: null }] } });
  validateInput('CompleteWebAuthnRegistration', { AccessToken: 'abc.def.ghi', Credential: 'str' });
});

test('collection sizes and structure rendering in list-level messages', () => {
  assert.equal(
    invalid('AddCustomAttributes', { UserPoolId: POOL, CustomAttributes: [] }),
    "1 validation error detected: Value '[]' at 'customAttributes' failed to satisfy constraint: " +
      'Member must have length greater than or equal to 1',
  );
  const attrs = Array.from({ length: 26 }, (_, i) => ({ Name: `a${i}`, AttributeDataType: 'String', Mutable: true }));
  const msg = invalid('AddCustomAttributes', { UserPoolId: POOL, CustomAttributes: attrs });
  assert.ok(
    msg.startsWith(
      "1 validation error detected: Value '[{Name: a0,AttributeDataType: String,Mutable: true}, {Name: a1,",
    ),
    msg,
  );
  assert.ok(msg.endsWith("' at 'customAttributes' failed to satisfy constraint: Member must have length less than or equal to 25"));
});

test('blobs: base64 with decoded length constraints', () => {
  validateInput('SetUICustomization', { UserPoolId: POOL, ImageFile: 'iVBORw0KGgo=' });
  const tooBig = Buffer.alloc(131073).toString('base64');
  assert.equal(
    invalid('SetUICustomization', { UserPoolId: POOL, ImageFile: tooBig }),
    "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=131073 cap=131073]' at 'imageFile' " +
      'failed to satisfy constraint: Member must have length less than or equal to 131072',
  );
});

test('pathological pattern input stays fast', () => {
  const t = performance.now();
  const evil = '{##'.repeat(100_000) + '\u0000';
  const msg = invalid('CreateUserPool', {
    PoolName: 'p',
    VerificationMessageTemplate: { EmailMessageByLink: evil, EmailMessage: '{####}'.repeat(50_000) + '\u0000' },
  });
  assert.match(msg, /^4 validation errors detected: /);
  assert.ok(performance.now() - t < 2000, `took ${performance.now() - t}ms`);
  validateInput('CreateUserPool', {
    PoolName: 'p',
    VerificationMessageTemplate: { EmailMessageByLink: 'Click {##here##} now', EmailMessage: 'Code {####}' },
  });
  assert.match(
    invalid('CreateUserPool', { PoolName: 'p', VerificationMessageTemplate: { EmailMessageByLink: 'Click ##}{## now' } }),
    /emailMessageByLink/,
  );
});

// ---- fuzzing --------------------------------------------------------------------------------------

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MEMBER_NAMES = [
  'UserPoolId', 'ClientName', 'ClientId', 'Username', 'Password', 'AccessTokenValidity', 'IdTokenValidity',
  'RefreshTokenValidity', 'TokenValidityUnits', 'AccessToken', 'IdToken', 'RefreshToken', 'CallbackURLs',
  'LogoutURLs', 'AllowedOAuthFlows', 'AllowedOAuthScopes', 'ExplicitAuthFlows', 'AuthFlow', 'AuthParameters',
  'ClientMetadata', 'UserAttributes', 'Name', 'Value', 'Schema', 'Policies', 'PasswordPolicy', 'MinimumLength',
  'PoolName', 'UserPoolTags', 'AnalyticsConfiguration', 'RefreshTokenRotation', 'Feature', 'MaxResults',
  'GenerateSecret', 'ImageFile', 'VerificationMessageTemplate', 'EmailMessageByLink', 'Filter', 'Limit',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '',
];

const STRINGS = ['', 'a', 'abc!', ' ', '{##', 'us-east-1_abc', 'code', 'hours', '\u0000', '\ud800', '💥', 'x'.repeat(300), 'ALLOW_USER_SRP_AUTH'];
const NUMBERS = [0, -1, 1, 1.5, 86401, 2 ** 31, -(2 ** 53), 1e308, Number.MAX_SAFE_INTEGER, 3];

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 6 ? 5 : 8));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return NUMBERS[Math.floor(r() * NUMBERS.length)];
    case 3:
    case 4:
      return STRINGS[Math.floor(r() * STRINGS.length)];
    case 5:
    case 6: {
      const n = Math.floor(r() * (r() < 0.05 ? 300 : 4));
      return Array.from({ length: n }, () => randomValue(r, depth + 1));
    }
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 6);
      for (let i = 0; i < n; i++) {
        Object.defineProperty(o, MEMBER_NAMES[Math.floor(r() * MEMBER_NAMES.length)]!, {
          value: randomValue(r, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      return o;
    }
  }
}

function deep(n: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { UserPoolId: v, TokenValidityUnits: v };
  return v;
}

test('fuzz: only CognitoError is ever thrown', () => {
  const ops = [
    'CreateUserPoolClient', 'UpdateUserPoolClient', 'AddCustomAttributes', 'CreateUserPool', 'InitiateAuth', 'AdminCreateUser',
    'SignUp', 'ListUsers', 'SetUICustomization', 'CompleteWebAuthnRegistration', 'RespondToAuthChallenge',
  ];
  const r = rng(12345);
  let accepted = 0;
  let rejected = 0;
  for (const op of ops) {
    for (let i = 0; i < 2500; i++) {
      // Mostly objects (request bodies), sometimes anything at all; JSON round trip = a real request.
      const raw = i % 10 === 0 ? randomValue(r, 0) : { ...(randomValue(r, 5) as object), ...client() };
      const body: unknown = JSON.parse(JSON.stringify(raw) ?? 'null');
      try {
        validateInput(op, body);
        accepted++;
      } catch (e) {
        if (!(e instanceof CognitoError)) throw new Error(`${op} threw ${String(e)} for ${JSON.stringify(body)}`);
        assert.ok(e.type === 'InvalidParameterException' || e.type === 'SerializationException');
        rejected++;
      }
    }
  }
  assert.ok(accepted > 0 && rejected > 0);
  // Deep nesting, huge arrays and prototype keys through JSON.parse.
  const specials: unknown[] = [
    deep(20_000),
    JSON.parse('{"__proto__": {"UserPoolId": 1}, "constructor": {"prototype": 2}, "ClientName": "x"}'),
    JSON.parse('{"UserPoolId": "us-east-1_a", "ClientName": "x", "TokenValidityUnits": {"__proto__": "weeks"}}'),
    { UserPoolId: POOL, ClientName: 'x', CallbackURLs: new Array(200_000).fill('https://x') },
    { UserPoolId: POOL, ClientName: 'x', ReadAttributes: new Array(100_000).fill(null) },
    { UserPoolId: POOL, ClientName: 'x', TokenValidityUnits: deep(10_000) },
    // Objects whose own toString/valueOf are data, where a value may get rendered.
    JSON.parse(`{"UserPoolId":"${POOL}","ClientName":"x","CallbackURLs":[${'"u",'.repeat(100)}{"toString":1,"valueOf":2}]}`),
    JSON.parse(`{"UserPoolId":"${POOL}","CustomAttributes":[${'{"Name":{"toString":1}},'.repeat(30)}{}]}`),
    JSON.parse(`{"UserPoolId":"${POOL}","ClientName":{"toString":1,"valueOf":2},"UserPoolTags":{"toString":1}}`),
  ];
  for (const op of ops) {
    for (const body of specials) {
      try {
        validateInput(op, body);
      } catch (e) {
        if (!(e instanceof CognitoError)) throw new Error(`${op} threw ${String(e)}`);
      }
    }
  }
});
