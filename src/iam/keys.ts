/**
 * The access keys that may call the admin API: INCOGNITO_ACCESS_KEY_ID + INCOGNITO_SECRET_ACCESS_KEY (one
 * key with full access) and the keys of --credentials-file (each with a name and, optionally, an IAM
 * policy). Read once at start-up; a file that cannot be read or does not hold valid keys stops the start
 * with a message naming what to fix.
 */
import fs from 'node:fs';
import type { Config } from '../config.js';
import { StartupError } from '../startup-error.js';
import { parsePolicy, PolicyError, type Policy } from './policy.js';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Shown in logs and in AccessDeniedException's `User: ...` (as arn:aws:iam::<account>:user/<name>). */
  name: string;
  /** No policy: full access. */
  policy: Policy | undefined;
}

export class KeyRing {
  private readonly byId = new Map<string, AccessKey>();
  constructor(keys: AccessKey[]) {
    for (const k of keys) this.byId.set(k.accessKeyId, k);
  }
  get(accessKeyId: string): AccessKey | undefined {
    return this.byId.get(accessKeyId);
  }
  get size(): number {
    return this.byId.size;
  }
  names(): string[] {
    return [...this.byId.values()].map((k) => k.name);
  }
}

/** The name the environment's key gets in logs and messages. */
export const ENV_KEY_NAME = 'admin';

// Access key ids travel in the Credential scope (`<id>/<date>/...`) and in HTTP Basic (`<id>:<secret>`).
const ACCESS_KEY_ID = /^[A-Za-z0-9_+=.@-]{4,128}$/;
const NAME = /^[\w+=,.@-]{1,64}$/;

export function validKeyParts(k: { accessKeyId: unknown; secretAccessKey: unknown }, where: string): void {
  if (typeof k.accessKeyId !== 'string' || !ACCESS_KEY_ID.test(k.accessKeyId)) {
    throw new StartupError(`${where}: accessKeyId must be 4 to 128 characters of letters, digits and _+=.@- (AWS's are like AKIAIOSFODNN7EXAMPLE)`);
  }
  if (typeof k.secretAccessKey !== 'string' || k.secretAccessKey.length < 8 || /\s/.test(k.secretAccessKey)) {
    throw new StartupError(`${where}: secretAccessKey must be at least 8 characters without spaces (make one with: openssl rand -base64 30)`);
  }
}

/** Parses the credentials file's text (a JSON list of keys, or {"keys": [...]}); `file` names it in messages. */
export function parseCredentialsFile(text: string, file: string): AccessKey[] {
  let doc: unknown;
  // A byte-order mark (Windows editors write one) is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new StartupError(`--credentials-file ${file} is not JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(doc) ? doc : doc !== null && typeof doc === 'object' && Array.isArray((doc as { keys?: unknown }).keys) ? (doc as { keys: unknown[] }).keys : undefined;
  if (!list) throw new StartupError(`--credentials-file ${file} must hold a JSON list of keys: [{"accessKeyId", "secretAccessKey", "name", "policy"}]`);
  // A file given and empty would leave the admin API open: never what its author meant.
  if (list.length === 0) throw new StartupError(`--credentials-file ${file} holds no keys: the admin API would be open to anyone. List at least one key, or leave the option out (development only).`);
  return list.map((entry: unknown, i: number): AccessKey => {
    const where = `--credentials-file ${file}: key ${i + 1}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new StartupError(`${where} must be an object`);
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (!['accessKeyId', 'secretAccessKey', 'name', 'policy'].includes(k)) throw new StartupError(`${where}: unknown member '${k}' (accessKeyId, secretAccessKey, name, policy)`);
    }
    validKeyParts(e as { accessKeyId: unknown; secretAccessKey: unknown }, where);
    const name = e.name === undefined ? (e.accessKeyId as string) : e.name;
    if (typeof name !== 'string' || !NAME.test(name)) throw new StartupError(`${where}: name must be 1 to 64 characters of letters, digits and _+=,.@- (as an IAM user name)`);
    let policy: Policy | undefined;
    // null is refused rather than read as "no policy" (full access): a template whose policy came
    // out empty must not grant everything.
    if (e.policy === null) throw new StartupError(`${where}: policy is null. Leave "policy" out for a key with full access, or give an IAM policy document`);
    if (e.policy !== undefined) {
      try {
        policy = parsePolicy(e.policy, `key '${name}'`);
      } catch (err) {
        if (err instanceof PolicyError) throw new StartupError(`--credentials-file ${file}: ${err.message}`);
        throw err;
      }
    }
    return { accessKeyId: e.accessKeyId as string, secretAccessKey: e.secretAccessKey as string, name, policy };
  });
}

/** The configured keys, or undefined when none is configured (development: nothing is checked). */
export function loadKeys(config: Pick<Config, 'accessKeyId' | 'secretAccessKey' | 'credentialsFile'>): KeyRing | undefined {
  const keys: AccessKey[] = [];
  if (config.accessKeyId !== undefined && config.secretAccessKey !== undefined) {
    validKeyParts(config, 'INCOGNITO_ACCESS_KEY_ID / INCOGNITO_SECRET_ACCESS_KEY');
    keys.push({ accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, name: ENV_KEY_NAME, policy: undefined });
  }
  if (config.credentialsFile !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(config.credentialsFile, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
      throw new StartupError(`cannot read --credentials-file ${config.credentialsFile}: ${why}`);
    }
    keys.push(...parseCredentialsFile(text, config.credentialsFile));
  }
  if (keys.length === 0) return undefined;
  const seenIds = new Set<string>();
  const seenNames = new Set<string>();
  for (const k of keys) {
    if (seenIds.has(k.accessKeyId)) throw new StartupError(`the access key id ${k.accessKeyId} is configured twice (each key needs an id of its own)`);
    if (seenNames.has(k.name)) throw new StartupError(`the key name '${k.name}' is used twice (logs name the key that made each call: give each its own name)`);
    seenIds.add(k.accessKeyId);
    seenNames.add(k.name);
  }
  return new KeyRing(keys);
}
