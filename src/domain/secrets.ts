/**
 * Secrets at rest. The pools' private signing keys and the users' SRP verifiers are stored
 * encrypted with AES-256-GCM under a master key that lives outside the database: the
 * INCOGNITO_MASTER_KEY environment variable, a file named by --master-key-file, or by default
 * `<data-dir>/master.key` (created on first start, mode 0600).
 *
 * Every sealed value is bound to what it is (the `context`, e.g. `srp:<pool>:<user>`) as AES-GCM
 * additional data, so a value copied onto another row does not open. The database holds a check
 * value sealed with the master key, so a node started with the wrong key refuses to start instead
 * of failing later on every sign-in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import { StartupError } from '../startup-error.js';

const VERSION = 'v1';

export class Secrets {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
  }

  seal(plain: Buffer | string, context: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(context));
    const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
    return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Throws when the value was not sealed with this key for this context. */
  open(sealed: string, context: string): Buffer {
    const [v, ivText, bodyText] = sealed.split('.');
    if (v !== VERSION || !ivText || !bodyText) throw new Error('not a sealed value');
    const body = Buffer.from(bodyText, 'base64url');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(ivText, 'base64url'));
    d.setAAD(Buffer.from(context));
    d.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
  }

  /** A keyed hash for values that must be stable but unguessable (simulated users, lookups). */
  mac(purpose: string, value: string): Buffer {
    return createHmac('sha256', this.key).update(purpose).update('\0').update(value).digest();
  }
}

export class MasterKeyError extends StartupError {}

/** The master key from the configuration, or the key file (created when it does not exist yet). */
export function loadMasterKey(config: Pick<Config, 'masterKey' | 'masterKeyFile' | 'dataDir'>): Buffer {
  if (config.masterKey !== undefined) return Buffer.from(config.masterKey, 'base64');
  const file = path.resolve(config.masterKeyFile ?? path.join(config.dataDir, 'master.key'));
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    if (config.masterKeyFile !== undefined) throw new MasterKeyError(`the master key file ${file} does not exist`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      // 'wx': two processes starting at once do not overwrite each other's key.
      fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (w) {
      if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw w;
    }
    text = fs.readFileSync(file, 'utf8');
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new MasterKeyError(`the master key file ${file} must hold base64 of 32 bytes`);
  return key;
}

const CHECK_CONTEXT = 'master-key-check';
const CHECK_TEXT = 'incognito master key';

/**
 * Records a check value on first start; on later starts, refuses a key that does not open it
 * (another key than the one the database's secrets were sealed with).
 */
export async function checkMasterKey(store: Store, secrets: Secrets, opts: { readOnly?: boolean } = {}): Promise<void> {
  // A read-only store (incognito export beside a running server) is checked, never written.
  if (!opts.readOnly) await store.meta.putIfAbsent('master_key_check', secrets.seal(CHECK_TEXT, CHECK_CONTEXT));
  const stored = await store.meta.get('master_key_check');
  try {
    if (stored !== undefined && secrets.open(stored, CHECK_CONTEXT).toString() === CHECK_TEXT) return;
  } catch {
    // falls through
  }
  throw new MasterKeyError(
    'the master key does not match the one this database was set up with (set INCOGNITO_MASTER_KEY or --master-key-file to the original key; every node sharing a database needs the same key)',
  );
}
