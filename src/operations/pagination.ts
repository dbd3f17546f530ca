/** Opaque pagination tokens: the last key of the previous page, base64url-encoded with a kind tag. */
import { errors } from '../protocol/errors.js';

export function encodeToken(kind: string, lastKey: string): string {
  return Buffer.from(`${kind}:${lastKey}`, 'utf8').toString('base64url');
}

export function decodeToken(kind: string, token: string | undefined, member = 'NextToken'): string | undefined {
  if (token === undefined) return undefined;
  const text = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (!text.startsWith(kind + ':') || text.includes('\0')) throw errors.invalidParameter(`The ${member} is not valid: pass the token a previous response returned.`);
  return text.slice(kind.length + 1);
}

/** Fetches one row more than asked, to know whether there is a next page. */
export async function page<T>(
  kind: string,
  limit: number,
  fetch: (limitPlusOne: number) => Promise<T[]>,
  keyOf: (item: T) => string,
): Promise<{ items: T[]; next: string | undefined }> {
  const rows = await fetch(limit + 1);
  const items = rows.slice(0, limit);
  const next = rows.length > limit ? encodeToken(kind, keyOf(items[items.length - 1]!)) : undefined;
  return { items, next };
}
