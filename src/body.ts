/**
 * Request bodies read with a size limit, for the JSON API (server.ts) and the hosted endpoints'
 * forms (oauth/router.ts). A body over the limit is refused without resetting the connection: it
 * is read to its end (and dropped) so that the client, still sending, then reads the 413 it is
 * answered; only past 64 times the limit is the connection cut.
 */
import type http from 'node:http';

export class BodyTooLarge extends Error {}

/** The body, or BodyTooLarge once it ended (or the connection closed) past `limit` bytes. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (size > limit * 64) req.destroy();
    });
    let done = false;
    req.on('end', () => {
      done = true;
      if (size > limit) reject(new BodyTooLarge());
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!done) reject(new BodyTooLarge());
    });
  });
}
