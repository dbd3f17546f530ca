/**
 * The console's pages: pools, a pool (settings, app clients, domains), an app client, users (the
 * ListUsers search), a user (attributes, status, MFA, devices, groups, its messages, the actions),
 * groups, a group's members, the outbox, import jobs and a job's log. Reads go through the store and
 * the domain's render functions; the user search through the ListUsers use-case (account/admin-users.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { filterText, listUsers, SEARCHABLE_ATTRIBUTES } from '../account/admin-users.js';
import { outboxName } from '../delivery/http.js';
import { deviceType } from '../domain/devices.js';
import { userMfaFields } from '../domain/mfa.js';
import { loadUserProfile } from '../domain/users.js';
import { renderClient } from '../operations/clients/shared.js';
import { loadGroup } from '../operations/groups/shared.js';
import { loadJob } from '../operations/imports/shared.js';
import { arnOf, loadPool, renderPool } from '../operations/pools/shared.js';
import { errors, isCognitoError } from '../protocol/errors.js';
import type { PoolRecord, UserProfile } from '../store/types.js';
import { ACTIVE_STATUSES } from '../store/repos/imports.js';
import { badge, enabledBadge, form, href, html, jsonBlock, layout, props, statusBadge, table, when, type Crumb, type Flash, type Html, type Part } from './html.js';
import type { ConsoleCall, ConsoleResponse } from './routes.js';

const ok = (body: string, status = 200): ConsoleResponse => ({ status, headers: {}, body });

/** What the `done` parameter of a redirect after an action says (a fixed set: no text comes from the URL). */
const DONE: Record<string, string> = {
  created: 'User created.',
  resent: 'Invitation sent again, with a new temporary password.',
  password: 'Password set.',
  confirmed: 'User confirmed.',
  enabled: 'User enabled.',
  disabled: 'User disabled: its sign-ins are revoked.',
  deleted: 'User deleted.',
  added: 'Added to the group.',
  removed: 'Removed from the group.',
};

/**
 * The query that carries a refused action's reason to the page it redirects to: the text and a MAC
 * of it tied to the session's CSRF token (master key), so a link made elsewhere cannot put words on
 * a console page.
 */
export function errorQuery(c: ConsoleCall, text: string): Record<string, string> {
  return { error: text, sig: flashSig(c, text) };
}

function flashSig(c: ConsoleCall, text: string): string {
  return c.s.secrets.mac('console-flash', `${c.csrf}\u0000${text}`).toString('base64url');
}

export function doneMessage(c: ConsoleCall): Flash | undefined {
  const error = c.query.get('error');
  const sig = c.query.get('sig');
  if (error && sig) {
    const a = Buffer.from(flashSig(c, error));
    const b = Buffer.from(sig);
    if (a.length === b.length && timingSafeEqual(a, b)) return { kind: 'error', text: error };
  }
  const d = c.query.get('done');
  return d && Object.hasOwn(DONE, d) ? { kind: 'info', text: DONE[d]! } : undefined;
}

/** A user's name for a heading: in a pool where an email or phone is the username, that (the username is a UUID there). */
export function userTitle(pool: PoolRecord, u: UserProfile): string {
  const by = (pool.settings.UsernameAttributes ?? []) as string[];
  if (!by.length) return u.username;
  return (by.includes('email') ? u.attributes.email : undefined) ?? (by.includes('phone_number') ? u.attributes.phone_number : undefined) ?? u.username;
}

const TABS: [string, string][] = [
  ['', 'Overview'],
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['messages', 'Messages'],
  ['imports', 'Import jobs'],
];

/** The pool's tabs, `on` the current one. */
function tabs(pool: PoolRecord, on: string): Html {
  return html`<nav class="tabs" aria-label="Pool">${TABS.map(([seg, text]) => html`<a href="${href(seg ? ['pools', pool.id, seg] : ['pools', pool.id])}"${seg === on ? html` class="on" aria-current="page"` : ''}>${text}</a>`)}</nav>`;
}

const poolsCrumb: Crumb = { text: 'User pools', href: href([]) };
const poolCrumb = (pool: PoolRecord): Crumb => ({ text: pool.name, href: href(['pools', pool.id]) });

/** A page of a pool: its breadcrumbs and tabs, then the content. */
function poolLayout(c: ConsoleCall, pool: PoolRecord, tab: string, title: string, content: Part, message?: Flash, extraCrumbs: Crumb[] = [], refreshSeconds?: number): string {
  return layout({
    title,
    ...(refreshSeconds ? { refreshSeconds } : {}),
    crumbs: [poolsCrumb, poolCrumb(pool), ...extraCrumbs],
    ...(message ? { message } : {}),
    ...(c.who ? { who: c.who } : {}),
    content: html`${tabs(pool, tab)}${content}`,
  });
}

const list = (v: unknown): string => (Array.isArray(v) && v.length ? v.join(', ') : '—');

// ---- Pools ----

export async function poolsPage(c: ConsoleCall): Promise<ConsoleResponse> {
  const after = c.query.get('after') ?? undefined;
  const all = await c.s.store.pools.listAll(after, 51);
  const more = all.length > 50 ? (all.pop(), all[all.length - 1]!.id) : undefined;
  // A key that may not list the pools sees those whose page it may open (DescribeUserPool) or whose users it may list.
  const pools = c.scoped ? all.filter((p) => c.may('cognito-idp:DescribeUserPool', p.id) || c.may('cognito-idp:ListUsers', p.id)) : all;
  if (c.scoped && !pools.length && !more && !after) {
    return ok(
      layout({
        title: 'User pools',
        ...(c.who ? { who: c.who } : {}),
        message: { kind: 'error', text: `The key ${c.who ?? ''} may not list the user pools (cognito-idp:ListUserPools), and its policy lets it open none of them (cognito-idp:DescribeUserPool or cognito-idp:ListUsers on a pool's ARN).` },
        content: html`<section id="no-pools"><p>Ask for a key whose policy allows these actions on the pools you need, or open a pool's address you were given: <code>/_incognito/console/pools/&lt;pool id&gt;</code>.</p></section>`,
      }),
      403,
    );
  }
  const rows = await Promise.all(
    pools.map(async (p) => [
      html`<a href="${href(['pools', p.id])}">${p.name}</a>`,
      html`<code>${p.id}</code>`,
      p.region,
      String(await c.s.store.users.count(p.id)),
      when(p.createdAt),
    ]),
  );
  return ok(
    layout({
      title: 'User pools',
      ...(c.who ? { who: c.who } : {}),
      content: html`<section>${c.scoped ? html`<p class="note" id="scoped">The key ${c.who ?? ''} may not list every pool (cognito-idp:ListUserPools): these are the pools its policy lets it open.</p>` : ''}${table(['Name', 'Pool id', 'Region', 'Users', 'Created'], rows, c.scoped ? 'None of the pools on this page.' : 'No user pools yet: create one with CreateUserPool (aws cognito-idp create-user-pool --pool-name NAME).', { id: 'pools', numeric: [3] })}
${more ? html`<div class="pager"><a href="${href([], { after: more })}">Next page →</a></div>` : ''}</section>`,
    }),
  );
}

export async function poolPage(c: ConsoleCall): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  const st = pool.settings as Record<string, any>;
  const [count, domains, clients, groupCount] = await Promise.all([
    c.s.store.users.count(pool.id),
    c.s.store.domains.listForPool(pool.id),
    c.s.store.clients.list(pool.id, undefined, 200),
    c.s.store.groups.count(pool.id),
  ]);
  const pp = st.Policies?.PasswordPolicy ?? {};
  const password = [
    `at least ${pp.MinimumLength ?? 8} characters`,
    ...(pp.RequireUppercase ? ['an upper-case letter'] : []),
    ...(pp.RequireLowercase ? ['a lower-case letter'] : []),
    ...(pp.RequireNumbers ? ['a number'] : []),
    ...(pp.RequireSymbols ? ['a symbol'] : []),
  ].join(', ');
  const signIn = st.UsernameAttributes?.length
    ? `${st.UsernameAttributes.join(' or ')} as the username`
    : st.AliasAttributes?.length
      ? `username, or ${st.AliasAttributes.join(' / ')}`
      : 'username';
  const overview = props([
    ['Pool id', html`<code>${pool.id}</code>`],
    ['ARN', html`<code>${arnOf(pool, c.ctx)}</code>`],
    ['Region', pool.region],
    ['Users', String(count)],
    ['Groups', String(groupCount)],
    ['Sign-in with', signIn],
    ['Usernames', st.UsernameConfiguration?.CaseSensitive === false ? 'case-insensitive' : 'case-sensitive'],
    ['Verified automatically', list(st.AutoVerifiedAttributes)],
    ['MFA', st.MfaConfiguration ?? 'OFF'],
    ['Password policy', password],
    ['Self sign-up', st.AdminCreateUserConfig?.AllowAdminCreateUserOnly ? 'off (administrators create users)' : 'on'],
    ['Deletion protection', st.DeletionProtection ?? 'INACTIVE'],
    ['Created', when(pool.createdAt)],
    ['Last modified', when(pool.updatedAt)],
  ]);
  const clientRows = clients.map((cl) => {
    const s = cl.settings as Record<string, any>;
    return [
      html`<a href="${href(['pools', pool.id, 'clients', cl.id])}">${cl.name}</a>`,
      html`<code>${cl.id}</code>`,
      cl.secret !== null ? badge('confidential (secret hidden)', 'info') : badge('public'),
      list(s.ExplicitAuthFlows),
      list(s.AllowedOAuthFlows),
      list(s.CallbackURLs),
    ];
  });
  const domainRows = domains.map((d) => [html`<code>${d.domain}</code>`, d.kind, d.managedLoginVersion === 2 ? 'managed login' : 'hosted UI (classic)', when(d.createdAt)]);
  return ok(
    poolLayout(
      c,
      pool,
      '',
      pool.name,
      html`<section><h2>Settings</h2>${overview}<p></p>${jsonBlock('The pool as DescribeUserPool describes it', renderPool(pool, c.ctx, count, domains))}</section>
<section><h2>App clients</h2>${table(['Name', 'Client id', 'Type', 'Auth flows', 'OAuth flows', 'Callback URLs'], clientRows, 'No app clients.', { id: 'clients' })}</section>
<section><h2>Domains</h2>${table(['Domain', 'Kind', 'Pages', 'Created'], domainRows, 'No domain.', { id: 'domains' })}</section>`,
    ),
  );
}

export async function clientPage(c: ConsoleCall): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  const client = await c.s.store.clients.get(c.params.client!);
  if (!client || client.poolId !== pool.id) throw errors.resourceNotFound(`User pool client ${c.params.client} does not exist.`);
  // The secret is never shown: ListUserPoolClientSecrets / DescribeUserPoolClient give it to a key allowed them.
  const { ClientSecret: _, ...described } = renderClient(client) as Record<string, unknown>;
  const s = client.settings as Record<string, any>;
  const validity = (v: unknown, unit: unknown) => (v === undefined ? '—' : `${String(v)} ${String(unit ?? '')}`.trim());
  const units = s.TokenValidityUnits ?? {};
  return ok(
    poolLayout(
      c,
      pool,
      '',
      client.name,
      html`<section><h2>App client</h2>${props([
        ['Client id', html`<code>${client.id}</code>`],
        ['Client secret', client.secret !== null ? 'set (not shown here)' : 'none (public client)'],
        ['Auth flows', list(s.ExplicitAuthFlows)],
        ['OAuth flows', list(s.AllowedOAuthFlows)],
        ['OAuth scopes', list(s.AllowedOAuthScopes)],
        ['Identity providers', list(s.SupportedIdentityProviders)],
        ['Callback URLs', list(s.CallbackURLs)],
        ['Sign-out URLs', list(s.LogoutURLs)],
        ['ID token validity', validity(s.IdTokenValidity, units.IdToken ?? 'hours')],
        ['Access token validity', validity(s.AccessTokenValidity, units.AccessToken ?? 'hours')],
        ['Refresh token validity', validity(s.RefreshTokenValidity, units.RefreshToken ?? 'days')],
        ['Prevent user existence errors', s.PreventUserExistenceErrors ?? 'LEGACY'],
        ['Token revocation', s.EnableTokenRevocation === false ? 'off' : 'on'],
        ['Created', when(client.createdAt)],
        ['Last modified', when(client.updatedAt)],
      ])}<p></p>${jsonBlock('The client as DescribeUserPoolClient describes it (without its secret)', described)}</section>`,
      undefined,
      [{ text: client.name }],
    ),
  );
}

// ---- Users ----

const ATTR_LABELS: Record<string, string> = {
  username: 'Username',
  email: 'Email',
  phone_number: 'Phone number',
  name: 'Name',
  given_name: 'Given name',
  family_name: 'Family name',
  preferred_username: 'Preferred username',
  sub: 'sub',
  'cognito:user_status': 'Confirmation status',
  status: 'Enabled / Disabled (status)',
};

/** The search form's values, and the filter they make (empty when no value is given). */
function search(c: ConsoleCall): { attr: string; op: string; value: string; filter: string | undefined } {
  const attr = SEARCHABLE_ATTRIBUTES.includes(c.query.get('attr') ?? '') ? c.query.get('attr')! : 'username';
  const op = c.query.get('op') === '=' ? '=' : '^=';
  const value = c.query.get('value') ?? '';
  return { attr, op, value, filter: value === '' ? undefined : filterText(attr, op === '^=', value) };
}

/** The users page; after a refused create, `message` says why and `values` keeps what was typed. */
export async function usersPage(c: ConsoleCall, message?: Flash, values?: URLSearchParams, status = 200): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  const q = search(c);
  const token = c.query.get('token') ?? undefined;
  let found: { Users: { Username?: string; Attributes?: { Name?: string; Value?: string }[]; UserStatus?: string; Enabled?: boolean; UserCreateDate?: number }[]; PaginationToken?: string } = { Users: [] };
  let searchError: Flash | undefined;
  try {
    found = (await listUsers({ UserPoolId: pool.id, Limit: 25, ...(q.filter ? { Filter: q.filter } : {}), ...(token ? { PaginationToken: token } : {}) }, c.ctx)) as typeof found;
  } catch (e) {
    if (!isCognitoError(e) || e.status !== 400) throw e;
    searchError = { kind: 'error', text: `${e.type}: ${e.message}` };
  }
  const rows = found.Users.map((u) => {
    const a = Object.fromEntries((u.Attributes ?? []).map((x) => [x.Name, x.Value]));
    return [
      html`<a href="${href(['pools', pool.id, 'users', u.Username!])}">${u.Username}</a>`,
      a.email ?? '',
      a.phone_number ?? '',
      statusBadge(u.UserStatus ?? ''),
      enabledBadge(u.Enabled !== false),
      when(u.UserCreateDate !== undefined ? u.UserCreateDate * 1000 : undefined),
    ];
  });
  const keep = { attr: q.attr, op: q.op, value: q.value || undefined };
  const searchForm = html`<form method="get" action="${href(['pools', pool.id, 'users'])}" class="row" id="search" role="search">
<label>Attribute<select name="attr">${SEARCHABLE_ATTRIBUTES.map((a) => html`<option value="${a}"${a === q.attr ? html` selected` : ''}>${ATTR_LABELS[a] ?? a}</option>`)}</select></label>
<label>Match<select name="op"><option value="^="${q.op === '^=' ? html` selected` : ''}>starts with (^=)</option><option value="="${q.op === '=' ? html` selected` : ''}>equals (=)</option></select></label>
<label>Value<input type="text" name="value" value="${q.value}" placeholder="e.g. CONFIRMED, Enabled, a@…"></label>
<button type="submit">Search</button>${q.filter || token ? html` <a href="${href(['pools', pool.id, 'users'])}">Clear</a>` : ''}
</form>${q.filter ? html`<p class="small muted">Filter: <code id="filter">${q.filter}</code></p>` : ''}`;
  const pager = html`<div class="pager">${token ? html`<a href="${href(['pools', pool.id, 'users'], keep)}">← First page</a>` : ''}${
    found.PaginationToken ? html`<a id="next" href="${href(['pools', pool.id, 'users'], { ...keep, token: found.PaginationToken })}">Next page →</a>` : ''
  }</div>`;
  const v = (name: string) => values?.get(name) ?? '';
  const checked = (name: string, dflt: boolean) => ((values ? values.get(name) === 'on' : dflt) ? html` checked` : '');
  // Fields for the pool's required attributes besides email and phone (AdminCreateUser refuses a user without them).
  const required = (pool.settings.SchemaAttributes ?? []).filter((a) => a.Required && a.Name && !['sub', 'email', 'phone_number'].includes(a.Name)).map((a) => a.Name!);
  const create = form(
    href(['pools', pool.id, 'users']),
    c.csrf,
    html`<div class="row">
<label>Username<input type="text" name="username" value="${v('username')}" required autocomplete="off"></label>
<label>Email<input type="email" name="email" value="${v('email')}" autocomplete="off"></label>
<label>Phone number<input type="tel" name="phone_number" value="${v('phone_number')}" placeholder="+15555550100" autocomplete="off"></label>
<label>Temporary password<input type="text" name="temporary_password" value="" placeholder="(generated when empty)" autocomplete="off"></label>
${required.map((name) => html`<label>${ATTR_LABELS[name] ?? name} (required)<input type="text" name="attr.${name}" value="${v(`attr.${name}`)}" required autocomplete="off"></label>`)}
</div><div class="row">
<label class="wide">Other attributes, one a line as name=value<textarea name="attributes" rows="3" placeholder="given_name=Ada&#10;custom:plan=pro" autocomplete="off">${v('attributes')}</textarea></label>
</div><div class="row">
<label class="check"><input type="checkbox" name="email_verified"${checked('email_verified', true)}> Email verified</label>
<label class="check"><input type="checkbox" name="phone_number_verified"${checked('phone_number_verified', false)}> Phone verified</label>
<label class="check"><input type="checkbox" name="invite_email"${checked('invite_email', true)}> Send the invitation by email</label>
<label class="check"><input type="checkbox" name="invite_sms"${checked('invite_sms', false)}> by SMS</label>
<button type="submit">Create user</button></div>
<p class="small muted">As AdminCreateUser: the user starts in FORCE_CHANGE_PASSWORD with the temporary password, which the invitation carries (see Messages). With no invitation medium ticked, none is sent (SUPPRESS).</p>`,
    { id: 'create-user' },
  );
  return ok(
    poolLayout(
      c,
      pool,
      'users',
      `Users of ${pool.name}`,
      html`<section><h2>Search</h2>${searchForm}${searchError ? html`<p class="alert" role="alert">${searchError.text}</p>` : ''}${table(['Username', 'Email', 'Phone', 'Status', 'Enabled', 'Created'], rows, q.filter ? 'No user matches.' : 'No users yet.', { id: 'users' })}${pager}</section>
${c.may('cognito-idp:AdminCreateUser', pool.id) ? html`<section><h2>Create a user</h2>${create}</section>` : ''}`,
      message ?? doneMessage(c),
    ),
    status,
  );
}

async function groupsOf(c: ConsoleCall, pool: PoolRecord, u: UserProfile) {
  return c.s.store.groups.listForUser(pool.id, u.usernameKey, undefined, 100);
}

/** A user's page; after a refused action, `message` says why (with `status`). */
export async function userPage(c: ConsoleCall, message?: Flash, status = 200): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  const u = await loadUserProfile(c.s.store, pool.id, c.params.user!);
  const [groups, allGroups, devices] = await Promise.all([
    groupsOf(c, pool, u),
    c.s.store.groups.list(pool.id, undefined, 200),
    c.s.store.devices.list(pool.id, u.usernameKey, ['remembered', 'not_remembered'], undefined, 60),
  ]);
  const showMessages = c.s.config.messagesEndpoint && c.may('incognito:ListMessages', pool.id);
  const messages = showMessages ? await c.s.store.messages.list(pool.id, { username: u.username, limit: 10 }) : [];
  const base = ['pools', pool.id, 'users', u.username];
  const mfa = userMfaFields(u.mfa);
  const summary = props([
    ['Username', u.username],
    ['sub', html`<code>${u.sub}</code>`],
    ['Status', statusBadge(u.status)],
    ['Enabled', enabledBadge(u.enabled)],
    ['MFA', mfa.UserMFASettingList?.length ? `${mfa.UserMFASettingList.join(', ')}${mfa.PreferredMfaSetting ? ` (preferred ${mfa.PreferredMfaSetting})` : ''}` : 'none'],
    ['Authenticator app', u.mfa.totp ? `verified ${when(u.mfa.totp.verifiedAt)}${u.mfa.totp.friendlyName ? ` (${u.mfa.totp.friendlyName})` : ''}` : 'none'],
    ['Created', when(u.createdAt)],
    ['Last modified', when(u.updatedAt)],
  ]);
  const attrs = [['sub', u.sub] as [string, string], ...Object.entries(u.attributes).sort(([a], [b]) => a.localeCompare(b))];
  const attrTable = table(['Attribute', 'Value'], attrs.map(([k, v]) => [html`<code>${k}</code>`, v]), 'No attributes.', { id: 'attributes' });
  const memberOf = new Set(groups.map((g) => g.name));
  // Only the forms the key may submit (its policy, for this pool); all of them without keys.
  const may = (op: string) => c.may(`cognito-idp:${op}`, pool.id);
  const groupRows = groups.map((g) => [
    html`<a href="${href(['pools', pool.id, 'groups', g.name])}">${g.name}</a>`,
    g.description ?? '',
    g.precedence === null ? '' : String(g.precedence),
    may('AdminRemoveUserFromGroup') ? form(href([...base, 'groups', 'remove']), c.csrf, html`<input type="hidden" name="group" value="${g.name}"><button type="submit" class="link">Remove</button>`, { cls: 'inline' }) : '',
  ]);
  const addable = allGroups.filter((g) => !memberOf.has(g.name));
  const addForm = !may('AdminAddUserToGroup')
    ? ''
    : addable.length
    ? form(
        href([...base, 'groups', 'add']),
        c.csrf,
        html`<div class="row"><label>Group<select name="group">${addable.map((g) => html`<option value="${g.name}">${g.name}</option>`)}</select></label><button type="submit" class="secondary">Add to group</button></div>`,
        { id: 'add-to-group' },
      )
    : html`<p class="muted small">${allGroups.length ? 'The user is in every group of the pool.' : 'The pool has no groups (CreateGroup makes one).'}</p>`;
  const deviceRows = devices.map((d) => {
    const t = deviceType(d, u);
    const name = t.DeviceAttributes.find((a) => a.Name === 'device_name')?.Value ?? '';
    return [html`<code>${d.deviceKey}</code>`, name, d.status ?? '', when(d.lastAuthenticatedAt), when(d.createdAt)];
  });
  const msgRows = messages.map((m) => [when(m.createdAt), m.kind, m.medium, m.destination, m.code ? html`<span class="code">${m.code}</span>` : '']);
  const statusForms = [
    u.status === 'UNCONFIRMED' && may('AdminConfirmSignUp') ? form(href([...base, 'confirm']), c.csrf, html`<button type="submit" class="secondary">Confirm sign-up</button>`, { cls: 'inline', id: 'confirm' }) : '',
    u.status === 'FORCE_CHANGE_PASSWORD' && may('AdminCreateUser') ? form(href([...base, 'resend']), c.csrf, html`<button type="submit" class="secondary">Resend invitation</button>`, { cls: 'inline', id: 'resend' }) : '',
    u.enabled
      ? may('AdminDisableUser') ? form(href([...base, 'disable']), c.csrf, html`<button type="submit" class="secondary">Disable</button>`, { cls: 'inline', id: 'disable' }) : ''
      : may('AdminEnableUser') ? form(href([...base, 'enable']), c.csrf, html`<button type="submit" class="secondary">Enable</button>`, { cls: 'inline', id: 'enable' }) : '',
    may('AdminDeleteUser') ? html`<a href="${href([...base, 'delete'])}" id="delete">Delete user…</a>` : '',
  ].filter((f) => f !== '');
  const passwordForm = may('AdminSetUserPassword')
    ? html`<div><h3>Set a password</h3>${form(
        href([...base, 'password']),
        c.csrf,
        html`<div class="row"><label>New password<input type="text" name="password" required autocomplete="off"></label>
<label class="check"><input type="checkbox" name="permanent" checked> Permanent (else temporary: FORCE_CHANGE_PASSWORD)</label>
<button type="submit">Set password</button></div>`,
        { id: 'set-password' },
      )}</div>`
    : '';
  const actions =
    passwordForm || statusForms.length
      ? html`<section><h2>Actions</h2><div class="actions">
${passwordForm}
${statusForms.length ? html`<div><h3>Status</h3><div class="row">
${statusForms}</div></div>` : ''}
</div></section>`
      : html`<section id="read-only"><h2>Actions</h2><p class="muted">The key ${c.who ?? ''} may not change this user (its policy allows none of the administrator's actions on this pool).</p></section>`;
  return ok(
    poolLayout(
      c,
      pool,
      'users',
      userTitle(pool, u),
      html`<section><h2>User</h2>${summary}</section>
${actions}
<section><h2>Attributes</h2>${attrTable}</section>
<section><h2>Groups</h2>${table(['Group', 'Description', 'Precedence', ''], groupRows, 'Not in any group.', { id: 'groups' })}<p></p>${addForm}</section>
<section><h2>Devices</h2>${table(['Device key', 'Name', 'Remembered', 'Last sign-in', 'Created'], deviceRows, 'No devices.', { id: 'devices' })}</section>
${showMessages ? html`<section><h2>Recent messages</h2>${table(['Sent', 'Kind', 'Medium', 'To', 'Code'], msgRows, 'No messages.', { id: 'user-messages' })}</section>` : ''}`,
      message ?? doneMessage(c),
      [{ text: 'Users', href: href(['pools', pool.id, 'users']) }, { text: userTitle(pool, u) }],
    ),
    status,
  );
}

export async function deletePage(c: ConsoleCall): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  const u = await loadUserProfile(c.s.store, pool.id, c.params.user!);
  const base = ['pools', pool.id, 'users', u.username];
  return ok(
    poolLayout(
      c,
      pool,
      'users',
      `Delete ${userTitle(pool, u)}?`,
      html`<section><p>The user <strong>${u.username}</strong> (<code>${u.sub}</code>) is deleted with its attributes, group memberships, devices and sign-ins, as AdminDeleteUser does. This cannot be undone.</p>
<div class="row">${form(href([...base, 'delete']), c.csrf, html`<button type="submit" class="danger">Delete user</button>`, { cls: 'inline', id: 'confirm-delete' })}<a href="${href(base)}">Cancel</a></div></section>`,
      undefined,
      [{ text: 'Users', href: href(['pools', pool.id, 'users']) }, { text: u.username, href: href(base) }, { text: 'Delete' }],
    ),
  );
}

// ---- Groups ----

export async function groupsPage(c: ConsoleCall): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  const after = c.query.get('after') ?? undefined;
  const groups = await c.s.store.groups.list(pool.id, after, 101);
  const more = groups.length > 100 ? (groups.pop(), groups[groups.length - 1]!.name) : undefined;
  const rows = groups.map((g) => [html`<a href="${href(['pools', pool.id, 'groups', g.name])}">${g.name}</a>`, g.description ?? '', g.precedence === null ? '' : String(g.precedence), g.roleArn ?? '', when(g.createdAt)]);
  return ok(
    poolLayout(
      c,
      pool,
      'groups',
      `Groups of ${pool.name}`,
      html`<section>${table(['Group', 'Description', 'Precedence', 'Role ARN', 'Created'], rows, 'No groups.', { id: 'group-list' })}${
        more ? html`<div class="pager"><a href="${href(['pools', pool.id, 'groups'], { after: more })}">Next page →</a></div>` : ''
      }</section>`,
    ),
  );
}

export async function groupPage(c: ConsoleCall): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  const g = await loadGroup(c.s.store, pool.id, c.params.group!);
  const after = c.query.get('after') ?? undefined;
  const members = await c.s.store.groups.listMembers(pool.id, g.name, after, 101);
  const more = members.length > 100 ? (members.pop(), members[members.length - 1]!.usernameKey) : undefined;
  const rows = members.map((u) => [html`<a href="${href(['pools', pool.id, 'users', u.username])}">${u.username}</a>`, u.attributes.email ?? '', statusBadge(u.status), enabledBadge(u.enabled)]);
  return ok(
    poolLayout(
      c,
      pool,
      'groups',
      g.name,
      html`<section>${props([
        ['Description', g.description ?? '—'],
        ['Precedence', g.precedence === null ? '—' : String(g.precedence)],
        ['Role ARN', g.roleArn ?? '—'],
        ['Created', when(g.createdAt)],
      ])}</section>
<section><h2>Members</h2>${table(['Username', 'Email', 'Status', 'Enabled'], rows, 'No members.', { id: 'members' })}${
        more ? html`<div class="pager"><a href="${href(['pools', pool.id, 'groups', g.name], { after: more })}">Next page →</a></div>` : ''
      }</section>`,
      undefined,
      [{ text: 'Groups', href: href(['pools', pool.id, 'groups']) }, { text: g.name }],
    ),
  );
}

// ---- Messages ----

export async function messagesPage(c: ConsoleCall): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  if (!c.s.config.messagesEndpoint) {
    return ok(poolLayout(c, pool, 'messages', 'Messages', html`<section><p class="note">The outbox is not served (--messages-endpoint false).</p></section>`));
  }
  const username = c.query.get('username') ?? '';
  if (username.includes('\0')) throw errors.invalidParameter('The username must not contain NUL characters.');
  const rows = await c.s.store.messages.list(pool.id, { limit: 100, ...(username ? { username: await outboxName(c.s.store, pool.id, username) } : {}) });
  const table_ = table(
    ['Sent', 'User', 'Kind', 'Medium', 'To', 'Code', 'Message'],
    rows.map((m) => [
      when(m.createdAt),
      html`<a href="${href(['pools', pool.id, 'users', m.username])}">${m.username}</a>`,
      m.kind,
      m.medium,
      m.destination,
      m.code ? html`<span class="code">${m.code}</span>` : '',
      html`<details><summary>${m.subject ?? m.body.slice(0, 60)}</summary><pre>${m.body}</pre></details>`,
    ]),
    username ? 'No messages to this user.' : 'No messages yet.',
    { id: 'messages' },
  );
  return ok(
    poolLayout(
      c,
      pool,
      'messages',
      'Messages',
      html`<section><form method="get" action="${href(['pools', pool.id, 'messages'])}" class="row" role="search">
<label>Username, alias or sub<input type="text" name="username" value="${username}"></label><button type="submit">Show</button>${username ? html` <a href="${href(['pools', pool.id, 'messages'])}">All users</a>` : ''}</form>
<p class="small muted">What incognito sent (the newest 100): codes, links and temporary passwords, as GET /_incognito/messages shows them.</p>${table_}</section>`,
    ),
  );
}

// ---- Import jobs ----

const jobBadge = (status: string) => badge(status, status === 'Succeeded' ? 'ok' : status === 'Failed' || status === 'Expired' ? 'bad' : status === 'Stopped' || status === 'Stopping' ? 'warn' : 'info');

export async function importsPage(c: ConsoleCall): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  const after = c.query.get('after') ?? undefined;
  const { jobs, cursor } = await c.s.store.imports.list(pool.id, after, 50);
  const rows = jobs.map((j) => [
    html`<a href="${href(['pools', pool.id, 'imports', j.jobId])}">${j.jobName}</a>`,
    html`<code>${j.jobId}</code>`,
    jobBadge(j.status),
    String(j.imported),
    String(j.skipped),
    String(j.failed),
    String(j.linesDone),
    when(j.createdAt),
    when(j.completedAt),
  ]);
  return ok(
    poolLayout(
      c,
      pool,
      'imports',
      'Import jobs',
      html`<section>${table(['Job', 'Job id', 'Status', 'Imported', 'Skipped', 'Failed', 'Lines read', 'Created', 'Completed'], rows, 'No import jobs (CreateUserImportJob makes one).', { id: 'imports', numeric: [3, 4, 5, 6] })}${
        cursor ? html`<div class="pager"><a href="${href(['pools', pool.id, 'imports'], { after: cursor })}">Next page →</a></div>` : ''
      }</section>`,
    ),
  );
}

export async function importPage(c: ConsoleCall): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  const job = await loadJob(c.s.store, pool.id, c.params.job!);
  const afterRaw = c.query.get('after') ?? '0';
  const after = /^\d{1,9}$/.test(afterRaw) ? Number(afterRaw) : 0;
  const lines = await c.s.store.imports.log(job.jobId, after, 501);
  const more = lines.length > 500 ? (lines.pop(), lines[lines.length - 1]!.line) : undefined;
  const decided = job.imported + job.skipped + job.failed;
  const progress = props([
    ['Status', jobBadge(job.status)],
    ['Users decided', html`<span id="decided">${decided}</span>: <span id="imported">${job.imported}</span> imported, <span id="skipped">${job.skipped}</span> skipped, <span id="failed">${job.failed}</span> failed`],
    ['CSV lines read', String(job.linesDone)],
    ['Uploaded', job.uploadBytes === null ? 'not yet (PUT the CSV to the job’s PreSignedUrl)' : `${job.uploadBytes} bytes`],
    ['Created', when(job.createdAt)],
    ['Started', when(job.startedAt) || '—'],
    ['Completed', when(job.completedAt) || '—'],
    ['Completion message', job.completionMessage ?? '—'],
    ['CloudWatch Logs role', job.roleArn],
  ]);
  const logRows = lines.map((l) => [String(l.line), html`<span class="mono">${l.message}</span>`]);
  return ok(
    poolLayout(
      c,
      pool,
      'imports',
      job.jobName,
      html`<section><h2>Progress</h2>${progress}</section>
<section><h2>Log</h2>${table(['Line', 'Message'], logRows, after ? 'No more lines.' : 'No log lines yet.', { id: 'import-log', numeric: [0] })}${
        more !== undefined ? html`<div class="pager"><a href="${href(['pools', pool.id, 'imports', job.jobId], { after: String(more) })}">More lines →</a></div>` : ''
      }</section>`,
      undefined,
      [{ text: 'Import jobs', href: href(['pools', pool.id, 'imports']) }, { text: job.jobId }],
      // A job under way: the page reloads itself every 2 seconds (no script needed).
      ACTIVE_STATUSES.includes(job.status) ? 2 : undefined,
    ),
  );
}
