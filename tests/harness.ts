/**
 * Test harness: every integration suite runs once per storage backend. SQLite always (a fresh
 * directory per run); PostgreSQL when it answers at INCOGNITO_TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), in a schema of its own that is dropped afterwards. Under CI
 * (CI=true) an unreachable PostgreSQL is a failure, not a skip.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './sha256.js';
import { defaults, type Config } from '../src/config.js';
import { startServer, type RunningServer, type ServerOptions } from '../src/server.js';

export const PG_URL = process.env.INCOGNITO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Settings for a fresh, isolated database. */
  fresh(): Promise<{ settings: Partial<Config>; cleanup(): Promise<void> }>;
}

async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

const sqlite: Backend = {
  name: 'sqlite',
  async fresh() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-test-'));
    return { settings: { dataDir: dir }, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  },
};

const postgres: Backend = {
  name: 'postgres',
  async fresh() {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    // A data directory of its own too (the master key file, upload spool), never the repository's ./data.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-test-pg-'));
    return {
      settings: { databaseUrl: PG_URL, databaseSchema: schema, dataDir: dir },
      cleanup: async () => {
        fs.rmSync(dir, { recursive: true, force: true });
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  },
};

let cached: Backend[] | undefined;
export async function backends(): Promise<Backend[]> {
  if (cached) return cached;
  const reachable = await postgresReachable();
  if (!reachable && process.env.CI) {
    throw new Error(`PostgreSQL is not reachable at ${PG_URL}, and CI must run the PostgreSQL tests`);
  }
  if (!reachable) process.stderr.write(`# PostgreSQL not reachable at ${PG_URL}: running the SQLite suites only\n`);
  cached = reachable ? [sqlite, postgres] : [sqlite];
  return cached;
}

/**
 * The access key the harness's SDK clients sign with. Servers are started without access keys (as
 * in development, where any key works) unless INCOGNITO_TEST_CREDENTIALS=1 is set: then every test
 * server is configured with this one key, so the suites also run with signatures checked.
 */
export const TEST_KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } as const;

/** The access key each running test server's admin endpoints take (by origin): adminFetch and rawCall use it. */
const serverKeys = new Map<string, { accessKeyId: string; secretAccessKey: string }>();

/** Registers the key adminFetch / rawCall use for the server at `url` (a test that configures its own keys). */
export function useKey(url: string, key: { accessKeyId: string; secretAccessKey: string } | undefined): void {
  if (key) serverKeys.set(new URL(url).origin, key);
  else serverKeys.delete(new URL(url).origin);
}

function keyFor(url: string): { accessKeyId: string; secretAccessKey: string } | undefined {
  try {
    return serverKeys.get(new URL(url).origin);
  } catch {
    return undefined;
  }
}

/**
 * fetch for the server's own endpoints (/_incognito/messages, import logs): with HTTP Basic when the
 * server has an access key (useKey, or INCOGNITO_TEST_CREDENTIALS), plain otherwise.
 */
export function adminFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const authorization = adminAuthorization(url);
  if (!authorization) return fetch(url, init);
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', authorization);
  return fetch(url, { ...init, headers });
}

/** The HTTP Basic Authorization header of the server at `url`'s admin endpoints ('' without access keys). */
export function adminAuthorization(url: string): string {
  const key = keyFor(url);
  return key ? 'Basic ' + Buffer.from(`${key.accessKeyId}:${key.secretAccessKey}`).toString('base64') : '';
}

export interface TestServer {
  server: RunningServer;
  url: string;
  config: Config;
  /** An SDK client for the default region, no retries. */
  cognito: CognitoIdentityProviderClient;
  sdk(region?: string): CognitoIdentityProviderClient;
  close(): Promise<void>;
}

export async function startTestServer(backend: Backend, overrides: Partial<Config> = {}, options: ServerOptions = {}): Promise<TestServer> {
  const db = await backend.fresh();
  // A master key of its own, so no key file is written outside the test's directory.
  const masterKey = randomBytes(32).toString('base64');
  const withKey = process.env.INCOGNITO_TEST_CREDENTIALS === '1' && overrides.accessKeyId === undefined && overrides.credentialsFile === undefined;
  const config: Config = {
    ...defaults,
    port: 0,
    logRequests: false,
    consoleMessages: false,
    masterKey,
    ...(withKey ? TEST_KEY : {}),
    ...db.settings,
    ...overrides,
  };
  const server = await startServer(config, undefined, options);
  if (config.accessKeyId !== undefined && config.secretAccessKey !== undefined) useKey(server.url, { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey });
  const clients: CognitoIdentityProviderClient[] = [];
  const sdk = (region = 'us-east-1') => {
    const c = new CognitoIdentityProviderClient({
      region,
      endpoint: server.url,
      credentials: TEST_KEY,
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  return {
    server,
    url: server.url,
    config,
    cognito: sdk(),
    sdk,
    async close() {
      for (const c of clients) c.destroy();
      useKey(server.url, undefined);
      await server.close();
      await db.cleanup();
    },
  };
}

/** Asserts that the promise rejects with the Cognito error `name` and, if given, the exact message or a match. */
export async function expectError(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode, 400);
    return true;
  });
}

/** Signs a JSON API request with SigV4 (the header form), as the SDKs do. */
export async function signRequest(
  url: string,
  key: { accessKeyId: string; secretAccessKey: string },
  headers: Record<string, string>,
  body: string,
  options: { region?: string; date?: Date; service?: string } = {},
): Promise<Record<string, string>> {
  const u = new URL(url);
  const signer = new SignatureV4({ credentials: key, region: options.region ?? 'us-east-1', service: options.service ?? 'cognito-idp', sha256: Sha256 });
  const signed = await signer.sign(
    { method: 'POST', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: u.pathname, query: {}, headers: { ...headers, host: u.host }, body } as never,
    options.date ? { signingDate: options.date } : {},
  );
  return (signed as unknown as { headers: Record<string, string> }).headers;
}

/**
 * A raw JSON 1.1 call, for what the SDK will not send. When the server has an access key (useKey,
 * INCOGNITO_TEST_CREDENTIALS) and `headers` has no Authorization, the call is signed with it.
 */
export async function rawCall(
  url: string,
  target: string | undefined,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: any }> {
  let all: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    ...(target !== undefined ? { 'x-amz-target': target } : {}),
    ...headers,
  };
  const key = keyFor(url);
  if (key && !Object.keys(all).some((h) => h.toLowerCase() === 'authorization')) all = await signRequest(url + '/', key, all, body);
  delete all.host;
  const res = await fetch(url + '/', { method: 'POST', headers: all, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

/**
 * A clock a test moves by hand (pass `{ clock: c.now }` to startTestServer): TOTP windows, code,
 * session and temporary-password expiry and lockout are tested without sleeping.
 */
export class TestClock {
  private t: number;
  constructor(start = Date.now()) {
    this.t = start;
  }
  /** The current time, epoch milliseconds (bound: pass it as it is). */
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

/** Collects what log() writes to stdout until restore(). */
export function captureStdout(): { lines(): Record<string, unknown>[]; restore(): void } {
  const original = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: any, ...rest: any[]) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const cb = rest.find((x) => typeof x === 'function');
    if (cb) cb();
    return true;
  }) as typeof process.stdout.write;
  return {
    // (The test runner's own messages to its parent go through stdout too: take the log's JSON lines out of them.)
    lines: () => out.split('\n').flatMap((l) => (l.includes('{"time"') ? [JSON.parse(l.slice(l.indexOf('{"time"')))] : [])),
    restore: () => {
      process.stdout.write = original;
    },
  };
}
