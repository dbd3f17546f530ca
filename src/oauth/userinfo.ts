/**
 * GET (and POST) /oauth2/userInfo (§3.6): the user's attributes for an access token from the token
 * endpoint that holds `openid`, within its scopes; `*_verified` as the strings Cognito returns.
 */
import { scopedAttributes, verifyAccessToken } from '../domain/tokens.js';
import { isCognitoError } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import { json, offDomain, type HostedRequest, type HostedResponse } from './http.js';

const bearerError = (status: number, error: string, description: string): HostedResponse =>
  json(status, { error, error_description: description }, { 'WWW-Authenticate': `Bearer error="${error}", error_description="${description}"` });

export async function userInfo(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+([\w.-]+)\s*$/i.exec(header) : null;
  if (!m) return bearerError(400, 'invalid_request', 'Bad OAuth2 request at UserInfo Endpoint');
  let verified: Awaited<ReturnType<typeof verifyAccessToken>>;
  try {
    verified = await verifyAccessToken(ctx, m[1]!, ctx.now, 'openid');
  } catch (e) {
    if (!isCognitoError(e)) throw e;
    if (e.message === 'Access Token does not have required scopes') return bearerError(401, 'invalid_token', 'Access token does not contain openid scope');
    return bearerError(401, 'invalid_token', 'Access token is expired, disabled, or deleted, or the user has globally signed out.');
  }
  const { user, client, claims } = verified;
  // On a pool's domain only that pool's tokens are valid (Cognito's domain checks them with its pool's keys).
  if (offDomain(req, user.poolId)) return bearerError(401, 'invalid_token', 'Access token is expired, disabled, or deleted, or the user has globally signed out.');
  const scopes = String(claims.scope ?? '').split(' ');
  return json(200, {
    sub: user.sub,
    ...Object.fromEntries(scopedAttributes(client, user.attributes, scopes)),
    username: user.username,
  });
}
