/**
 * The hosted pages' HTML: sign-in, new password, forgot password, reset, sign-up, confirmation and
 * error pages. Plain server-rendered forms: no scripts, no external assets (they work offline),
 * labelled fields with autocomplete hints, errors announced with role="alert". Every value that
 * reaches the HTML goes through esc().
 */

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f4f7;color:#16191f}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin:0 0 1rem;text-wrap:balance}label{display:block;font-weight:600;margin:.9rem 0 .3rem}
input{width:100%;padding:.6rem;border:1px solid #8d99a8;border-radius:4px;font:inherit}input:focus{outline:2px solid #0972d3;outline-offset:1px}
button{width:100%;margin-top:1.4rem;padding:.7rem;border:0;border-radius:4px;background:#0972d3;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:focus{outline:2px solid #033160;outline-offset:2px}.alert{padding:.7rem;border-radius:4px;background:#fff1f0;border:1px solid #d91515;color:#8f0e0e}
.note{padding:.7rem;border-radius:4px;background:#f2f8fd;border:1px solid #0972d3}nav{margin-top:1.2rem;display:flex;justify-content:space-between;flex-wrap:wrap;gap:.5rem}
a{color:#0458a5}.hint{font-size:.85rem;color:#414d5c;margin:-.1rem 0 .4rem}
.qr{display:block;max-width:100%;height:auto;margin:0 auto}.secret{font:1rem/1.8 ui-monospace,monospace;text-align:center;text-wrap:balance;background:#f2f4f7;padding:.4rem .3rem;border-radius:4px}.secret span{display:inline-block;margin:0 .22em}
.choices button{margin-top:.8rem}.providers{margin:0 0 1.2rem}.providers a.idp{display:block;text-align:center;padding:.6rem;border:1px solid #0458a5;border-radius:4px;margin:.5rem 0;text-decoration:none;font-weight:600}footer{text-align:center;font-size:.8rem;color:#5f6b7a;margin-top:1.5rem}
@media (max-width:28rem){main{margin:0;border-radius:0;box-shadow:none;padding:1.5rem 1.25rem}}
`;

export function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
${content}
</main>
<footer>incognito</footer>
</body>
</html>`;
}

export interface Message {
  kind: 'error' | 'info';
  text: string;
}

function message(m: Message | undefined): string {
  if (!m) return '';
  return m.kind === 'error' ? `<p class="alert" role="alert" id="message">${esc(m.text)}</p>` : `<p class="note" role="status" id="message">${esc(m.text)}</p>`;
}

function hidden(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v!)}">`)
    .join('\n');
}

/** What a form calls a user attribute: the standard ones by their usual names, others as written. */
const ATTRIBUTE_LABELS: Record<string, string> = {
  address: 'Address',
  birthdate: 'Date of birth',
  email: 'Email',
  family_name: 'Family name',
  gender: 'Gender',
  given_name: 'Given name',
  locale: 'Locale',
  middle_name: 'Middle name',
  name: 'Name',
  nickname: 'Nickname',
  phone_number: 'Phone number',
  picture: 'Picture URL',
  preferred_username: 'Preferred username',
  profile: 'Profile URL',
  updated_at: 'Updated at',
  website: 'Website',
  zoneinfo: 'Time zone',
};

export function attributeLabel(name: string): string {
  const known = ATTRIBUTE_LABELS[name];
  if (known) return known;
  const plain = name.replace(/^custom:/, '').replace(/_/g, ' ');
  return plain.charAt(0).toUpperCase() + plain.slice(1);
}

export interface Field {
  name: string;
  label: string;
  type?: 'text' | 'password' | 'email' | 'tel';
  autocomplete?: string;
  value?: string;
  required?: boolean;
  hint?: string;
  inputmode?: string;
}

/** A labelled field; its hint, if any, between the label and the input (read before typing, and announced with the input). */
function field(f: Field, autofocus: boolean): string {
  const id = `f_${f.name.replace(/[^\w-]/g, '_')}`;
  const hint = f.hint ? `\n<p class="hint" id="${id}_hint">${esc(f.hint)}</p>` : '';
  return `<label for="${id}">${esc(f.label)}</label>${hint}
<input id="${id}" name="${esc(f.name)}" type="${f.type ?? 'text'}"${f.autocomplete ? ` autocomplete="${esc(f.autocomplete)}"` : ''}${
    f.value !== undefined ? ` value="${esc(f.value)}"` : ''
  }${f.required === false ? '' : ' required'}${f.inputmode ? ` inputmode="${esc(f.inputmode)}"` : ''}${f.hint ? ` aria-describedby="${id}_hint"` : ''}${autofocus ? ' autofocus' : ''}>`;
}

export interface FormPage {
  title: string;
  /** Where the form posts (path and query). */
  action: string;
  csrf: string;
  fields: Field[];
  hidden?: Record<string, string | undefined>;
  submit: string;
  message?: Message;
  /** Links under the form: [text, href]. */
  links?: [string, string][];
  /** Markup before the form, built by the pages themselves (never user input): e.g. the TOTP QR code. */
  intro?: string;
  /** Instead of the one submit button, a button per choice, each sending `name=value`. */
  choices?: { name: string; options: [value: string, label: string][] };
}

export function formPage(p: FormPage): string {
  const links = p.links?.length ? `<nav>${p.links.map(([t, h]) => `<a href="${esc(h)}">${esc(t)}</a>`).join('')}</nav>` : '';
  const buttons = p.choices
    ? `<div class="choices">${p.choices.options.map(([value, label]) => `<button type="submit" name="${esc(p.choices!.name)}" value="${esc(value)}">${esc(label)}</button>`).join('\n')}</div>`
    : `<button type="submit">${esc(p.submit)}</button>`;
  // The keyboard starts where the user types next: the first empty field (the password, when the username is kept).
  const first = Math.max(0, p.fields.findIndex((f) => !f.value));
  return layout(
    p.title,
    `${message(p.message)}${p.intro ?? ''}
<form method="post" action="${esc(p.action)}" novalidate>
${hidden({ _csrf: p.csrf, ...p.hidden })}
${p.fields.map((f, i) => field(f, i === first)).join('\n')}
${buttons}
</form>
${links}`,
  );
}

export function errorPage(title: string, text: string): string {
  return layout(title, `<p class="alert" role="alert" id="message">${esc(text)}</p>`);
}

export function infoPage(title: string, text: string, link?: [string, string]): string {
  return layout(title, `<p class="note" role="status" id="message">${esc(text)}</p>${link ? `<nav><a href="${esc(link[1])}">${esc(link[0])}</a></nav>` : ''}`);
}
