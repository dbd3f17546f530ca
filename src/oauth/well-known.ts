/**
 * GET /<poolId>/.well-known/jwks.json and /<poolId>/.well-known/openid-configuration: the pool's
 * public keys, and the discovery document whose `issuer` is the `iss` of the pool's tokens.
 */
import { jwks } from '../domain/keys.js';
import { issuerOf } from '../domain/tokens.js';
import type { Services } from '../protocol/dispatch.js';

const PATH = /^\/([\w-]+_[0-9a-zA-Z]+)\/\.well-known\/(jwks\.json|openid-configuration)$/;

/** The document for the path, or undefined when the path is not one of these. */
export async function wellKnown(s: Services, path: string): Promise<{ status: number; body: string } | undefined> {
  const m = PATH.exec(path);
  if (!m) return undefined;
  const pool = await s.store.pools.get(m[1]!);
  if (!pool) return { status: 404, body: JSON.stringify({ error: 'not_found', message: `User pool ${m[1]} does not exist.` }) };
  if (m[2] === 'jwks.json') return { status: 200, body: JSON.stringify(jwks(await s.keys.forPool(s.store, pool.id))) };
  const base = `${s.publicUrl}/${pool.id}`;
  // Cognito's document (§3.1), keys in its order; the endpoints are this server's own paths.
  return {
    status: 200,
    body: JSON.stringify({
      authorization_endpoint: `${s.publicUrl}/oauth2/authorize`,
      end_session_endpoint: `${s.publicUrl}/logout`,
      id_token_signing_alg_values_supported: ['RS256'],
      issuer: issuerOf(s, pool),
      jwks_uri: `${base}/.well-known/jwks.json`,
      response_types_supported: ['code', 'token'],
      revocation_endpoint: `${s.publicUrl}/oauth2/revoke`,
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      subject_types_supported: ['public'],
      token_endpoint: `${s.publicUrl}/oauth2/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      userinfo_endpoint: `${s.publicUrl}/oauth2/userInfo`,
    }),
  };
}
