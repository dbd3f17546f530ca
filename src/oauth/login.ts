/**
 * /login (§3.3): GET renders the sign-in page for an authorization request (the same parameters
 * as /oauth2/authorize); POST hands the form to the sign-in engine (src/signin), which decides
 * every step: this file only renders the step the engine asks for (a page per challenge) and, once
 * signed in, starts the browser session and goes back to the callback.
 */
import { isCognitoError, type CognitoError } from '../protocol/errors.js';
import { answer, missingRequired, start, type Outcome } from '../signin/index.js';
import type { Ctx } from '../operations/context.js';
import type { PoolRecord } from '../store/types.js';
import { checkAuthorize, complete, pageUrl, type AuthorizeRequest } from './authorize.js';
import { page, type HostedRequest, type HostedResponse } from './http.js';
import { attributeLabel, formPage, type Field, type Message } from './pages.js';
import { csrfToken, csrfValid, startSession } from './session.js';
import { forgotPasswordStarted, confirmPage } from './account.js';

/** What the username field is called in this pool. */
export function usernameLabel(pool: PoolRecord): string {
  const ua = pool.settings.UsernameAttributes ?? [];
  if (ua.includes('email') && ua.includes('phone_number')) return 'Email or phone number';
  if (ua.includes('email')) return 'Email';
  if (ua.includes('phone_number')) return 'Phone number';
  return 'Username';
}

export const selfSignUp = (pool: PoolRecord) => !pool.settings.AdminCreateUserConfig?.AllowAdminCreateUserOnly;

export function loginPage(req: HostedRequest, ar: AuthorizeRequest, message?: Message, username?: string, status = 200): HostedResponse {
  const csrf = csrfToken(req);
  const links: [string, string][] = [['Forgot your password?', pageUrl('/forgotPassword', ar)]];
  if (selfSignUp(ar.pool)) links.push(['Sign up', pageUrl('/signup', ar)]);
  const hint = username ?? ar.params.get('login_hint') ?? undefined;
  return page(
    status,
    formPage({
      title: 'Sign in',
      action: pageUrl('/login', ar),
      csrf: csrf.token,
      fields: [
        { name: 'username', label: usernameLabel(ar.pool), autocomplete: 'username', ...(hint ? { value: hint } : {}) },
        { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' },
      ],
      submit: 'Sign in',
      ...(message ? { message } : {}),
      links,
    }),
    csrf.setCookie,
  );
}

function newPasswordPage(req: HostedRequest, ar: AuthorizeRequest, session: string, required: string[], message?: Message): HostedResponse {
  const csrf = csrfToken(req);
  const fields: Field[] = [
    { name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password' },
    { name: 'confirm_password', label: 'Confirm the new password', type: 'password', autocomplete: 'new-password' },
    ...required.map((name): Field => ({ name: `attr_${name}`, label: attributeLabel(name), ...(name === 'email' ? { type: 'email', autocomplete: 'email' } : {}) })),
  ];
  return page(
    message?.kind === 'error' ? 400 : 200,
    formPage({
      title: 'Change your password',
      action: pageUrl('/login', ar),
      csrf: csrf.token,
      hidden: { _action: 'new_password', session, required: required.join(' ') },
      fields,
      submit: 'Change password and sign in',
      message: message ?? { kind: 'info', text: 'Your password was temporary: choose a new one to continue.' },
    }),
    csrf.setCookie,
  );
}

const err = (e: CognitoError): Message => ({ kind: 'error', text: e.message });

/** The page for the engine's outcome: the next challenge's page, or the sign-in's end. */
async function step(ctx: Ctx, req: HostedRequest, ar: AuthorizeRequest, o: Outcome): Promise<HostedResponse> {
  if (o.kind === 'signedIn') {
    const s = await startSession(ctx, req, ar.pool, ar.client, o.user);
    return complete(ctx, ar, o.user, s.authTime, [s.cookie]);
  }
  switch (o.name) {
    case 'NEW_PASSWORD_REQUIRED':
      return newPasswordPage(req, ar, o.session!, missingRequired(ar.pool, o.user!));
    default:
      throw new Error(`hosted login: no page for the ${o.name} challenge`);
  }
}

export async function login(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const checked = await checkAuthorize(ctx, req);
  if ('response' in checked) return checked.response;
  const ar = checked.ok;
  if (req.method === 'GET') return loginPage(req, ar);
  if (!csrfValid(req)) return loginPage(req, ar, { kind: 'error', text: 'The form expired. Please sign in again.' }, undefined, 403);

  if (req.form.get('_action') === 'new_password') {
    const session = req.form.get('session') ?? '';
    const required = (req.form.get('required') ?? '').split(' ').filter(Boolean);
    const password = req.form.get('new_password') ?? '';
    if (password !== (req.form.get('confirm_password') ?? '')) {
      return newPasswordPage(req, ar, session, required, { kind: 'error', text: 'The passwords do not match.' });
    }
    const answers: Record<string, string> = { NEW_PASSWORD: password };
    for (const name of required) answers[`userAttributes.${name}`] = req.form.get(`attr_${name}`) ?? '';
    let o: Outcome;
    try {
      o = await answer(ctx, ar.pool, ar.client, { channel: 'hosted', challengeName: 'NEW_PASSWORD_REQUIRED', session, responses: answers });
    } catch (e) {
      if (!isCognitoError(e)) throw e;
      // An expired or used session cannot be answered again: back to the sign-in form.
      if (e.type === 'NotAuthorizedException') return loginPage(req, ar, { kind: 'error', text: `${e.message} Please sign in again.` }, undefined, 400);
      return newPasswordPage(req, ar, session, required, err(e));
    }
    return step(ctx, req, ar, o);
  }

  const username = (req.form.get('username') ?? '').trim();
  const password = req.form.get('password') ?? '';
  if (!username || !password) return loginPage(req, ar, { kind: 'error', text: 'Enter your username and password.' }, username, 400);
  let o: Outcome;
  try {
    o = await start(ctx, ar.pool, ar.client, { channel: 'hosted', side: 'client', flow: 'USER_PASSWORD_AUTH', parameters: { USERNAME: username, PASSWORD: password } });
  } catch (e) {
    if (!isCognitoError(e)) throw e;
    if (e.type === 'UserNotConfirmedException') {
      return confirmPage(req, ar, username, { kind: 'error', text: 'Your account is not confirmed yet. Enter the code we sent you, or ask for a new one.' });
    }
    if (e.type === 'PasswordResetRequiredException') return forgotPasswordStarted(ctx, req, ar, username, 'Your password must be reset.');
    return loginPage(req, ar, err(e), username, 400);
  }
  return step(ctx, req, ar, o);
}
