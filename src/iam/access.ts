/**
 * Who may do what: the resource a request acts on, the policy decision, AWS's AccessDeniedException,
 * and the authentication of the server's own admin endpoints (/_incognito/...: HTTP Basic with
 * accessKeyId:secretAccessKey, or SigV4).
 */
import { timingSafeEqual } from 'node:crypto';
import { poolArn, regionOfPoolId } from '../domain/ids.js';
import { CognitoError, errors } from '../protocol/errors.js';
import type { AccessKey, KeyRing } from './keys.js';
import { openAdminRefusal } from './hosts.js';
import { evaluate } from './policy.js';
import { hasSignature, verifySigV4, type SignedRequest } from './sigv4.js';

/** The ARN AccessDeniedException names a key by: an IAM user of the key's name in the configured account. */
export const keyArn = (key: AccessKey, accountId: string) => `arn:aws:iam::${accountId}:user/${key.name}`;

/**
 * The resource of an API request, as IAM's Service Authorization Reference for cognito-idp has it: the
 * user pool's ARN for the operations on a pool (`UserPoolId`, or the tag operations' `ResourceArn`),
 * `*` for those with no resource type (CreateUserPool, ListUserPools, DescribeUserPoolDomain, ...).
 * The pool's region is its id's prefix.
 */
export function resourceOf(input: Record<string, unknown>, region: string, accountId: string): string {
  const poolId = input.UserPoolId;
  if (typeof poolId === 'string' && poolId !== '') return poolArn(regionOfPoolId(poolId) ?? region, accountId, poolId);
  if (typeof input.ResourceArn === 'string' && input.ResourceArn !== '') return input.ResourceArn;
  return '*';
}

/** Throws AWS's AccessDeniedException unless the key's policy allows `action` on `resource`. */
export function authorize(key: AccessKey, action: string, resource: string, accountId: string): void {
  if (!key.policy) return;
  const decision = evaluate(key.policy, action, resource);
  if (decision === 'allow') return;
  const why = decision === 'explicit-deny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
  throw errors.accessDenied(`User: ${keyArn(key, accountId)} is not authorized to perform: ${action} on resource: ${resource} ${why}`);
}

/** The signing names accepted on the admin endpoints (the SDKs' `cognito-idp`, or `incognito`). */
const ADMIN_SERVICES = ['cognito-idp', 'incognito'] as const;

export type AdminAuth =
  | { ok: true; key: AccessKey | undefined }
  /** `key`: the key that signed, when it was recognised but its policy refused (named in the log). */
  | { ok: false; status: number; headers: Record<string, string>; body: string; key?: AccessKey };

const refuse = (status: number, error: string, message: string): AdminAuth => ({
  ok: false,
  status,
  headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...(status === 401 ? { 'WWW-Authenticate': 'Basic realm="incognito", charset="UTF-8"' } : {}) },
  body: JSON.stringify({ __type: error, message }),
});

function basicKey(header: string, keys: KeyRing): AccessKey | undefined {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const key = keys.get(decoded.slice(0, colon));
  const given = Buffer.from(decoded.slice(colon + 1), 'utf8');
  const secret = Buffer.from(key?.secretAccessKey ?? '', 'utf8');
  // Compare in constant time (and as long even when the id is unknown).
  const same = given.length === secret.length && timingSafeEqual(given, secret);
  return key && same ? key : undefined;
}

/**
 * Authenticates and authorizes a request to an admin endpoint: with no keys configured, everyone may
 * (development) whose Host and Origin `openHosts` allow (hosts.ts: DNS rebinding, foreign pages; 403 otherwise); otherwise HTTP Basic (`accessKeyId:secretAccessKey`) or a SigV4 signature, and the
 * key's policy must allow `action` on `resource`.
 */
export async function authorizeAdmin(
  req: SignedRequest,
  keys: KeyRing | undefined,
  now: number,
  action: string,
  resource: string,
  accountId: string,
  openHosts?: Set<string>,
): Promise<AdminAuth> {
  if (!keys) {
    const why = openHosts && openAdminRefusal(req.headers, openHosts);
    return why ? refuse(403, 'AccessDeniedException', why) : { ok: true, key: undefined };
  }
  const authorization = req.headers.authorization;
  let key: AccessKey | undefined;
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    key = basicKey(authorization, keys);
    if (!key) return refuse(401, 'UnrecognizedClientException', 'The access key id and secret (HTTP Basic) are not those of a configured key.');
  } else if (hasSignature(req)) {
    try {
      key = (await verifySigV4(req, keys, now, ADMIN_SERVICES)).key;
    } catch (e) {
      if (e instanceof CognitoError) return refuse(e.type === 'UnrecognizedClientException' || e.type === 'InvalidSignatureException' ? 403 : 400, e.type, e.message);
      throw e;
    }
  } else {
    return refuse(401, 'MissingAuthenticationTokenException', 'This endpoint needs a configured access key: HTTP Basic with accessKeyId:secretAccessKey (curl -u ID:SECRET), or a SigV4 signature.');
  }
  try {
    authorize(key, action, resource, accountId);
  } catch (e) {
    if (e instanceof CognitoError) return { ...refuse(403, e.type, e.message), key };
    throw e;
  }
  return { ok: true, key };
}
