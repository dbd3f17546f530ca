/**
 * The dense rules of domain/passkeys.ts without a server: which origins may use a relying party ID
 * and which relying party IDs a pool may set.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRelyingPartyId, originAllowed } from '../src/domain/passkeys.js';

const client = (CallbackURLs: string[]) => ({ settings: { CallbackURLs } }) as any;

it('origins: https on the RP ID or under it, http only for localhost, the hosted origin, callback origins', () => {
  const ok = (origin: string, rpId: string, callbacks: string[] = []) => originAllowed(origin, rpId, 'http://127.0.0.1:9229', client(callbacks));
  assert.equal(ok('https://example.com', 'example.com'), true);
  assert.equal(ok('https://app.example.com', 'example.com'), true);
  assert.equal(ok('https://app.example.com:8443', 'example.com'), true);
  assert.equal(ok('http://app.example.com', 'example.com'), false, 'http off localhost');
  assert.equal(ok('https://badexample.com', 'example.com'), false, 'a suffix that is not a subdomain');
  assert.equal(ok('https://example.com.evil.net', 'example.com'), false);
  assert.equal(ok('https://example.com', 'app.example.com'), false, 'a parent of the RP ID');
  assert.equal(ok('http://localhost:3000', 'localhost'), true);
  assert.equal(ok('http://app.localhost', 'localhost'), true);
  assert.equal(ok('https://localhost.evil.net', 'localhost'), false);
  assert.equal(ok('http://localhost:3000', 'example.com'), false, 'localhost is not every RP ID');
  assert.equal(ok('http://127.0.0.1:9229', 'localhost'), true, "this server's own origin");
  assert.equal(ok('https://app.example.net', 'example.com', ['https://app.example.net/callback']), true);
  assert.equal(ok('https://app.example.net', 'example.com', ['https://other.example.net/callback']), false);
  // Not an origin: a URL with a path, a trailing slash, junk.
  assert.equal(ok('https://example.com/', 'example.com'), false);
  assert.equal(ok('https://example.com/login', 'example.com'), false);
  assert.equal(ok('example.com', 'example.com'), false);
  assert.equal(ok('', 'example.com'), false);
  assert.equal(originAllowed('https://example.com', 'example.com', 'http://127.0.0.1:1', undefined), true);
});

it('relying party IDs: host names only', () => {
  for (const good of ['localhost', 'example.com', 'auth.example.com', 'my-app.auth.us-east-1.amazoncognito.com', 'xn--bcher-kva.example']) {
    assert.doesNotThrow(() => checkRelyingPartyId(good), good);
  }
  for (const bad of ['', 'https://example.com', 'example.com:443', 'example.com/x', 'Example.com', '10.0.0.1', 'a..b', '.example.com', 'example.com.', '-a.example.com', 'a_b.example.com', `${'a'.repeat(64)}.com`]) {
    assert.throws(() => checkRelyingPartyId(bad), (e: any) => e.type === 'InvalidParameterException', bad);
  }
});
