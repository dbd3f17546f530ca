/**
 * The browser binding of a federated sign-in (OIDC, social, SAML): the sign-in's server-side state
 * keeps the hash of a random value that only the browser which started it holds, in a cookie.
 *
 * One cookie per sign-in: its name carries a short hash of the sign-in's own key (the OIDC state,
 * the SAML RelayState), so two sign-ins started in one browser (two tabs of an app whose sessions
 * ended) each find their own cookie, and the end of one (done or refused) clears only its own.
 * The name says nothing of the state (a hash prefix); the value is still the secret that is checked.
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '../domain/tokens.js';
import { clearCookie, cookie, type HostedRequest } from './http.js';

/** The cookie name of one sign-in: `<prefix>_<16 characters of the hash of its key>`. */
export const bindingName = (prefix: string, key: string) => `${prefix}_${hashToken(`binding:${key}`).slice(0, 16)}`;

/** A new binding for the sign-in named by `key`: the value's hash (for its state) and the cookie to set. */
export function newBinding(req: HostedRequest, prefix: string, key: string, maxAgeSeconds: number): { hash: string; setCookie: string } {
  const value = randomBytes(32).toString('base64url');
  return { hash: hashToken(value), setCookie: cookie(req, bindingName(prefix, key), value, maxAgeSeconds) };
}

/** The binding cookie of the sign-in named by `key`, as this request carries it (undefined when absent). */
export const bindingOf = (req: HostedRequest, prefix: string, key: string): string | undefined => req.cookies[bindingName(prefix, key)] || undefined;

/** True when the request carries the sign-in's cookie and it is the one its state names. */
export function bindingMatches(req: HostedRequest, prefix: string, key: string, hash: string): boolean {
  const v = bindingOf(req, prefix, key);
  return v !== undefined && hashToken(v) === hash;
}

/** The Set-Cookie that ends this sign-in's binding (and no other sign-in's). */
export const clearBinding = (req: HostedRequest, prefix: string, key: string) => clearCookie(req, bindingName(prefix, key));
