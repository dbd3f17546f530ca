/**
 * A software WebAuthn authenticator for tests: what a browser and a platform authenticator hand a
 * relying party, built with node:crypto (ES256 keys, "none" attestation, CBOR by hand). create()
 * answers CredentialCreationOptions with a RegistrationResponseJSON, get() answers request options
 * with an AuthenticationResponseJSON. Every part a test may want wrong can be overridden: the
 * origin, the RP ID, the challenge, the user-verified flag, the signature counter, the signature.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// CBOR (RFC 8949): the few types attestation objects and COSE keys use
// ---------------------------------------------------------------------------------------------

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

export function cbor(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([head(3, b.length), b]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  const parts: Buffer[] = [head(5, v.size)];
  for (const [k, x] of v) parts.push(cbor(k), cbor(x));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// The authenticator
// ---------------------------------------------------------------------------------------------

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();
const b64url = (b: Buffer | Uint8Array) => Buffer.from(b).toString('base64url');

/** authenticatorData flags. */
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export interface StoredKey {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

export interface Overrides {
  origin?: string;
  /** The RP ID whose hash goes in the authenticator data. */
  rpId?: string;
  challenge?: string;
  /** The user-verified flag (default: the authenticator's). */
  uv?: boolean;
  /** clientDataJSON.type. */
  type?: string;
  /** get(): the counter to sign with (default: the last one plus one). */
  counter?: number;
  /** get(): sign with another credential's key than the one named. */
  signWith?: StoredKey;
  /** get(): the user handle to return (default: the credential's). */
  userHandle?: string;
  /** A ceremony in a cross-origin frame: clientDataJSON crossOrigin true, with this topOrigin (null: none, a Level 2 browser). */
  framedIn?: string | null;
}

/** clientDataJSON's frame fields: crossOrigin false, or true with the top page's origin when known. */
const frame = (o: Overrides) => (o.framedIn === undefined ? { crossOrigin: false } : { crossOrigin: true, ...(o.framedIn === null ? {} : { topOrigin: o.framedIn }) });

export class SoftAuthenticator {
  readonly keys = new Map<string, StoredKey>();
  /** Whether the authenticator verifies its user (a platform authenticator with a PIN or biometrics). */
  uv: boolean;
  /** The AAGUID it attests (zeros: an anonymous software authenticator). */
  aaguid: Buffer;
  /** Counter step per assertion (0: an authenticator that keeps no counter, as passkey providers that sync). */
  counterStep: number;

  constructor(readonly origin: string, opts: { uv?: boolean; aaguid?: string; counterStep?: number } = {}) {
    this.uv = opts.uv ?? true;
    this.aaguid = opts.aaguid ? Buffer.from(opts.aaguid.replace(/-/g, ''), 'hex') : Buffer.alloc(16);
    this.counterStep = opts.counterStep ?? 1;
  }

  /** navigator.credentials.create({ publicKey: options }) as a RegistrationResponseJSON. */
  create(options: any, o: Overrides = {}): any {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const id = randomBytes(16);
    const rpId = o.rpId ?? options.rp.id;
    const counter = 0;
    const flags = UP | AT | ((o.uv ?? this.uv) ? UV : 0);
    const counterBuf = Buffer.alloc(4);
    counterBuf.writeUInt32BE(counter);
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(id.length);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([flags]), counterBuf, this.aaguid, idLen, id, coseKey]);
    const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: o.type ?? 'webauthn.create', challenge: o.challenge ?? options.challenge, origin: o.origin ?? this.origin, ...frame(o) }),
    );
    this.keys.set(b64url(id), { id: b64url(id), privateKey, rpId, userHandle: options.user.id, counter });
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
        publicKeyAlgorithm: -7,
        authenticatorData: b64url(authData),
        publicKey: b64url(publicKey.export({ format: 'der', type: 'spki' })),
      },
    };
  }

  /** navigator.credentials.get({ publicKey: options }) with the credential `id` (default: the first allowed one). */
  get(options: any, id?: string, o: Overrides = {}): any {
    const chosen = id ?? options.allowCredentials?.[0]?.id ?? [...this.keys.keys()][0];
    const key = this.keys.get(chosen);
    if (!key) throw new Error(`the authenticator has no credential ${chosen}`);
    key.counter = o.counter ?? key.counter + this.counterStep;
    const rpId = o.rpId ?? options.rpId;
    const flags = UP | ((o.uv ?? this.uv) ? UV : 0);
    const counterBuf = Buffer.alloc(4);
    counterBuf.writeUInt32BE(key.counter);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([flags]), counterBuf]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: o.type ?? 'webauthn.get', challenge: o.challenge ?? options.challenge, origin: o.origin ?? this.origin, ...frame(o) }),
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), (o.signWith ?? key).privateKey);
    return {
      id: key.id,
      rawId: key.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: o.userHandle ?? key.userHandle,
      },
    };
  }
}
