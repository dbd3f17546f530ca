/**
 * POST /oauth2/revoke (§3.7): revokes a refresh token and every token of its sign-in. 200 with an
 * empty body also for unknown or already revoked tokens (RFC 7009); 400 invalid_request without a
 * token or when the client has revocation off; 400 unsupported_token_type for an ID or access
 * token; 401 invalid_client when client authentication fails.
 */
import { hashToken, looksLikeJwt } from '../domain/tokens.js';
import type { Ctx } from '../operations/context.js';
import { authenticateClient } from './client-auth.js';
import { json, type HostedRequest, type HostedResponse } from './http.js';

export async function revoke(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const token = req.form.get('token');
  if (!token || req.form.getAll('token').length > 1) return json(400, { error: 'invalid_request', error_description: 'token is required.' });
  const auth = await authenticateClient(ctx, req);
  if (!auth.ok) return json(auth.error === 'invalid_client' ? 401 : 400, { error: auth.error, error_description: auth.description });
  const { client } = auth;
  if (client.settings.EnableTokenRevocation === false) {
    return json(400, { error: 'invalid_request', error_description: 'Token revocation is not enabled for this client.' });
  }
  if (looksLikeJwt(token)) return json(400, { error: 'unsupported_token_type', error_description: 'Only refresh tokens can be revoked.' });
  const found = await ctx.store.reads.refresh(hashToken(token));
  if (found) {
    if (found.family.clientId !== client.id) return json(400, { error: 'invalid_request', error_description: 'The token was not issued to this client.' });
    await ctx.store.tokens.revokeFamily(found.family.originJti, ctx.now);
  }
  return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: '' };
}
