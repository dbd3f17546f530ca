/**
 * AWS Signature Version 4, checked: the Authorization header form and the presigned query form
 * (X-Amz-Algorithm, X-Amz-Credential, ...). The expected signature is computed by @smithy/signature-v4
 * (the AWS SDK's own signer) over exactly the headers the client says it signed, and compared in
 * constant time. Any region; the service must be `cognito-idp` (or another name the caller allows);
 * X-Amz-Date within 5 minutes of the server's clock; a presigned URL until X-Amz-Date + X-Amz-Expires.
 *
 * Errors are AWS's: IncompleteSignatureException (a malformed signature), UnrecognizedClientException
 * (an unknown access key), InvalidSignatureException (wrong signature, wrong scope, expired).
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { CognitoError } from '../protocol/errors.js';
import type { AccessKey, KeyRing } from './keys.js';

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far X-Amz-Date may be from the server's clock (AWS: 5 minutes). */
export const MAX_SKEW_MS = 5 * 60_000;
/** The longest X-Amz-Expires SigV4 allows: 7 days. */
const MAX_EXPIRES_S = 7 * 24 * 3600;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export const incomplete = (message: string) => new CognitoError('IncompleteSignatureException', message);
export const invalidSignature = (message: string) => new CognitoError('InvalidSignatureException', message);
export const unrecognizedClient = () => new CognitoError('UnrecognizedClientException', 'The security token included in the request is invalid.');
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** SHA-256 and HMAC-SHA256 from node:crypto in the shape @smithy/signature-v4 takes (`new Sha256(secret?)`). */
class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

function toBuffer(d: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof d === 'string') return Buffer.from(d, 'utf8');
  if (ArrayBuffer.isView(d)) return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  return Buffer.from(d);
}

const signers = new WeakMap<AccessKey, SignatureV4>();
function signerOf(key: AccessKey): SignatureV4 {
  let s = signers.get(key);
  if (!s) {
    s = new SignatureV4({
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
      region: 'us-east-1',
      service: 'cognito-idp',
      sha256: NodeSha256,
      // Never add an x-amz-content-sha256 header of its own: only what the client signed counts.
      applyChecksum: false,
    });
    signers.set(key, s);
  }
  return s;
}

/** The parts of an HTTP request a signature covers. */
export interface SignedRequest {
  method: string;
  /** The request target as received: path and query, still percent-encoded. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Verified {
  key: AccessKey;
  /** The region of the credential scope. */
  region: string;
}

/** True when the request carries a SigV4 signature in either form (or an Authorization header at all). */
export function hasSignature(req: Pick<SignedRequest, 'rawUrl' | 'headers'>): boolean {
  if (req.headers.authorization !== undefined) return true;
  const q = req.rawUrl.indexOf('?');
  return q >= 0 && /(^|&)X-Amz-(Signature|Algorithm|Credential)=/i.test(req.rawUrl.slice(q + 1));
}

/** The query string as SigV4 sees it: names and values percent-decoded (`+` stays `+`), repeated names as lists. */
function parseQuery(rawUrl: string): Record<string, string | string[]> {
  const q = rawUrl.indexOf('?');
  const out: Record<string, string | string[]> = Object.create(null);
  if (q < 0) return out;
  for (const part of rawUrl.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let k: string;
    let v: string;
    try {
      k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      throw incomplete('The query string is not valid percent-encoding.');
    }
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** `20240102T030405Z` as epoch milliseconds, or undefined. */
function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? undefined : t;
}

const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');

interface Parts {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
  date: string;
}

function splitCredential(credential: string): Omit<Parts, 'signedHeaders' | 'signature' | 'date'> | undefined {
  const parts = credential.split('/');
  if (parts.length < 5) return undefined;
  const [scopeDate, region, service, terminator] = parts.slice(-4) as [string, string, string, string];
  return { accessKeyId: parts.slice(0, -4).join('/'), scopeDate, region, service, terminator };
}

function headerValue(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function fromHeader(req: SignedRequest, authorization: string): Parts {
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw incomplete(`Authorization header must use the ${ALGORITHM} algorithm (AWS Signature Version 4).`);
  }
  const fields: Record<string, string> = {};
  for (const p of authorization.slice(space + 1).split(',')) {
    const t = p.trim();
    const eq = t.indexOf('=');
    if (eq > 0) fields[t.slice(0, eq)] = t.slice(eq + 1);
  }
  const date = headerValue(req.headers, 'x-amz-date');
  const missing: string[] = [];
  if (!fields.Credential) missing.push("Authorization header requires 'Credential' parameter.");
  if (!fields.Signature) missing.push("Authorization header requires 'Signature' parameter.");
  if (!fields.SignedHeaders) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (!date) missing.push("Authorization header requires existence of a 'X-Amz-Date' header.");
  if (missing.length) throw incomplete(missing.join(' '));
  const cred = splitCredential(fields.Credential!);
  if (!cred) throw incomplete(`Authorization header's Credential is malformed: expected <access key id>/<YYYYMMDD>/<region>/cognito-idp/aws4_request.`);
  return { ...cred, signedHeaders: fields.SignedHeaders!.split(';'), signature: fields.Signature!, date: date! };
}

function fromQuery(query: Record<string, string | string[]>): Parts & { expires: number } {
  const one = (k: string) => (typeof query[k] === 'string' ? (query[k] as string) : undefined);
  if (one('X-Amz-Algorithm') !== ALGORITHM) throw incomplete(`X-Amz-Algorithm must be ${ALGORITHM} (AWS Signature Version 4).`);
  const missing = ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'].filter((k) => !one(k));
  if (missing.length) throw incomplete(`The presigned URL lacks ${missing.join(', ')}.`);
  const cred = splitCredential(one('X-Amz-Credential')!);
  if (!cred) throw incomplete(`X-Amz-Credential is malformed: expected <access key id>/<YYYYMMDD>/<region>/cognito-idp/aws4_request.`);
  const expires = one('X-Amz-Expires')!;
  if (!/^\d{1,7}$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_EXPIRES_S) {
    throw incomplete(`X-Amz-Expires must be a number of seconds from 1 to ${MAX_EXPIRES_S} (7 days).`);
  }
  return {
    ...cred,
    signedHeaders: one('X-Amz-SignedHeaders')!.split(';'),
    signature: one('X-Amz-Signature')!,
    date: one('X-Amz-Date')!,
    expires: Number(expires),
  };
}

/**
 * Checks the request's signature; answers the key that signed it and the scope's region, or throws
 * the CognitoError AWS would answer. `services`: the signing names accepted (cognito-idp for the API).
 */
export async function verifySigV4(
  req: SignedRequest,
  keys: KeyRing,
  now: number,
  services: readonly string[] = ['cognito-idp'],
  /** Headers the signature must cover (listed in SignedHeaders, or sent in the signed query instead). */
  mustSign: readonly string[] = [],
): Promise<Verified> {
  const query = parseQuery(req.rawUrl);
  const authorization = headerValue(req.headers, 'authorization');
  const presigned = authorization === undefined;
  const parts = presigned ? fromQuery(query) : fromHeader(req, authorization);

  if (!parts.signedHeaders.includes('host')) throw incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  if (parts.signedHeaders.some((h) => h !== h.toLowerCase() || h === '')) throw incomplete('SignedHeaders must be lower-case header names separated by ;.');
  for (const h of parts.signedHeaders) {
    if (headerValue(req.headers, h) === undefined) throw invalidSignature(`The request lacks the header '${h}' that SignedHeaders lists.`);
  }

  const key = keys.get(parts.accessKeyId);
  if (!key) throw unrecognizedClient();
  // incognito's keys are long-term keys: AWS refuses a long-term key sent with a session token it
  // did not issue, with the unknown-key answer. incognito issues none.
  if (headerValue(req.headers, 'x-amz-security-token') !== undefined || Object.keys(query).some((k) => k.toLowerCase() === 'x-amz-security-token')) {
    throw unrecognizedClient();
  }
  for (const h of mustSign) {
    if (!parts.signedHeaders.includes(h) && !Object.keys(query).some((k) => k.toLowerCase() === h)) {
      throw invalidSignature(`The '${h}' header must be signed: list it in SignedHeaders.`);
    }
  }

  if (parts.terminator !== 'aws4_request') throw invalidSignature(`Credential should be scoped with a valid terminator: 'aws4_request', not '${parts.terminator}'.`);
  if (!services.includes(parts.service)) throw invalidSignature(`Credential should be scoped to correct service: '${services[0]}'. `);
  if (!/^[a-z0-9-]{1,32}$/.test(parts.region)) throw invalidSignature(`Credential should be scoped to a valid region, not '${parts.region}'. `);
  const signedAt = parseAmzDate(parts.date);
  if (signedAt === undefined) throw incomplete(`X-Amz-Date must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z', not '${parts.date}'.`);
  if (parts.scopeDate !== parts.date.slice(0, 8)) {
    throw invalidSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parts.scopeDate}' != '${parts.date.slice(0, 8)}', from '${parts.date}'.`);
  }
  if (signedAt > now + MAX_SKEW_MS) {
    throw invalidSignature(`Signature not yet current: ${parts.date} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 5 min.)`);
  }
  if (presigned) {
    const { expires } = parts as Parts & { expires: number };
    if (now > signedAt + expires * 1000) {
      throw invalidSignature(`Signature expired: ${parts.date} is now earlier than ${amzDate(now - expires * 1000)} (${amzDate(now)} - ${expires} sec.)`);
    }
  } else if (signedAt < now - MAX_SKEW_MS) {
    throw invalidSignature(`Signature expired: ${parts.date} is now earlier than ${amzDate(now - MAX_SKEW_MS)} (${amzDate(now)} - 5 min.)`);
  }

  // The body is always signed: a payload hash the client sends must be the body's own (the signature
  // covers the header, not the body, when one is sent), and UNSIGNED-PAYLOAD is not taken.
  const claimedHash = headerValue(req.headers, 'x-amz-content-sha256');
  if (claimedHash !== undefined) {
    const actual = createHash('sha256').update(req.body).digest('hex');
    if (claimedHash !== actual) {
      throw invalidSignature(
        claimedHash === UNSIGNED_PAYLOAD
          ? 'UNSIGNED-PAYLOAD is not accepted: sign the request body.'
          : "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
  }

  // The request as the client signed it: only the headers it lists.
  const headers: Record<string, string> = {};
  for (const h of parts.signedHeaders) headers[h] = headerValue(req.headers, h)!;
  const q = req.rawUrl.indexOf('?');
  const request = {
    method: req.method,
    protocol: 'http:',
    hostname: headers.host ?? '',
    path: q < 0 ? req.rawUrl : req.rawUrl.slice(0, q),
    query,
    headers,
    body: req.body,
  };
  const signer = signerOf(key);
  const signing = { signingDate: new Date(signedAt), signingRegion: parts.region, signingService: parts.service, signableHeaders: new Set(parts.signedHeaders) };
  let expected: string[];
  if (presigned) {
    const all = new Set(parts.signedHeaders);
    const r = await signer.presign(request as never, { ...signing, expiresIn: (parts as Parts & { expires: number }).expires, unhoistableHeaders: all });
    expected = [String(r.query?.['X-Amz-Signature'] ?? '')];
  } else {
    const r = await signer.sign(request as never, { ...signing, ...(parts.signedHeaders.includes('x-amz-date') ? {} : { unsignableHeaders: new Set(['x-amz-date']) }) });
    const m = /Signature=([0-9a-f]+)/.exec(String((r as unknown as { headers: Record<string, string> }).headers.authorization ?? ''));
    expected = [m?.[1] ?? ''];
  }
  const given = Buffer.from(parts.signature, 'utf8');
  let ok = false;
  for (const e of expected) {
    const b = Buffer.from(e, 'utf8');
    if (b.length === given.length && timingSafeEqual(b, given)) ok = true;
  }
  if (!ok) throw invalidSignature(MISMATCH);
  return { key, region: parts.region };
}
