/**
 * A small HTTP "browser" for the hosted pages in API-level tests: a cookie jar, manual redirects,
 * and form submission (the hidden fields of the page's form, plus the fields given). The real
 * browser tests (tests/browser.test.ts, tests/spa.test.ts) drive the same pages in Chromium and
 * share the helpers at the end of this file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { adminFetch, backends, type Backend } from './harness.js';

export interface PageResult {
  status: number;
  location: string | null;
  html: string;
  headers: Headers;
}

export class FormClient {
  readonly jar = new Map<string, string>();

  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async request(pathOrUrl: string, init: RequestInit = {}): Promise<PageResult> {
    const url = new URL(pathOrUrl, this.base);
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader() } });
    this.keep(res);
    return { status: res.status, location: res.headers.get('location'), html: await res.text(), headers: res.headers };
  }

  get(pathOrUrl: string): Promise<PageResult> {
    return this.request(pathOrUrl);
  }

  /** Submits the page's form number `index` with its hidden fields and `fields`. */
  async submit(page: PageResult, fields: Record<string, string>, index = 0): Promise<PageResult> {
    const forms = [...page.html.matchAll(/<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = forms[index];
    assert.ok(form, `no form ${index} on the page:\n${page.html}`);
    const action = unescape(form[1]!);
    const body = new URLSearchParams();
    for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) body.set(unescape(m[1]!), unescape(m[2]!));
    for (const [k, v] of Object.entries(fields)) body.set(k, v);
    return this.request(action, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** Follows redirects on this server until a page or a redirect elsewhere. */
  async follow(r: PageResult): Promise<PageResult> {
    while ((r.status === 302 || r.status === 303) && r.location && new URL(r.location, this.base).origin === new URL(this.base).origin) r = await this.get(r.location);
    return r;
  }
}

function unescape(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

/** The text of the page's message (error or note). */
export function pageMessage(html: string): string | undefined {
  const m = /id="message">([^<]*)</.exec(html);
  return m ? unescape(m[1]!) : undefined;
}

/** The last message sent to a user, from the outbox endpoint. */
export async function lastCode(base: string, poolId: string, username: string, kind?: string): Promise<string> {
  const res = await adminFetch(`${base}/_incognito/messages?userPoolId=${encodeURIComponent(poolId)}&username=${encodeURIComponent(username)}${kind ? '' : '&limit=1'}`);
  assert.equal(res.status, 200);
  const { messages } = (await res.json()) as { messages: { code: string | null; kind: string }[] };
  // Newest first: the newest message (of that kind).
  const m = kind ? messages.find((x) => x.kind === kind) : messages[0];
  assert.ok(m?.code, `no ${kind ?? ''} code for ${username} in ${JSON.stringify(messages)}`);
  return m.code;
}

/** Debian's Chromium, which .ci/run installs; without it (and not in CI) the browser tests skip. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests skip (false: they run); in CI a missing Chromium fails the run instead. */
export function chromiumSkip(): false | string {
  if (fs.existsSync(CHROMIUM)) return false;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package for the browser tests.`);
  return `${CHROMIUM} is not installed`;
}

/**
 * Headless Chromium as the browser tests run it: as root without a sandbox, and without the
 * background connections this machine's closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A browser suite: `title` in headless Chromium (skipped as chromiumSkip says), `scenario` run as a
 * subtest once per store, with one browser for all of them.
 */
export function chromiumSuite(title: string, scenario: (t: TestContext, backend: Backend, browser: Browser) => Promise<void>): void {
  describe(title, { skip: chromiumSkip() }, () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(() => browser?.close());
    it('runs on each store', async (tc) => {
      for (const backend of await backends()) await tc.test(backend.name, (t) => scenario(t, backend, browser));
    });
  });
}

/** Where the browser tests put their screenshots. */
export const SHOTS = path.resolve('test-output', 'screenshots');

/** Takes screenshots of `page` as SHOTS/<prefix><name>.png, each named in the test's diagnostics. */
export function screenshots(page: Page, t: TestContext, prefix: string): (name: string) => Promise<void> {
  return async (name: string) => {
    const file = path.join(SHOTS, `${prefix}${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    t.diagnostic(`screenshot: ${path.relative(process.cwd(), file)}`);
  };
}

/**
 * A pool that verifies emails (plus any `poolSettings`) and a public client (no secret) for the
 * authorization-code flow of a browser app on `appUrl`, with the hosted pages as its only identity
 * provider.
 */
export async function browserAppClient(
  cognito: CognitoIdentityProviderClient,
  poolName: string,
  callbackURLs: string[],
  logoutURLs: string[],
  poolSettings: Omit<CreateUserPoolCommandInput, 'PoolName'> = {},
): Promise<{ poolId: string; clientId: string; clientSecret: string | undefined }> {
  const { UserPool } = await cognito.send(new CreateUserPoolCommand({ PoolName: poolName, AutoVerifiedAttributes: ['email'], ...poolSettings }));
  const poolId = UserPool!.Id!;
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'spa',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: callbackURLs,
      LogoutURLs: logoutURLs,
      SupportedIdentityProviders: ['COGNITO'],
    }),
  );
  return { poolId, clientId: UserPoolClient!.ClientId!, clientSecret: UserPoolClient!.ClientSecret };
}

/**
 * A browser app's callback server on localhost: records the query of each request to /callback and
 * answers a small page ("Back in the app", or "Signed out" on any other path).
 */
export async function callbackServer(): Promise<{ url: string; hits: URLSearchParams[]; close(): Promise<void> }> {
  const hits: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    if (u.pathname === '/callback') hits.push(u.searchParams);
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>${u.pathname}</title><h1>${u.pathname === '/callback' ? 'Back in the app' : 'Signed out'}</h1>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A browser script (IIFE) of `entry`, a module that imports packages of this repository (Amplify
 * has no browser bundle of its own): what the browser tests serve to their pages.
 */
export async function bundleForBrowser(entry: string): Promise<string> {
  const bundle = await build({
    stdin: { contents: entry, resolveDir: fileURLToPath(new URL('../..', import.meta.url)), loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
  });
  return bundle.outputFiles[0]!.text;
}
