/**
 * The hosted account pages around sign-in: forgot password and reset (/forgotPassword,
 * /confirmForgotPassword), sign-up when the pool allows it (/signup), and confirming an account
 * with its code (/confirm, /resendCode). Each runs the use-case of the API operation of the same name, with the
 * request validated against the model and, for clients with a secret, the SECRET_HASH the pages
 * compute for the client (the pages act for it, as Cognito's hosted UI does). The use-cases live in
 * src/account, below both the pages and the API operations.
 */
import { checkPassword, type PolicyWording } from '../domain/passwords.js';
import { secretHash } from '../domain/secret-hash.js';
import { isCognitoError } from '../protocol/errors.js';
import { matchesModelPattern, validateInput } from '../protocol/validate.js';
import { shapes } from '../protocol/model.generated.js';
import { confirmForgotPassword, forgotPassword } from '../account/password-reset.js';
import { confirmSignUpRequest, resendConfirmationCode, signUp } from '../account/sign-up.js';
import type { Ctx } from '../operations/context.js';
import { checkAuthorize, pageUrl, type AuthorizeRequest } from './authorize.js';
import { page, type HostedRequest, type HostedResponse } from './http.js';
import { attributeLabel, errorPage, esc, formPage, type Field, type Message } from './pages.js';
import { csrfToken, csrfValid } from './session.js';
import { loginPage, selfSignUp, usernameLabel } from './login.js';

/** The account use-cases the pages run (src/account), by the name of the API operation they answer. */
const USE_CASES = {
  SignUp: signUp,
  ConfirmSignUp: confirmSignUpRequest,
  ResendConfirmationCode: resendConfirmationCode,
  ForgotPassword: forgotPassword,
  ConfirmForgotPassword: confirmForgotPassword,
} as const;

/**
 * Runs an account use-case for the pages' client, with the request the API operation of the same
 * name would take (validated against the model; with the SECRET_HASH of a client with a secret).
 */
async function call(ctx: Ctx, ar: AuthorizeRequest, name: keyof typeof USE_CASES, username: string, input: Record<string, unknown>): Promise<any> {
  const full = {
    ClientId: ar.client.id,
    Username: username,
    ...input,
    ...(ar.client.secret !== null ? { SecretHash: secretHash(ar.client.secret, username, ar.client.id) } : {}),
  };
  validateInput(name, full);
  return USE_CASES[name](ctx, ar.client, ar.pool, full as any);
}

/** PasswordType's pattern in the model (no whitespace at either end, at least two characters). */
const PASSWORD_PATTERN = (shapes.PasswordType as { pattern: string }).pattern;

/**
 * A password typed on a page that the model's pattern refuses (a space at either end, a single
 * character) gets the policy's InvalidPasswordException text, as the new-password step does,
 * instead of the validation error naming the pattern, in the wording of the operation the page runs.
 */
function checkTypedPassword(ar: AuthorizeRequest, password: string, wording: PolicyWording): void {
  if (!matchesModelPattern(PASSWORD_PATTERN, password)) checkPassword(password, ar.pool.settings, wording);
}

/** Where a code went, as the page tells it ("We sent a code to a***@e***."). */
function sentTo(r: { CodeDeliveryDetails?: { Destination?: string } } | undefined): string {
  const d = r?.CodeDeliveryDetails?.Destination;
  return d ? `We sent a code to ${d}.` : 'We sent you a code.';
}

function form(req: HostedRequest, status: number, p: Omit<Parameters<typeof formPage>[0], 'csrf'>): HostedResponse {
  const csrf = csrfToken(req);
  return page(status, formPage({ ...p, csrf: csrf.token }), csrf.setCookie);
}

function forgotPage(req: HostedRequest, ar: AuthorizeRequest, message?: Message, username?: string): HostedResponse {
  return form(req, message?.kind === 'error' ? 400 : 200, {
    title: 'Forgot your password?',
    action: pageUrl('/forgotPassword', ar),
    fields: [{ name: 'username', label: usernameLabel(ar.pool), autocomplete: 'username', ...(username ? { value: username } : {}) }],
    submit: 'Send a reset code',
    message: message ?? { kind: 'info', text: 'Enter your username and we will send you a code to reset your password.' },
    links: [['Back to sign in', pageUrl('/login', ar)]],
  });
}

function resetPage(req: HostedRequest, ar: AuthorizeRequest, username: string, message: Message): HostedResponse {
  return form(req, message.kind === 'error' ? 400 : 200, {
    title: 'Reset your password',
    action: pageUrl('/confirmForgotPassword', ar),
    hidden: { username },
    fields: [
      { name: 'code', label: 'Code', autocomplete: 'one-time-code', inputmode: 'numeric' },
      { name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password' },
      { name: 'confirm_password', label: 'Confirm the new password', type: 'password', autocomplete: 'new-password' },
    ],
    submit: 'Change password',
    message,
    links: [['Back to sign in', pageUrl('/login', ar)]],
  });
}

export function confirmPage(req: HostedRequest, ar: AuthorizeRequest, username: string, message: Message): HostedResponse {
  const csrf = csrfToken(req);
  const resend = `<form method="post" action="${esc(pageUrl('/resendCode', ar))}"><input type="hidden" name="_csrf" value="${esc(csrf.token)}"><input type="hidden" name="username" value="${esc(username)}"><button type="submit">Send a new code</button></form>`;
  const html = formPage({
    title: 'Confirm your account',
    action: pageUrl('/confirm', ar),
    csrf: csrf.token,
    hidden: { username },
    fields: [{ name: 'code', label: 'Confirmation code', autocomplete: 'one-time-code', inputmode: 'numeric' }],
    submit: 'Confirm account',
    message,
    links: [['Back to sign in', pageUrl('/login', ar)]],
  }).replace('</main>', `${resend}\n</main>`);
  return page(message.kind === 'error' ? 400 : 200, html, csrf.setCookie);
}

/** Sends a reset code and shows the reset page (also for a user whose password must be reset). */
export async function forgotPasswordStarted(ctx: Ctx, req: HostedRequest, ar: AuthorizeRequest, username: string, why?: string): Promise<HostedResponse> {
  try {
    const r = await call(ctx, ar, 'ForgotPassword', username, {});
    return resetPage(req, ar, username, { kind: 'info', text: `${why ? `${why} ` : ''}${sentTo(r)} Enter it with your new password.` });
  } catch (e) {
    if (!isCognitoError(e)) throw e;
    return forgotPage(req, ar, { kind: 'error', text: e.message }, username);
  }
}

function signupFields(ar: AuthorizeRequest, values: URLSearchParams): Field[] {
  const pool = ar.pool;
  const usernameAttrs = pool.settings.UsernameAttributes ?? [];
  const v = (name: string) => {
    const x = values.get(name);
    return x ? { value: x } : {};
  };
  const fields: Field[] = [{ name: 'username', label: usernameLabel(pool), autocomplete: 'username', ...v('username') }];
  const auto = pool.settings.AutoVerifiedAttributes ?? [];
  const required = new Set((pool.settings.SchemaAttributes ?? []).filter((a) => a.Required && a.Name !== 'sub').map((a) => a.Name!));
  if (!usernameAttrs.includes('email') && (required.has('email') || auto.includes('email'))) {
    fields.push({ name: 'attr_email', label: 'Email', type: 'email', autocomplete: 'email', required: required.has('email'), ...v('attr_email') });
  }
  if (!usernameAttrs.includes('phone_number') && (required.has('phone_number') || auto.includes('phone_number'))) {
    fields.push({ name: 'attr_phone_number', label: 'Phone number', type: 'tel', autocomplete: 'tel', hint: 'With the country code, for example +14325551212.', required: required.has('phone_number'), ...v('attr_phone_number') });
  }
  for (const name of required) {
    if (name === 'email' || name === 'phone_number') continue;
    fields.push({ name: `attr_${name}`, label: attributeLabel(name), ...v(`attr_${name}`) });
  }
  fields.push({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password' });
  return fields;
}

function signupPage(req: HostedRequest, ar: AuthorizeRequest, message?: Message): HostedResponse {
  return form(req, message?.kind === 'error' ? 400 : 200, {
    title: 'Sign up',
    action: pageUrl('/signup', ar),
    fields: signupFields(ar, req.form),
    submit: 'Sign up',
    ...(message ? { message } : {}),
    links: [['Already have an account? Sign in', pageUrl('/login', ar)]],
  });
}

/** The account pages by path. */
export async function accountPage(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const checked = await checkAuthorize(ctx, req);
  if ('response' in checked) return checked.response;
  const ar = checked.ok;
  const post = req.method === 'POST';
  if (post && !csrfValid(req)) return loginPage(req, ar, { kind: 'error', text: 'The form expired. Please start again.' }, undefined, 403);
  const username = (req.form.get('username') ?? '').trim();
  const fail = (e: unknown, render: (m: Message) => HostedResponse): HostedResponse => {
    if (!isCognitoError(e)) throw e;
    return render({ kind: 'error', text: e.message });
  };

  switch (req.path) {
    case '/forgotPassword':
      if (!post) return forgotPage(req, ar);
      if (!username) return forgotPage(req, ar, { kind: 'error', text: 'Enter your username.' });
      return forgotPasswordStarted(ctx, req, ar, username);

    case '/confirmForgotPassword': {
      if (!post) return forgotPage(req, ar);
      const password = req.form.get('new_password') ?? '';
      if (password !== (req.form.get('confirm_password') ?? '')) return resetPage(req, ar, username, { kind: 'error', text: 'The passwords do not match.' });
      try {
        checkTypedPassword(ar, password, 'doesNot');
        await call(ctx, ar, 'ConfirmForgotPassword', username, { ConfirmationCode: (req.form.get('code') ?? '').trim(), Password: password });
      } catch (e) {
        return fail(e, (m) => resetPage(req, ar, username, m));
      }
      return loginPage(req, ar, { kind: 'info', text: 'Your password has been changed. Sign in with the new one.' }, username);
    }

    case '/signup': {
      if (!selfSignUp(ar.pool)) return page(403, errorPage('Sign-up is not available', 'Only administrators can create users in this user pool.'));
      if (!post) return signupPage(req, ar);
      const attrs: { Name: string; Value: string }[] = [];
      for (const [k, v] of req.form) if (k.startsWith('attr_') && v.trim() !== '') attrs.push({ Name: k.slice(5), Value: v.trim() });
      if (!username) return signupPage(req, ar, { kind: 'error', text: `Enter your ${usernameLabel(ar.pool).toLowerCase()}.` });
      let r: { UserConfirmed?: boolean; CodeDeliveryDetails?: { Destination?: string } };
      const password = req.form.get('password') ?? '';
      try {
        checkTypedPassword(ar, password, 'policy');
        r = await call(ctx, ar, 'SignUp', username, { Password: password, UserAttributes: attrs });
      } catch (e) {
        return fail(e, (m) => signupPage(req, ar, m));
      }
      if (r.UserConfirmed) return loginPage(req, ar, { kind: 'info', text: 'Your account is ready. Sign in.' }, username);
      return confirmPage(req, ar, username, { kind: 'info', text: `${sentTo(r)} Enter it to confirm your account.` });
    }

    case '/confirm': {
      if (!post) return confirmPage(req, ar, (req.query.get('username') ?? '').trim(), { kind: 'info', text: 'Enter the code we sent you.' });
      try {
        await call(ctx, ar, 'ConfirmSignUp', username, { ConfirmationCode: (req.form.get('code') ?? '').trim() });
      } catch (e) {
        return fail(e, (m) => confirmPage(req, ar, username, m));
      }
      return loginPage(req, ar, { kind: 'info', text: 'Your account is confirmed. Sign in.' }, username);
    }

    case '/resendCode': {
      if (!post) return confirmPage(req, ar, username, { kind: 'info', text: 'Enter the code we sent you.' });
      try {
        const r = await call(ctx, ar, 'ResendConfirmationCode', username, {});
        return confirmPage(req, ar, username, { kind: 'info', text: `${sentTo(r)} Enter it to confirm your account.` });
      } catch (e) {
        return fail(e, (m) => confirmPage(req, ar, username, m));
      }
    }
  }
  return page(404, errorPage('Not found', 'There is no such page.'));
}

export const ACCOUNT_PATHS = new Set(['/forgotPassword', '/confirmForgotPassword', '/signup', '/confirm', '/resendCode']);
