/**
 * /login (§3.3): GET renders the sign-in page for an authorization request (the same parameters
 * as /oauth2/authorize); POST hands the form to the sign-in engine (src/signin), which decides
 * every step: this file only renders the step the engine asks for (a page per challenge) and, once
 * signed in, starts the browser session and goes back to the callback.
 */
import { isCognitoError, type CognitoError } from '../protocol/errors.js';
import { answer, missingRequired, poolFirstFactors, setupAssociate, setupVerify, start, type Outcome } from '../signin/index.js';
import type { Ctx } from '../operations/context.js';
import type { PoolRecord } from '../store/types.js';
import { checkAuthorize, complete, pageUrl, type AuthorizeRequest } from './authorize.js';
import { passkeysEnabled } from '../domain/passkeys.js';
import { passkeyIsMfa } from '../domain/mfa.js';
import { passkeySignInPage } from './passkeys.js';
import { page, redirect, type HostedRequest, type HostedResponse } from './http.js';
import { attributeLabel, esc, formPage, layout, type Field, type Message } from './pages.js';
import { csrfToken, csrfValid, startSession } from './session.js';
import { forgotPasswordStarted, confirmPage } from './account.js';
import { codeHint, mfaCodePage, selectMfaPage, totpSetupPage } from './mfa-pages.js';

/** What the username field is called in this pool. */
export function usernameLabel(pool: PoolRecord): string {
  const ua = pool.settings.UsernameAttributes ?? [];
  if (ua.includes('email') && ua.includes('phone_number')) return 'Email or phone number';
  if (ua.includes('email')) return 'Email';
  if (ua.includes('phone_number')) return 'Phone number';
  return 'Username';
}

/**
 * A pool that requires MFA (ON) signs in by password (or by a passkey where passkeys count as MFA,
 * offersPasskey): a passwordless code would skip the MFA (the engine offers nothing else there,
 * user-auth.ts availableFactors), so the pages do not offer those buttons nor "leave it empty".
 */
const passwordlessAllowed = (pool: PoolRecord): boolean => (pool.settings.MfaConfiguration ?? 'OFF') !== 'ON';

/** Whether the pages offer sign-in with a code by email: the pool allows EMAIL_OTP as a first factor (and does not require MFA). */
const offersEmailCode = (pool: PoolRecord): boolean => passwordlessAllowed(pool) && poolFirstFactors(pool).includes('EMAIL_OTP');

/**
 * Whether the pages offer sign-in with a passkey: the pool allows WEB_AUTHN as a first factor (and
 * its tier passkeys), and MFA is not required or passkeys count as MFA (FactorConfiguration
 * MULTI_FACTOR_WITH_USER_VERIFICATION: the engine then asks user verification).
 */
const offersPasskey = (pool: PoolRecord): boolean => (passwordlessAllowed(pool) || passkeyIsMfa(pool)) && poolFirstFactors(pool).includes('WEB_AUTHN') && passkeysEnabled(pool);

export const selfSignUp = (pool: PoolRecord) => !pool.settings.AdminCreateUserConfig?.AllowAdminCreateUserOnly;

/** The client's identity providers other than COGNITO: a button each on the sign-in page. */
const federated = (ar: AuthorizeRequest) => (ar.client.settings.SupportedIdentityProviders ?? []).filter((p) => p !== 'COGNITO');

/** The buttons that start a sign-in with each of the client's identity providers (the authorize request, with identity_provider). */
function providerButtons(ar: AuthorizeRequest): string {
  const names = federated(ar);
  if (!names.length) return '';
  const links = names.map((name) => {
    const params = new URLSearchParams(ar.params);
    params.delete('idp_identifier');
    params.set('identity_provider', name);
    return `<a class="idp" role="button" href="${esc(`/oauth2/authorize?${params.toString()}`)}">Continue with ${esc(name)}</a>`;
  });
  return `<div class="providers">${links.join('\n')}</div>`;
}

/**
 * When a provider of the client has IdpIdentifiers: a box for the user's corporate email, whose
 * domain picks the provider (Cognito's hosted UI does the same: "SAML identity provider names and
 * identifiers"). A GET form back to /login with the request's parameters (the pages run no script).
 */
function emailDomainForm(ar: AuthorizeRequest): string {
  if (!ar.byEmailDomain) return '';
  const params = new URLSearchParams(ar.params);
  params.delete('idp_identifier');
  params.delete('identity_provider');
  const hidden = [...params].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
  return `<form method="get" action="/login" class="corporate">${hidden}<label for="f_corporate_email">Corporate email</label><input id="f_corporate_email" name="corporate_email" type="email" autocomplete="email" required><button type="submit">Sign in with your corporate ID</button></form>`;
}

/** GET /login?corporate_email=...: on to the provider whose IdpIdentifiers hold the email's domain. */
async function byEmailDomain(ctx: Ctx, req: HostedRequest, ar: AuthorizeRequest, email: string): Promise<HostedResponse> {
  const at = email.lastIndexOf('@');
  const domain = at > 0 ? email.slice(at + 1).trim().toLowerCase() : '';
  if (!domain) return loginPage(req, ar, { kind: 'error', text: 'Enter your corporate email address (name@company.example).' }, undefined, 400);
  const supported = ar.client.settings.SupportedIdentityProviders ?? [];
  const p = (await ctx.store.identityProviders.all(ar.pool.id)).find((x) => supported.includes(x.name) && x.idpIdentifiers.some((i) => i.toLowerCase() === domain));
  if (!p) return loginPage(req, ar, { kind: 'error', text: `No identity provider of this application signs in ${domain} addresses.` }, undefined, 400);
  const params = new URLSearchParams(ar.params);
  params.delete('identity_provider');
  params.set('idp_identifier', domain);
  return redirect(`/oauth2/authorize?${params.toString()}`);
}

export function loginPage(req: HostedRequest, ar: AuthorizeRequest, message?: Message, username?: string, status = 200): HostedResponse {
  if (!(ar.client.settings.SupportedIdentityProviders ?? []).includes('COGNITO')) {
    // No password form: the client signs users in through its identity providers only.
    return page(status, layout('Sign in', `${message ? `<p class="alert" role="alert" id="message">${esc(message.text)}</p>` : ''}${emailDomainForm(ar)}${providerButtons(ar)}`));
  }
  const csrf = csrfToken(req);
  const links: [string, string][] = [['Forgot your password?', pageUrl('/forgotPassword', ar)]];
  if (selfSignUp(ar.pool)) links.push(['Sign up', pageUrl('/signup', ar)]);
  const hint = username ?? ar.params.get('login_hint') ?? undefined;
  // A pool that allows EMAIL_OTP as a first factor: a second button signs in with a code by email
  // (choice-based sign-in, USER_AUTH, in the engine), the password left empty.
  const emailCode = offersEmailCode(ar.pool);
  // And one that signs in with a passkey (USER_AUTH WEB_AUTHN: the next page runs the ceremony).
  const passkey = offersPasskey(ar.pool);
  const others: [string, string][] = [...(emailCode ? [['email_code', 'Email me a sign-in code'] as [string, string]] : []), ...(passkey ? [['passkey', 'Sign in with a passkey'] as [string, string]] : [])];
  const hintText = emailCode && passkey ? 'Or leave it empty and sign in with a code we email you, or with a passkey.' : emailCode ? 'Or leave it empty and sign in with a code we email you.' : 'Or leave it empty and sign in with a passkey.';
  return page(
    status,
    formPage({
      title: 'Sign in',
      action: pageUrl('/login', ar),
      csrf: csrf.token,
      fields: [
        { name: 'username', label: usernameLabel(ar.pool), autocomplete: 'username', ...(hint ? { value: hint } : {}) },
        {
          name: 'password',
          label: 'Password',
          type: 'password',
          autocomplete: 'current-password',
          ...(others.length ? { required: false, hint: hintText } : {}),
        },
      ],
      submit: 'Sign in',
      ...(others.length ? { choices: { name: 'method', options: [['password', 'Sign in'], ...others] } } : {}),
      ...(message ? { message } : {}),
      links,
      ...(federated(ar).length ? { intro: emailDomainForm(ar) + providerButtons(ar) } : {}),
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
async function step(ctx: Ctx, req: HostedRequest, ar: AuthorizeRequest, o: Outcome, chosen?: 'email_code' | 'passkey'): Promise<HostedResponse> {
  if (o.kind === 'signedIn') {
    const s = await startSession(ctx, req, ar.pool, ar.client, o.user);
    return complete(ctx, ar, o.user, s.authTime, [s.cookie]);
  }
  const session = o.session!;
  switch (o.name) {
    case 'NEW_PASSWORD_REQUIRED':
      return newPasswordPage(req, ar, session, missingRequired(ar.pool, o.user!));
    case 'SOFTWARE_TOKEN_MFA':
    case 'SMS_MFA':
    case 'EMAIL_OTP':
      return mfaCodePage(req, ar, o.name, session, codeHint(o.name, o.parameters));
    case 'SELECT_MFA_TYPE':
      return selectMfaPage(req, ar, session, JSON.parse(o.parameters.MFAS_CAN_CHOOSE!) as string[]);
    case 'MFA_SETUP': {
      // The page sets up a software token at once: the engine's AssociateSoftwareToken step.
      let setup: Awaited<ReturnType<typeof setupAssociate>>;
      try {
        setup = await setupAssociate(ctx, 'hosted', session, ar.client);
      } catch (e) {
        if (!isCognitoError(e)) throw e;
        return loginPage(req, ar, err(e), undefined, 400);
      }
      return totpSetupPage(req, ar, setup.session, setup.secretCode, setup.user.username);
    }
    case 'PASSWORD_VERIFIER':
    case 'DEVICE_SRP_AUTH':
    case 'DEVICE_PASSWORD_VERIFIER':
    case 'SELECT_CHALLENGE':
      // The email-code or passkey button for an account without a verified email, or without a passkey.
      return loginPage(
        req,
        ar,
        { kind: 'error', text: chosen === 'passkey' ? 'This account has no passkey yet. Sign in with your password.' : 'We cannot email a sign-in code to this account. Sign in with your password.' },
        o.user?.username,
        400,
      );
    case 'WEB_AUTHN':
      return passkeySignInPage(req, pageUrl('/login', ar), session, o.parameters.CREDENTIAL_REQUEST_OPTIONS ?? '{}', o.user?.username ?? '', pageUrl('/login', ar));
    case 'CUSTOM_CHALLENGE':
    case 'SMS_OTP':
      // The pages sign in by password and name no device, and custom authentication is API-only
      // (as Cognito's hosted pages): the engine never asks these here.
      throw new Error(`hosted login: no page for the ${o.name} challenge`);
  }
}

/** A code as typed on a page: spaces anywhere are dropped ("123 456", as apps show codes). */
const typedCode = (s: string): string => s.replace(/\s+/g, '');

/** A step's answer failed: an expired, used or refused session goes back to the sign-in form; else the step's page again. */
function failedStep(req: HostedRequest, ar: AuthorizeRequest, e: unknown, again: (m: Message) => HostedResponse): HostedResponse {
  if (!isCognitoError(e)) throw e;
  if (e.type === 'NotAuthorizedException') return loginPage(req, ar, { kind: 'error', text: `${/[.!?]$/.test(e.message) ? e.message : `${e.message}.`} Please sign in again.` }, undefined, 400);
  return again(err(e));
}

export async function login(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const checked = await checkAuthorize(ctx, req);
  if ('response' in checked) return checked.response;
  const ar = checked.ok;
  if (req.method === 'GET') {
    const email = req.query.get('corporate_email');
    return email !== null && ar.byEmailDomain ? byEmailDomain(ctx, req, ar, email) : loginPage(req, ar);
  }
  if (!(ar.client.settings.SupportedIdentityProviders ?? []).includes('COGNITO')) {
    return loginPage(req, ar, { kind: 'error', text: 'This application signs users in through its identity providers only.' }, undefined, 400);
  }
  if (!csrfValid(req)) return loginPage(req, ar, { kind: 'error', text: 'The form expired. Please sign in again.' }, undefined, 403);
  const f = (name: string) => req.form.get(name) ?? '';
  const session = f('session');
  const respond = (challengeName: string, responses: Record<string, string>) => answer(ctx, ar.pool, ar.client, { channel: 'hosted', challengeName, session, responses });

  switch (f('_action')) {
    case 'new_password': {
      const required = f('required').split(' ').filter(Boolean);
      const again = (m: Message) => newPasswordPage(req, ar, session, required, m);
      if (f('new_password') !== f('confirm_password')) return again({ kind: 'error', text: 'The passwords do not match.' });
      const answers: Record<string, string> = { NEW_PASSWORD: f('new_password') };
      for (const name of required) answers[`userAttributes.${name}`] = f(`attr_${name}`);
      let o: Outcome;
      try {
        o = await respond('NEW_PASSWORD_REQUIRED', answers);
      } catch (e) {
        return failedStep(req, ar, e, again);
      }
      return step(ctx, req, ar, o);
    }
    case 'mfa': {
      const challenge = f('challenge');
      if (!['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP'].includes(challenge)) return loginPage(req, ar, { kind: 'error', text: 'Please sign in again.' }, undefined, 400);
      let o: Outcome;
      try {
        o = await respond(challenge, { [`${challenge}_CODE`]: typedCode(f('code')) });
      } catch (e) {
        return failedStep(req, ar, e, (m) => mfaCodePage(req, ar, challenge, session, f('hint'), m));
      }
      return step(ctx, req, ar, o);
    }
    case 'select_mfa': {
      let o: Outcome;
      try {
        o = await respond('SELECT_MFA_TYPE', { ANSWER: f('answer') });
      } catch (e) {
        return failedStep(req, ar, e, (m) => selectMfaPage(req, ar, session, f('options').split(' ').filter(Boolean), m));
      }
      return step(ctx, req, ar, o);
    }
    case 'webauthn': {
      let o: Outcome;
      try {
        o = await respond('WEB_AUTHN', { USERNAME: f('username'), CREDENTIAL: f('credential') });
      } catch (e) {
        return failedStep(req, ar, e, (m) => loginPage(req, ar, m, f('username'), 400));
      }
      return step(ctx, req, ar, o);
    }
    case 'mfa_setup': {
      let o: Outcome;
      try {
        const verified = await setupVerify(ctx, 'hosted', session, typedCode(f('code')), f('device_name').trim() || undefined, ar.client);
        o = await answer(ctx, ar.pool, ar.client, { channel: 'hosted', challengeName: 'MFA_SETUP', session: verified.session, responses: {} });
      } catch (e) {
        return failedStep(req, ar, e, (m) => totpSetupPage(req, ar, session, f('secret'), f('username'), m, f('device_name').trim()));
      }
      return step(ctx, req, ar, o);
    }
  }

  const username = f('username').trim();
  const password = f('password');
  const byEmail = f('method') === 'email_code' && offersEmailCode(ar.pool);
  const byPasskey = f('method') === 'passkey' && offersPasskey(ar.pool);
  if (byEmail && !username) return loginPage(req, ar, { kind: 'error', text: 'Enter your username to get a sign-in code.' }, username, 400);
  if (byPasskey && !username) return loginPage(req, ar, { kind: 'error', text: 'Enter your username to sign in with a passkey.' }, username, 400);
  if (!byEmail && !byPasskey && (!username || !password)) return loginPage(req, ar, { kind: 'error', text: 'Enter your username and password.' }, username, 400);
  let o: Outcome;
  try {
    o =
      byEmail || byPasskey
        ? await start(ctx, ar.pool, ar.client, { channel: 'hosted', side: 'client', flow: 'USER_AUTH', parameters: { USERNAME: username, PREFERRED_CHALLENGE: byEmail ? 'EMAIL_OTP' : 'WEB_AUTHN' } })
        : await start(ctx, ar.pool, ar.client, { channel: 'hosted', side: 'client', flow: 'USER_PASSWORD_AUTH', parameters: { USERNAME: username, PASSWORD: password } });
  } catch (e) {
    if (!isCognitoError(e)) throw e;
    if (e.type === 'UserNotConfirmedException') {
      return confirmPage(req, ar, username, { kind: 'error', text: 'Your account is not confirmed yet. Enter the code we sent you, or ask for a new one.' });
    }
    if (e.type === 'PasswordResetRequiredException') return forgotPasswordStarted(ctx, req, ar, username, 'Your password must be reset.');
    return loginPage(req, ar, err(e), username, 400);
  }
  return step(ctx, req, ar, o, byEmail ? 'email_code' : byPasskey ? 'passkey' : undefined);
}
