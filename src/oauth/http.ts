/**
 * What the hosted endpoints share: the request as they see it (query, form body, cookies), the
 * response they return (a page, a redirect, JSON), cookies, and the per-request context the
 * sign-in code (operations/auth/flows.ts) expects.
 */
import { randomUUID } from 'node:crypto';
import type { Services } from '../protocol/dispatch.js';
import type { Caller } from '../domain/auth-events.js';
import type { Ctx } from '../operations/context.js';

export interface HostedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The query string as it came (signatures of the SAML redirect binding are over its own encoding). */
  rawQuery?: string;
  /** The form body of a POST (application/x-www-form-urlencoded), else empty. */
  form: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  cookies: Record<string, string>;
  /** True when the request came over TLS (cookies are then marked Secure). */
  secure: boolean;
  /** The pool of the user pool domain the request came to (by its Host), if it came to one. */
  domainPoolId: string | undefined;
}

/** A request to a pool's domain must name a client of that pool. */
export function offDomain(req: HostedRequest, poolId: string): boolean {
  return req.domainPoolId !== undefined && req.domainPoolId !== poolId;
}

export interface HostedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** Pages: no external assets, nothing framed, no scripts. */
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

export function page(status: number, body: string, cookies: string[] = []): HostedResponse {
  return { status, headers: { ...PAGE_HEADERS, ...(cookies.length ? { 'Set-Cookie': cookies } : {}) }, body };
}

export function redirect(location: string, cookies: string[] = []): HostedResponse {
  return { status: 302, headers: { Location: location, 'Cache-Control': 'no-store', ...(cookies.length ? { 'Set-Cookie': cookies } : {}) }, body: '' };
}

export function json(status: number, body: object, headers: Record<string, string> = {}): HostedResponse {
  return { status, headers: { 'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-store', Pragma: 'no-cache', ...headers }, body: JSON.stringify(body) };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    try {
      out[name] ??= decodeURIComponent(raw);
    } catch {
      // A cookie that is not ours (or not encoded) is ignored.
    }
  }
  return out;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax (the redirect back from a callback keeps it), Path=/. */
export function cookie(req: HostedRequest, name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${req.secure ? '; Secure' : ''}`;
}

export function clearCookie(req: HostedRequest, name: string): string {
  return cookie(req, name, '', 0);
}

/** The single value of a parameter: undefined when absent, `null` when it is given more than once. */
export function single(params: URLSearchParams, name: string): string | undefined | null {
  const all = params.getAll(name);
  if (all.length > 1) return null;
  return all[0];
}

/** The context the sign-in code runs with, for one hosted request. */
export function hostedCtx(s: Services, region: string, caller?: Caller): Ctx {
  return { ...s, region, requestId: randomUUID(), now: s.clock(), ...(caller ? { caller } : {}) };
}

/** A URL with parameters added to its query (`?`) or, for implicit-flow tokens, its fragment (`#`). */
export function withParams(base: string, params: Record<string, string | undefined>, where: 'query' | 'fragment' = 'query'): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) p.set(k, v);
  if (where === 'fragment') return `${base.split('#')[0]}#${p.toString()}`;
  const url = new URL(base);
  for (const [k, v] of p) url.searchParams.set(k, v);
  return url.toString();
}
