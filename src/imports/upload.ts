/**
 * The PreSignedUrl of an import job: `PUT /_incognito/import-upload/<jobId>?expires=<epoch s>&signature=<hmac>`.
 * The signature is an HMAC (keyed by the master key) of the job id and expiry, so a URL cannot be
 * forged, changed or used after 15 minutes. The body is streamed to a file on disk (never whole
 * in memory), refused past 100 MB, then stored in the database in 1 MiB chunks so that any node can
 * run the job. AWS tooling's `x-amz-server-side-encryption: aws:kms` header is accepted (and ignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Secrets } from '../domain/secrets.js';
import type { Store } from '../store/types.js';

export const UPLOAD_PATH = '/_incognito/import-upload/';
export const UPLOAD_TTL_MS = 15 * 60_000;
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
const CHUNK = 1024 * 1024;

function signature(secrets: Secrets, jobId: string, expires: number): string {
  return secrets.mac('import-upload', `${jobId}\n${expires}`).toString('base64url');
}

/** The URL a client PUTs the CSV to, valid 15 minutes from `now`. */
export function presignedUrl(secrets: Secrets, publicUrl: string, jobId: string, now: number): string {
  const expires = Math.floor((now + UPLOAD_TTL_MS) / 1000);
  return `${publicUrl}${UPLOAD_PATH}${encodeURIComponent(jobId)}?expires=${expires}&signature=${signature(secrets, jobId, expires)}`;
}

export interface UploadResult {
  status: number;
  body: string;
}

const fail = (status: number, code: string, message: string): UploadResult => ({ status, body: JSON.stringify({ error: code, message }) });

/** Checks the URL; undefined when it is good for this job. */
function checkUrl(secrets: Secrets, url: URL, jobId: string, now: number): UploadResult | undefined {
  const expires = Number(url.searchParams.get('expires'));
  const given = Buffer.from(url.searchParams.get('signature') ?? '');
  const expected = Buffer.from(signature(secrets, jobId, expires));
  if (!Number.isInteger(expires) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail(403, 'SignatureDoesNotMatch', 'The upload URL is not valid: use the PreSignedUrl of the import job unchanged.');
  }
  if (expires * 1000 < now) return fail(403, 'AccessDenied', 'The upload URL has expired (it is valid 15 minutes): create a new import job.');
  return undefined;
}

/**
 * Streams the request body to `file` (with backpressure); false when it passed the size limit, in
 * which case the rest of the body is read and dropped so that the client gets the answer.
 */
function toFile(req: http.IncomingMessage, file: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
    let size = 0;
    let tooLarge = false;
    let settled = false;
    const settle = (ok: boolean, e?: Error) => {
      if (settled) return;
      settled = true;
      if (e) reject(e);
      else resolve(ok);
    };
    // Destroyed on purpose once the body is too large: a write still pending then fails with
    // ERR_STREAM_DESTROYED, which must not turn the 413 into an error.
    out.on('error', (e) => {
      if (!tooLarge) settle(false, e);
    });
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > MAX_UPLOAD_BYTES) {
        tooLarge = true;
        out.destroy();
        return;
      }
      if (!out.write(c)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (tooLarge) settle(false);
      else out.end(() => settle(true));
    });
    req.on('aborted', () => settle(false, new Error('the upload was interrupted')));
    req.on('error', (e) => settle(false, e));
  });
}

/** Handles `PUT /_incognito/import-upload/<jobId>?...`. */
export async function handleUpload(
  req: http.IncomingMessage,
  deps: { store: Store; secrets: Secrets; dataDir: string; now: number },
): Promise<UploadResult> {
  const url = new URL(req.url ?? '/', 'http://upload');
  const jobId = decodeURIComponent(url.pathname.slice(UPLOAD_PATH.length));
  const bad = checkUrl(deps.secrets, url, jobId, deps.now);
  if (bad) {
    req.resume();
    return bad;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_UPLOAD_BYTES) {
    req.resume();
    return fail(413, 'EntityTooLarge', `The file is ${declared} bytes; an import file can be at most ${MAX_UPLOAD_BYTES} bytes (100 MB).`);
  }
  const job = await deps.store.imports.get(jobId);
  if (!job || job.status !== 'Created') {
    req.resume();
    return fail(409, 'InvalidJobState', job ? `The import job is ${job.status}: a file can only be uploaded before the job is started.` : 'The import job does not exist.');
  }
  const dir = path.join(deps.dataDir, 'imports');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${jobId}.${randomBytes(6).toString('hex')}.part`);
  try {
    if (!(await toFile(req, file))) {
      return fail(413, 'EntityTooLarge', `An import file can be at most ${MAX_UPLOAD_BYTES} bytes (100 MB).`);
    }
    const size = fs.statSync(file).size;
    // One transaction: the job has the whole file or none of it (a second upload replaces the first).
    const stored = await deps.store.transaction(async (tx) => {
      const current = await tx.imports.get(jobId);
      if (!current || current.status !== 'Created') return false;
      await tx.imports.deleteFile(jobId);
      const fd = fs.openSync(file, 'r');
      try {
        for (let seq = 0, pos = 0; pos < size; seq++, pos += CHUNK) {
          const buf = Buffer.alloc(Math.min(CHUNK, size - pos));
          fs.readSync(fd, buf, 0, buf.length, pos);
          await tx.imports.putChunk(jobId, seq, buf);
        }
      } finally {
        fs.closeSync(fd);
      }
      return tx.imports.change(jobId, { upload_bytes: size }, { from: ['Created'] });
    });
    if (!stored) return fail(409, 'InvalidJobState', 'The import job was started or removed during the upload.');
    return { status: 200, body: '' };
  } finally {
    fs.rmSync(file, { force: true });
  }
}
