/**
 * Client authentication at the token and revocation endpoints (§3.5): HTTP Basic
 * (client_secret_basic, id and secret form-encoded as RFC 6749 §2.3.1 says) or the form body
 * (client_secret_post); public clients send only client_id. Secrets compared in constant time,
 * never hashed slowly (they are 256-bit random values).
 */
import { isClientSecret } from '../domain/client-secrets.js';
import type { Ctx } from '../operations/context.js';
import type { AuthSessionRecord } from '../store/repos/sessions.js';
import type { ClientRecord, GroupRecord, PoolRecord, UserRecord } from '../store/types.js';
import { offDomain, type HostedRequest } from './http.js';

export type ClientAuth =
  | {
      ok: true;
      client: ClientRecord;
      pool: PoolRecord;
      secretGiven: boolean;
      resourceScopes?: Set<string>;
      code?: AuthSessionRecord;
      /** The user the code names (its username_key) with the user's groups, read with the code. */
      codeUser?: { user: UserRecord; groups: GroupRecord[] };
    }
  | { ok: false; error: 'invalid_request' | 'invalid_client'; description: string };

function formDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/**
 * `withScopes`: also the custom scopes of the client's pool's resource servers (`resourceScopes`),
 * read with the client in one statement (client_credentials). `codeHash`: also the row of
 * auth_sessions with that id (`code`: an authorization code, read, not taken), in one statement
 * (authorization_code).
 */
export async function authenticateClient(ctx: Ctx, req: HostedRequest, opts: { withScopes?: boolean; codeHash?: string } = {}): Promise<ClientAuth> {
  let id: string | undefined;
  let secret: string | undefined;
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return { ok: false, error: 'invalid_client', description: 'The Authorization header is not client_id:client_secret in Base64.' };
    try {
      id = formDecode(decoded.slice(0, i));
      secret = formDecode(decoded.slice(i + 1));
    } catch {
      return { ok: false, error: 'invalid_client', description: 'The Authorization header is not client_id:client_secret in Base64.' };
    }
    const bodyId = req.form.get('client_id');
    if (bodyId !== null && bodyId !== id) return { ok: false, error: 'invalid_client', description: 'client_id in the body does not match the Authorization header.' };
    if (req.form.has('client_secret')) return { ok: false, error: 'invalid_request', description: 'Send the client secret in the Authorization header or in the body, not both.' };
  } else {
    id = req.form.get('client_id') ?? undefined;
    secret = req.form.get('client_secret') ?? undefined;
  }
  if (!id) return { ok: false, error: 'invalid_request', description: 'client_id is required (in the body, or with the secret in an Authorization: Basic header).' };
  const valid = /^[\w+]+$/.test(id) && id.length <= 128;
  const found = !valid ? undefined : opts.withScopes ? await ctx.store.reads.clientWithPoolAndScopes(id) : opts.codeHash !== undefined ? await withCode(ctx, id, opts.codeHash) : await ctx.store.reads.clientWithPool(id);
  if (!found || offDomain(req, found.pool.id)) return { ok: false, error: 'invalid_client', description: 'Client authentication failed.' };
  const { client } = found;
  if (client.secrets.length === 0) {
    if (secret) return { ok: false, error: 'invalid_client', description: 'The client has no secret, but one was sent.' };
    return { ok: true, ...found, secretGiven: false };
  }
  if (!secret) return { ok: false, error: 'invalid_client', description: 'The client has a secret: authenticate with it.' };
  // Any of the client's secrets (two during a rotation).
  if (!isClientSecret(client, secret)) return { ok: false, error: 'invalid_client', description: 'Client authentication failed.' };
  return { ok: true, ...found, secretGiven: true };
}

async function withCode(
  ctx: Ctx,
  clientId: string,
  codeHash: string,
): Promise<{ client: ClientRecord; pool: PoolRecord; code?: AuthSessionRecord; codeUser?: { user: UserRecord; groups: GroupRecord[] } } | undefined> {
  const { clientWithPool, code, user } = await ctx.store.reads.clientAndCode(clientId, codeHash);
  return clientWithPool && { ...clientWithPool, ...(code ? { code } : {}), ...(code && user ? { codeUser: user } : {}) };
}
