/**
 * The JSON 1.1 API: target header → operation → model validation → handler → JSON or error envelope.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import type { Delivery } from '../delivery/types.js';
import type { Secrets } from '../domain/secrets.js';
import type { SigningKeys } from '../domain/keys.js';
import { operations } from '../operations/index.js';
import { CognitoError, errors, isCognitoError } from './errors.js';
import { operationAuth, operationExists, validateInput } from './validate.js';
import { regionFromAuthorization, regionFromPoolId } from './region.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { AccessKey, KeyRing } from '../iam/keys.js';
import { hasSignature, invalidSignature, verifySigV4 } from '../iam/sigv4.js';
import { authorize, resourceOf } from '../iam/access.js';
import { adminHostNames, openAdminRefusal } from '../iam/hosts.js';
import { callerFromInput, type Caller } from '../domain/auth-events.js';
import type { Quotas } from '../quotas.js';
import type { Metrics } from '../metrics.js';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/**
 * The JSON API's media types: AWS's own, and plain JSON (which the SDKs do not send but curl and
 * fetch users do). Parameters (`; charset=utf-8`) and case do not matter.
 */
export const API_CONTENT_TYPES = ['application/x-amz-json-1.1', 'application/json'] as const;

/** The request's media type when it is one the API takes, else undefined. */
export function apiContentType(header: string | undefined): (typeof API_CONTENT_TYPES)[number] | undefined {
  const type = (header ?? '').split(';', 1)[0]!.trim().toLowerCase();
  return API_CONTENT_TYPES.find((t) => t === type);
}

export interface ApiRequest {
  /** The request's Content-Type header, as sent. */
  contentType: string | undefined;
  target: string | undefined;
  authorization: string | undefined;
  body: Buffer;
  /** What a SigV4 signature covers besides the body (checked when access keys are configured). */
  method?: string;
  /** The request target as received (path and query): a presigned URL's signature is in the query. */
  rawUrl?: string;
  headers?: IncomingHttpHeaders;
  /** The client's address and User-Agent (auth events). */
  caller?: Caller;
}

export interface ApiResult {
  status: number;
  body: string;
  operation: string | undefined;
  errorType: string | undefined;
  region: string | undefined;
  requestId: string;
  /** The name of the access key that signed the request, when one was checked. */
  key: string | undefined;
}

function parseBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw errors.serialization('The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.serialization('The request body must be a JSON object.');
  }
  // NUL cannot be stored in PostgreSQL text: refuse it for every operation, on both stores alike.
  // (A raw NUL byte is already invalid JSON; only the escape needs looking for.)
  if (text.includes('\\u0000') && containsNul(value)) {
    throw errors.invalidParameter('Strings in the request cannot contain the NUL character (U+0000).');
  }
  return value as Record<string, unknown>;
}

/** Iterative, so no nesting depth the body may carry can overflow the stack. */
function containsNul(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\0')) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\0')) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

function envelope(e: CognitoError): string {
  return JSON.stringify({ __type: e.type, message: e.message, ...e.extra });
}

export interface Services {
  store: Store;
  delivery: Delivery;
  config: Config;
  secrets: Secrets;
  keys: SigningKeys;
  imports: { kick(): void };
  publicUrl: string;
  /** Epoch milliseconds now: Date.now, or the clock a test injected (server.ts ServerOptions). */
  clock: () => number;
  /** The configured access keys; undefined = none (development: nothing is checked). */
  accessKeys?: KeyRing | undefined;
  /** The request quotas of --quotas cognito (src/quotas.ts); absent when off. */
  quotas?: Quotas;
  /** The server's metrics (src/metrics.ts); absent with --metrics false. */
  metrics?: Metrics;
}

/** The X-Amz-Target of a presigned URL (@smithy/signature-v4's presign moves x-amz-* headers into the query). */
function targetFromQuery(rawUrl: string | undefined): string | undefined {
  const q = rawUrl?.indexOf('?') ?? -1;
  if (q < 0) return undefined;
  const m = /(?:^|&)X-Amz-Target=([^&]*)/i.exec(rawUrl!.slice(q + 1));
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

export async function handleApi(req: ApiRequest, services: Services, log: (e: unknown) => void): Promise<ApiResult> {
  const { config } = services;
  const requestId = randomUUID();
  let operation: string | undefined;
  let region: string | undefined;
  let key: AccessKey | undefined;
  try {
    if (!apiContentType(req.contentType)) {
      throw errors.unknownOperationContentType(
        `${req.contentType ? `Content-Type '${req.contentType}'` : 'A request without a Content-Type'} is not accepted: send the JSON body as application/x-amz-json-1.1 (or application/json).`,
      );
    }
    // A presigned URL carries the target in its (signed) query. A header naming another operation
    // must not take its place: the operation run is the one that was signed.
    const queryTarget = targetFromQuery(req.rawUrl);
    if (req.target !== undefined && queryTarget !== undefined && req.target !== queryTarget) {
      throw invalidSignature(
        `The X-Amz-Target header (${req.target}) differs from the X-Amz-Target of the query string (${queryTarget}): send one target, the one the request was signed with.`,
      );
    }
    const target = req.target ?? queryTarget ?? '';
    if (!target.startsWith(TARGET_PREFIX)) {
      throw errors.unknownOperation(
        target ? `Unknown target '${target}': expected ${TARGET_PREFIX}<Operation>.` : `Missing X-Amz-Target header: expected ${TARGET_PREFIX}<Operation>.`,
      );
    }
    const name = target.slice(TARGET_PREFIX.length);
    if (!operationExists(name)) throw errors.unknownOperation(`Unknown operation ${name}.`);
    operation = name;
    // With access keys configured, an operation Cognito authorizes with IAM needs a valid signature;
    // the public ones (authtype none: SignUp, InitiateAuth, GetUser, ...) are served signed or not.
    const keys = services.accessKeys;
    // Without keys, an admin operation addressed to a foreign Host (DNS rebinding) or from a foreign page is refused (iam/hosts.ts).
    const refusal = !keys && operationAuth(name) === 'iam' && req.headers ? openAdminRefusal(req.headers, adminHostNames(config)) : undefined;
    if (refusal) throw new CognitoError('AccessDeniedException', refusal, 403);
    if (keys && operationAuth(name) === 'iam') {
      const signed = { method: req.method ?? 'POST', rawUrl: req.rawUrl ?? '/', headers: req.headers ?? { authorization: req.authorization }, body: req.body };
      if (!hasSignature(signed)) throw errors.missingAuthenticationToken('Missing Authentication Token');
      // The target must be signed too: the same signed body sent to another operation must not pass.
      const v = await verifySigV4(signed, keys, services.clock(), ['cognito-idp'], ['x-amz-target']);
      key = v.key;
      region = v.region;
    }
    const handler = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (!handler) {
      throw errors.unsupportedOperation(`incognito does not implement ${name} yet. See the operations table in the README.`);
    }
    const input = parseBody(req.body);
    validateInput(name, input);
    region ??= regionFromAuthorization(req.authorization) ?? regionFromPoolId(input.UserPoolId) ?? config.region;
    if (key) authorize(key, `cognito-idp:${name}`, resourceOf(input, region, config.accountId), config.accountId);
    const now = services.clock();
    services.quotas?.takeOperation(name, region, now);
    const output = await handler(input, {
      store: services.store,
      delivery: services.delivery,
      config,
      secrets: services.secrets,
      keys: services.keys,
      imports: services.imports,
      publicUrl: services.publicUrl,
      ...(services.metrics ? { metrics: services.metrics } : {}),
      region,
      requestId,
      caller: callerFromInput(req.caller, input),
      now,
    });
    return { status: 200, body: JSON.stringify(output), operation, errorType: undefined, region, requestId, key: key?.name };
  } catch (e) {
    if (isCognitoError(e)) {
      return { status: e.status, body: envelope(e), operation, errorType: e.type, region, requestId, key: key?.name };
    }
    log(e);
    const internal = errors.internal('An internal error occurred. It has been logged with this request id: ' + requestId);
    return { status: 500, body: envelope(internal), operation, errorType: internal.type, region, requestId, key: key?.name };
  }
}
