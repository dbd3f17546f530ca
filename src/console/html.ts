/**
 * The web console's HTML: a tagged template that escapes every value it is given (user attributes,
 * names, message bodies are attacker-controlled: they reach the page as text, never as markup),
 * the page layout and its style. Like the hosted pages (src/oauth/pages.ts, whose esc() this uses):
 * server-rendered, no scripts, no external assets.
 */
import { esc } from '../oauth/pages.js';

/** Markup that is already safe: made by html`` (its values escaped) or from constants. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(v: Part): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false || v === true) return '';
  return esc(String(v));
}

/** A template whose values are escaped unless they are Html themselves; arrays are joined. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** The console's base path. */
export const BASE = '/_incognito/console';

/**
 * A path segment for a value: `.` and `..` (a user or group may be named so) would be taken away by
 * the browser as dot segments, even percent-encoded (%2E is a dot to the URL parser), so a value
 * that is a dot segment or starts with `~` gets a `~` in front; segmentValue() takes it off.
 */
export function segmentOf(value: string): string {
  return encodeURIComponent(value === '.' || value === '..' || value.startsWith('~') ? `~${value}` : value);
}

/** The value of a decoded path segment (segmentOf's inverse). */
export function segmentValue(decoded: string): string {
  return decoded.startsWith('~') ? decoded.slice(1) : decoded;
}

/** A console URL from path segments (each encoded) and an optional query. */
export function href(segments: readonly string[], query?: Record<string, string | undefined>): string {
  const path = [BASE, ...segments.map(segmentOf)].join('/');
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, v);
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A date (epoch milliseconds) as UTC, to the second. */
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f4f7;color:#16191f}
header{background:#232f3e;color:#fff;padding:.6rem 1.5rem;display:flex;align-items:center;gap:1.5rem;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.05rem}
header .who{margin-left:auto;font-size:.85rem;color:#d1d5db}
nav.crumbs{font-size:.9rem;color:#414d5c;margin:0 0 .4rem}nav.crumbs a{color:#0458a5}
main{max-width:76rem;margin:1.5rem auto;padding:0 1.5rem}
h1{font-size:1.5rem;margin:0 0 1rem;word-break:break-word}h2{font-size:1.15rem;margin:0 0 .8rem}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1.1rem 1.3rem;margin:0 0 1.2rem}
.tabs{display:flex;gap:.3rem;flex-wrap:wrap;margin:0 0 1.2rem;border-bottom:2px solid #d1d5db}
.tabs a{padding:.45rem .9rem;text-decoration:none;color:#414d5c;font-weight:600;border-bottom:3px solid transparent;margin-bottom:-2px}
.tabs a.on{color:#0972d3;border-bottom-color:#0972d3}
table{width:100%;border-collapse:collapse;font-size:.92rem}
.table-wrap{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
main,section{min-width:0}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e9ebed;vertical-align:top;overflow-wrap:break-word}
th{background:#f8f9fa;color:#414d5c;font-weight:600;white-space:nowrap}
tr:last-child td{border-bottom:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
dl.props{display:grid;grid-template-columns:minmax(10rem,max-content) 1fr;gap:.35rem 1.2rem;margin:0}
dl.props dt{font-weight:600;color:#414d5c}dl.props dd{margin:0;word-break:break-word}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em}
.code{font:700 1.05rem ui-monospace,monospace;background:#f2f8fd;border:1px solid #b6d4f2;border-radius:4px;padding:.05rem .4rem}
pre{background:#f8f9fa;border:1px solid #e9ebed;border-radius:4px;padding:.7rem;overflow:auto;font-size:.82rem;max-height:28rem;margin:.5rem 0 0}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.78rem;font-weight:600;background:#e9ebed;color:#16191f;white-space:nowrap}
.badge.ok{background:#e6f4ea;color:#0b6b2e}.badge.warn{background:#fff4e5;color:#8a4b00}.badge.bad{background:#fde7e7;color:#8f0e0e}.badge.info{background:#e8f1fb;color:#033160}
.alert{padding:.7rem .9rem;border-radius:4px;background:#fff1f0;border:1px solid #d91515;color:#8f0e0e;margin:0 0 1rem}
.note{padding:.7rem .9rem;border-radius:4px;background:#f2f8fd;border:1px solid #0972d3;margin:0 0 1rem}
.muted{color:#5f6b7a}.small{font-size:.85rem}
form.inline{display:inline}
.row{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:flex-end}
.row label{display:flex;flex-direction:column;font-weight:600;font-size:.85rem;color:#414d5c;gap:.2rem}
.row label.check{flex-direction:row;align-items:center;gap:.35rem;font-weight:500;color:#16191f;padding-bottom:.45rem}
input[type=text],input[type=password],input[type=email],input[type=tel],select{padding:.42rem .5rem;border:1px solid #8d99a8;border-radius:4px;font:inherit;font-weight:400;min-width:12rem;height:2.3rem;background:#fff}
textarea{padding:.42rem .5rem;border:1px solid #8d99a8;border-radius:4px;font:inherit;font-weight:400;width:100%;resize:vertical}
.row label.wide{flex:1 1 100%}
input:focus,select:focus,textarea:focus,button:focus{outline:2px solid #0972d3;outline-offset:1px}
button{padding:.45rem .95rem;border:1px solid #0972d3;border-radius:4px;background:#0972d3;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#0972d3}button.danger{background:#d91515;border-color:#d91515}
button.link{background:none;border:0;color:#0458a5;padding:0;font-weight:500;text-decoration:underline}
.actions{display:flex;flex-wrap:wrap;gap:1.2rem}.actions>div{flex:1 1 20rem}
.pager{display:flex;gap:1rem;margin-top:.8rem}form.row{margin-bottom:1rem}
a{color:#0458a5}
.bar{height:.55rem;background:#e9ebed;border-radius:999px;overflow:hidden;min-width:8rem}.bar span{display:block;height:100%;background:#0972d3}
input,select,textarea{max-width:100%}
@media (max-width:40rem){main{padding:0 .75rem;margin-top:1rem}section{padding:.9rem .8rem}header{padding:.6rem .9rem;gap:.4rem 1rem}header .who{margin-left:0}dl.props{grid-template-columns:1fr;gap:.1rem}dl.props dd{margin-bottom:.4rem}.tabs a{padding:.4rem .6rem}}
footer{text-align:center;font-size:.8rem;color:#5f6b7a;margin:1rem 0 2rem}
`;

export interface Crumb {
  text: string;
  href?: string;
}

export interface Flash {
  kind: 'error' | 'info';
  text: string;
}

export function flash(m: Flash | undefined): Html {
  if (!m) return html``;
  return m.kind === 'error' ? html`<p class="alert" role="alert" id="message">${m.text}</p>` : html`<p class="note" role="status" id="message">${m.text}</p>`;
}

/** A whole page: the top bar, the breadcrumbs, the title, the message, the content. */
export function layout(p: { title: string; crumbs?: Crumb[]; message?: Flash; who?: string; content: Part; refreshSeconds?: number }): string {
  const crumbs = p.crumbs?.length
    ? html`<nav class="crumbs" aria-label="Breadcrumb">${p.crumbs.map((c, i) => html`${i ? ' / ' : ''}${c.href ? html`<a href="${c.href}">${c.text}</a>` : c.text}`)}</nav>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${p.refreshSeconds ? html`<meta http-equiv="refresh" content="${p.refreshSeconds}">
` : ''}<title>${p.title} · incognito console</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<header><a class="brand" href="${BASE}">incognito console</a><a href="${BASE}">User pools</a>${p.who ? html`<span class="who">signed in with key ${p.who}</span>` : ''}</header>
<main>
${crumbs}
<h1>${p.title}</h1>
${flash(p.message)}
${p.content}
</main>
<footer>incognito · a Cognito-compatible identity provider</footer>
</body>
</html>`.value;
}

/** A table: header cells and rows of cells (Html or text); `empty` when there are no rows. */
export function table(headers: Part[], rows: Part[][], empty = 'None.', opts: { id?: string; numeric?: number[] } = {}): Html {
  if (!rows.length) return html`<p class="muted"${opts.id ? html` id="${opts.id}"` : ''}>${empty}</p>`;
  const num = new Set(opts.numeric ?? []);
  // In a wrapper that scrolls sideways: a wide table stays inside its card (and the page never scrolls sideways).
  return html`<div class="table-wrap"><table${opts.id ? html` id="${opts.id}"` : ''}><thead><tr>${headers.map((h, i) => html`<th${num.has(i) ? html` class="num"` : ''}>${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c, i) => html`<td${num.has(i) ? html` class="num"` : ''}>${c}</td>`)}</tr>\n`)}</tbody></table></div>`;
}

/** A definition list of [label, value] pairs (pairs whose value is undefined are left out). */
export function props(pairs: [string, Part][]): Html {
  return html`<dl class="props">${pairs.filter(([, v]) => v !== undefined).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

/** A POST form to `action` carrying the CSRF token. */
export function form(action: string, csrf: string, content: Part, attrs: { cls?: string; id?: string } = {}): Html {
  return html`<form method="post" action="${action}"${attrs.cls ? html` class="${attrs.cls}"` : ''}${attrs.id ? html` id="${attrs.id}"` : ''}><input type="hidden" name="_csrf" value="${csrf}">${content}</form>`;
}

export function badge(text: string, kind: '' | 'ok' | 'warn' | 'bad' | 'info' = ''): Html {
  return html`<span class="badge${kind ? ` ${kind}` : ''}">${text}</span>`;
}

/** A user status as a badge. */
export function statusBadge(status: string): Html {
  const kind = status === 'CONFIRMED' ? 'ok' : status === 'UNCONFIRMED' || status === 'FORCE_CHANGE_PASSWORD' || status === 'RESET_REQUIRED' ? 'warn' : 'info';
  return badge(status, kind);
}

export function enabledBadge(enabled: boolean): Html {
  return enabled ? badge('Enabled', 'ok') : badge('Disabled', 'bad');
}

/** JSON, pretty-printed, in a collapsible block. */
export function jsonBlock(summary: string, value: unknown, open = false): Html {
  return html`<details${open ? html` open` : ''}><summary>${summary}</summary><pre>${JSON.stringify(value, null, 2)}</pre></details>`;
}
