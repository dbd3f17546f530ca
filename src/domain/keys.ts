/**
 * Signing keys: two RSA-2048 key pairs per pool, one for ID tokens and one for access tokens (so
 * their `kid`s differ, as in Cognito). Made the first time a pool needs them (a sign-in or a JWKS
 * request), persisted with the private key sealed under the master key, and cached per process as
 * CryptoKeys (keys never change, so the cache is the same on every node).
 */
import { createHash, generateKeyPair, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { exportJWK, importJWK, type JWK } from 'jose';
import type { Store } from '../store/types.js';
import type { SigningKeyRecord } from '../store/repos/keys.js';
import type { Secrets } from './secrets.js';

export type KeyUse = 'id' | 'access';

export interface SigningKey {
  kid: string;
  /** The public JWK as the JWKS serves it. */
  jwk: JWK;
  /** The private key, for node:crypto's RSASSA-PKCS1-v1_5 signatures (signJwt). */
  privateKey: KeyObject;
  /** The JWS protected header of this key's tokens, `{"kid":...,"alg":"RS256"}`, base64url-encoded. */
  header: string;
  /** The public key as jose verifies with it. */
  publicKey: CryptoKey;
}

/**
 * A compact JWS (RFC 7515 §7.1) of the claims, RS256 with the key: header.payload.signature, each
 * base64url. The header is the key's, encoded once; the claims are JSON as they are (numbers,
 * strings, arrays, as jose's SignJWT serialised them). The signature runs on libuv's thread pool
 * (node:crypto's callback form), as WebCrypto's did, without WebCrypto's per-call algorithm
 * normalisation and key checks (30-50 µs of the event loop's CPU a token on this machine).
 */
export function signJwt(key: Pick<SigningKey, 'header' | 'privateKey'>, claims: object): Promise<string> {
  const input = `${key.header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(input), key.privateKey, (e, signature) => (e ? reject(e) : resolve(`${input}.${signature.toString('base64url')}`)));
  });
}

export type PoolKeys = Record<KeyUse, SigningKey>;

const generate = promisify(generateKeyPair);
const USES: KeyUse[] = ['id', 'access'];
const sealContext = (poolId: string, use: KeyUse) => `signing-key:${poolId}:${use}`;

/** Cognito-shaped kid: base64 of the SHA-256 of the public key's DER (44 characters, ending in '='). */
function kidOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

export class SigningKeys {
  private readonly cache = new Map<string, Promise<PoolKeys>>();

  constructor(private readonly secrets: Secrets) {}

  /** The pool's keys, made and stored on first use. */
  forPool(store: Store, poolId: string): Promise<PoolKeys> {
    let p = this.cache.get(poolId);
    if (!p) {
      p = this.load(store, poolId);
      this.cache.set(poolId, p);
      p.catch(() => this.cache.delete(poolId));
      if (this.cache.size > 10_000) this.cache.clear();
    }
    return p;
  }

  /** Forgets a deleted pool's keys. */
  forget(poolId: string): void {
    this.cache.delete(poolId);
  }

  private async load(store: Store, poolId: string): Promise<PoolKeys> {
    let rows = await store.keys.list(poolId);
    if (rows.length < USES.length) {
      const have = new Set(rows.map((r) => r.use));
      const made: SigningKeyRecord[] = [];
      for (const use of USES.filter((u) => !have.has(u))) {
        const { publicKey, privateKey } = await generate('rsa', { modulusLength: 2048 });
        const jwk = { ...(await exportJWK(publicKey)), kid: kidOf(publicKey), alg: 'RS256', use: 'sig' };
        made.push({
          poolId,
          use,
          kid: jwk.kid,
          publicJwk: JSON.stringify(jwk),
          privateKey: this.secrets.seal(privateKey.export({ type: 'pkcs8', format: 'der' }), sealContext(poolId, use)),
          createdAt: Date.now(),
        });
      }
      // Another node may have made them meanwhile: the first insert wins, and everyone reads it back.
      await store.keys.insertIfAbsent(made);
      rows = await store.keys.list(poolId);
    }
    const out: Partial<PoolKeys> = {};
    for (const r of rows) {
      const jwk = JSON.parse(r.publicJwk) as JWK;
      const der = this.secrets.open(r.privateKey, sealContext(poolId, r.use));
      out[r.use] = {
        kid: r.kid,
        jwk,
        privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
        header: Buffer.from(JSON.stringify({ kid: r.kid, alg: 'RS256' })).toString('base64url'),
        publicKey: (await importJWK(jwk, 'RS256')) as CryptoKey,
      };
    }
    if (!out.id || !out.access) throw new Error(`signing keys of pool ${poolId} are incomplete`);
    return out as PoolKeys;
  }
}

/** The JWKS document: both public keys. */
export function jwks(keys: PoolKeys): { keys: JWK[] } {
  return { keys: [keys.id.jwk, keys.access.jwk] };
}
