/**
 * GET /logout (§3.4): ends the pool's sign-in session (the database row and the cookie), then
 * goes to `logout_uri` (one of the client's LogoutURLs), or, given `redirect_uri` and
 * `response_type`, back to the sign-in page with those parameters. Tokens stay valid: revoking
 * them is /oauth2/revoke's job, as in Cognito. A session that came through a SAML IdP with
 * IDPSignout goes by the IdP first (single logout, saml.ts), then on to the same place.
 */
import type { Ctx } from '../operations/context.js';
import { offDomain, page, redirect, type HostedRequest, type HostedResponse } from './http.js';
import { errorPage } from './pages.js';
import { endSession } from './session.js';
import { samlLogout } from './saml.js';

const problem = (text: string) => page(400, errorPage('Sign-out failed', text));

export async function logout(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const clientId = req.query.get('client_id');
  if (!clientId) return problem('Required parameter client_id is missing.');
  const found = /^[\w+]+$/.test(clientId) && clientId.length <= 128 ? await ctx.store.reads.clientWithPool(clientId) : undefined;
  if (!found) return problem(`The client ${clientId} does not exist.`);
  if (offDomain(req, found.pool.id)) return problem(`The client ${clientId} does not belong to the user pool of this domain.`);
  const { client, pool } = found;
  const logoutUri = req.query.get('logout_uri');
  const redirectUri = req.query.get('redirect_uri');
  if (logoutUri !== null) {
    if (!(client.settings.LogoutURLs ?? []).includes(logoutUri)) {
      return problem('logout_uri is not one of the client\'s sign-out URLs (LogoutURLs must contain it exactly).');
    }
    return (await samlLogout(ctx, req, pool, client.id, logoutUri)) ?? redirect(logoutUri, [await endSession(ctx, req, pool.id)]);
  }
  if (redirectUri !== null) {
    const responseType = req.query.get('response_type');
    if (!responseType) return problem('response_type is required with redirect_uri.');
    const next = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: responseType });
    for (const name of ['scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method']) {
      const v = req.query.get(name);
      if (v !== null) next.set(name, v);
    }
    return (await samlLogout(ctx, req, pool, client.id, `/login?${next.toString()}`)) ?? redirect(`/login?${next.toString()}`, [await endSession(ctx, req, pool.id)]);
  }
  return problem('Either logout_uri, or redirect_uri and response_type, is required.');
}
