/**
 * A SAML identity provider's metadata, as the sign-in uses it (its entityID, single sign-on and
 * logout URLs, signing certificates), read from the stored MetadataFile or fetched from the
 * MetadataURL and kept, per process, not fetched at each sign-in:
 *
 *   lifetime     the metadata's own cacheDuration (xs:duration) or validUntil (xs:dateTime) on its
 *                root element, the sooner of them, at most 24 hours; else 6 hours.
 *   refreshed    when the lifetime is over; when the provider changes (UpdateIdentityProvider drops
 *                it here, and the cache key holds the provider's LastModifiedDate for other nodes); and once when a signature does not
 *                verify with the kept certificates (`refresh`), since the IdP may have rolled its
 *                keys over. A forced refresh is made at most once a minute per provider, so that
 *                bad signatures cannot make the server fetch at each request.
 *   on failure   a fetch that fails when a (stale) copy is kept uses the copy (a logged warning):
 *                an IdP's metadata URL that is down for a while does not stop its users' sign-ins.
 * Concurrent sign-ins share one fetch. Times are the server's clock (ctx.now).
 */
import { DOMParser } from '@xmldom/xmldom';
import { log } from '../log.js';
import type { Ctx } from '../operations/context.js';
import type { IdentityProviderRecord } from '../store/types.js';

export interface IdpMetadata {
  entityId?: string;
  sso?: string;
  slo?: string;
  certs: string[];
}

const DEFAULT_MS = 6 * 3_600_000;
const MAX_MS = 24 * 3_600_000;
const FORCED_EVERY_MS = 60_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  /** The fetch under way or done. */
  value: Promise<{ md: IdpMetadata; until: number; fetchedAt: number }>;
  /** Until when it may be used, once fetched (undefined while the fetch is under way). */
  until?: number;
}

const cache = new Map<string, Entry>();
/** When a provider's metadata was last refreshed because a signature failed (by pool, name and URL). */
const forced = new Map<string, number>();

const keyOf = (p: IdentityProviderRecord) => `${p.poolId}\u0000${p.name}\u0000${p.updatedAt}\u0000${p.details.MetadataURL ?? ''}`;

/** What the sign-in needs of the IdP's metadata: its entityID, single sign-on URL and signing certificates. */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined } }).parseFromString(xml, 'text/xml');
  const md = 'urn:oasis:names:tc:SAML:2.0:metadata';
  const ds = 'http://www.w3.org/2000/09/xmldsig#';
  const entity = doc.getElementsByTagNameNS(md, 'EntityDescriptor')[0];
  const idp = doc.getElementsByTagNameNS(md, 'IDPSSODescriptor')[0];
  if (!idp) throw new Error('the metadata has no IDPSSODescriptor');
  const redirectLocation = (name: string) => {
    let found: string | undefined;
    const services = idp.getElementsByTagNameNS(md, name);
    for (let i = 0; i < services.length; i++) {
      const s = services[i]!;
      if (s.getAttribute('Binding') === 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect') found = s.getAttribute('Location') ?? undefined;
    }
    return found;
  };
  const certs: string[] = [];
  const keys = idp.getElementsByTagNameNS(md, 'KeyDescriptor');
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k.getAttribute('use') === 'encryption') continue;
    const c = k.getElementsByTagNameNS(ds, 'X509Certificate');
    for (let j = 0; j < c.length; j++) certs.push((c[j]!.textContent ?? '').replace(/\s+/g, ''));
  }
  return { entityId: entity?.getAttribute('entityID') ?? undefined, sso: redirectLocation('SingleSignOnService'), slo: redirectLocation('SingleLogoutService'), certs: certs.filter(Boolean) };
}

/**
 * An xs:duration (PnYnMnDTnHnMnS) in milliseconds, months as 30 days and years as 365; undefined
 * when it is not one (or negative).
 */
export function durationMs(v: string): number | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(v.trim());
  if (!m || v.trim() === 'P' || v.trim().endsWith('T')) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const n = (x: string | undefined) => (x ? Number(x) : 0);
  return ((((n(y) * 365 + n(mo) * 30 + n(d)) * 24 + n(h)) * 60 + n(mi)) * 60 + n(s)) * 1000;
}

/**
 * Until when metadata fetched at `now` may be kept: the soonest of its cacheDuration / validUntil
 * (on the root element, and on the EntityDescriptor when the root is an EntitiesDescriptor), else
 * 6 hours; at most 24.
 */
export function keepUntil(xml: string, now: number): number {
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined } }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  const entity = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:metadata', 'EntityDescriptor')[0];
  let until: number | undefined;
  for (const el of entity && entity !== root ? [root, entity] : [root]) {
    const cacheDuration = el?.getAttribute('cacheDuration');
    const ms = cacheDuration ? durationMs(cacheDuration) : undefined;
    if (ms !== undefined) until = Math.min(until ?? now + ms, now + ms);
    const validUntil = el?.getAttribute('validUntil');
    const t = validUntil ? Date.parse(validUntil) : NaN;
    if (!Number.isNaN(t)) until = Math.min(until ?? t, t);
  }
  return Math.max(now, Math.min(until ?? now + DEFAULT_MS, now + MAX_MS));
}

async function download(url: string): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`the metadata URL answered ${r.status}`);
  return r.text();
}

/**
 * The provider's metadata: the MetadataFile, or the MetadataURL's as kept (fetched when absent or
 * expired). `fresh`: whether it was fetched for this call (a signature failure then means the
 * certificates are really wrong, not old).
 */
export async function idpMetadata(ctx: Ctx, p: IdentityProviderRecord, opts: { force?: boolean } = {}): Promise<{ md: IdpMetadata; fresh: boolean }> {
  const d = p.details;
  if (d.MetadataFile) return { md: parseIdpMetadata(d.MetadataFile), fresh: true };
  const url = d.MetadataURL!;
  const key = keyOf(p);
  const kept = cache.get(key);
  // Decided before any await, so that sign-ins at the same moment share one fetch.
  if (kept && !opts.force && (kept.until === undefined || kept.until > ctx.now)) {
    const v = await kept.value.catch(() => undefined);
    if (v) return { md: v.md, fresh: false };
  }
  const now = ctx.now;
  const value = download(url).then(
    (xml) => ({ md: parseIdpMetadata(xml), until: keepUntil(xml, now), fetchedAt: now }),
    async (e: unknown) => {
      const stale = kept && (await kept.value.catch(() => undefined));
      if (!stale) throw e;
      log({ level: 'warn', msg: 'SAML metadata fetch failed: the kept copy is used', userPoolId: p.poolId, provider: p.name, reason: e instanceof Error ? e.message : String(e) });
      // Tried again at the next sign-in.
      return { ...stale, until: now };
    },
  );
  const entry: Entry = { value };
  void value.then(
    (v) => {
      entry.until = v.until;
    },
    () => undefined,
  );
  if (cache.size >= MAX_ENTRIES) cache.clear();
  // Older versions of this provider (before an update) are dropped.
  for (const k of cache.keys()) if (k !== key && k.startsWith(`${p.poolId}\u0000${p.name}\u0000`)) cache.delete(k);
  cache.set(key, entry);
  value.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return { md: (await value).md, fresh: true };
}

/**
 * Drops what this process keeps of the provider's metadata (UpdateIdentityProvider,
 * DeleteIdentityProvider); other nodes see the provider's new LastModifiedDate in the cache key.
 */
export function forgetIdpMetadata(poolId: string, name: string): void {
  const prefix = `${poolId}\u0000${name}\u0000`;
  for (const k of cache.keys()) if (k.startsWith(prefix)) cache.delete(k);
  for (const k of forced.keys()) if (k.startsWith(prefix)) forced.delete(k);
}

/**
 * Runs `check` with the provider's metadata; when it throws with metadata that came from the cache,
 * the metadata is fetched again (at most once a minute per provider) and `check` runs once more with
 * it: the IdP may have rolled its signing keys over since it was kept.
 */
export async function withIdpMetadata<T>(ctx: Ctx, p: IdentityProviderRecord, check: (md: IdpMetadata) => Promise<T>): Promise<T> {
  const { md, fresh } = await idpMetadata(ctx, p);
  try {
    return await check(md);
  } catch (e) {
    const k = keyOf(p);
    const last = forced.get(k);
    if (fresh || (last !== undefined && ctx.now - last < FORCED_EVERY_MS)) throw e;
    forced.set(k, ctx.now);
    if (forced.size > MAX_ENTRIES) forced.clear();
    const again = await idpMetadata(ctx, p, { force: true });
    if (sameCerts(again.md, md)) throw e;
    return check(again.md);
  }
}

const sameCerts = (a: IdpMetadata, b: IdpMetadata) => a.certs.length === b.certs.length && a.certs.every((c, i) => c === b.certs[i]) && a.entityId === b.entityId;
