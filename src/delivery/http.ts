/**
 * GET /_incognito/messages?userPoolId=<id>[&username=<u>][&limit=<1..100>]: the outbox over HTTP,
 * newest first, so tests and developers can read the codes incognito "sent". `username` is what
 * the user types, as the API operations take it: the username, an alias or username attribute
 * (the email in a pool where it is the username), or the sub.
 */
import { findUser } from '../domain/users.js';
import type { Store } from '../store/types.js';

export const MESSAGES_PATH = '/_incognito/messages';

export interface MessagesResponse {
  status: number;
  body: string;
}

const bad = (error: string): MessagesResponse => ({ status: 400, body: JSON.stringify({ error }) });

/** Answers a GET of MESSAGES_PATH; `rawUrl` is the request target (path and query). */
export async function listMessages(store: Store, rawUrl: string): Promise<MessagesResponse> {
  let query: URLSearchParams;
  try {
    query = new URL(rawUrl, 'http://localhost').searchParams;
  } catch {
    return bad('The query string could not be parsed.');
  }
  const poolId = query.get('userPoolId');
  if (!poolId) return bad('userPoolId is required.');
  const username = query.get('username');
  if (username === '') return bad('username must not be empty (leave it out to list every user).');
  // PostgreSQL text cannot hold NUL: refused alike on both stores (as the API refuses it).
  if (poolId.includes('\0') || username?.includes('\0')) return bad('userPoolId and username must not contain NUL characters.');
  const rawLimit = query.get('limit');
  let limit = 20;
  if (rawLimit !== null) {
    limit = /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= 100)) return bad('limit must be a whole number from 1 to 100.');
  }
  const rows = await store.messages.list(poolId, { limit, ...(username !== null ? { username: await outboxName(store, poolId, username) } : {}) });
  const messages = rows.map((m) => ({
    id: m.id,
    userPoolId: m.poolId,
    username: m.username,
    medium: m.medium,
    destination: m.destination,
    kind: m.kind,
    subject: m.subject,
    body: m.body,
    code: m.code,
    createdAt: new Date(m.createdAt).toISOString(),
  }));
  return { status: 200, body: JSON.stringify({ messages }) };
}

/**
 * The username the outbox records a name's messages under: the user's own username when the name
 * finds a user (as AdminGetUser would), else the name as given (a deleted user's messages stay).
 */
export async function outboxName(store: Store, poolId: string, name: string): Promise<string> {
  const pool = await store.pools.get(poolId);
  const user = pool ? await findUser(store, pool, name) : undefined;
  return user?.username ?? name;
}
