/**
 * A small HTTP "browser" for the hosted pages in API-level tests: a cookie jar, manual redirects,
 * and form submission (the hidden fields of the page's form, plus the fields given). The real
 * browser test (tests/browser.test.ts) drives the same pages in Chromium.
 */
import assert from 'node:assert/strict';

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
    while (r.status === 302 && r.location && new URL(r.location, this.base).origin === new URL(this.base).origin) r = await this.get(r.location);
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
  const res = await fetch(`${base}/_incognito/messages?userPoolId=${encodeURIComponent(poolId)}&username=${encodeURIComponent(username)}${kind ? '' : '&limit=1'}`);
  assert.equal(res.status, 200);
  const { messages } = (await res.json()) as { messages: { code: string | null; kind: string }[] };
  // Newest first: the newest message (of that kind).
  const m = kind ? messages.find((x) => x.kind === kind) : messages[0];
  assert.ok(m?.code, `no ${kind ?? ''} code for ${username} in ${JSON.stringify(messages)}`);
  return m.code;
}
