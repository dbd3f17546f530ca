/**
 * The hosted pages of the MFA steps (views only: the sign-in engine decides which one is shown):
 * a code from an authenticator app, SMS or email; the choice between factors; the software-token
 * set-up with its secret as a QR code drawn on the server and as text.
 */
import { totpUri } from '../domain/totp.js';
import type { AuthorizeRequest } from './authorize.js';
import { pageUrl } from './authorize.js';
import { page, type HostedRequest, type HostedResponse } from './http.js';
import { esc, formPage, type Message } from './pages.js';
import { qrSvg } from './qr.js';
import { csrfToken } from './session.js';

const FACTOR_LABELS: Record<string, string> = {
  SOFTWARE_TOKEN_MFA: 'Authenticator app',
  SMS_MFA: 'Text message (SMS)',
  EMAIL_OTP: 'Email',
};

const CODE_FIELD = { name: 'code', label: 'Code', autocomplete: 'one-time-code', inputmode: 'numeric' } as const;

/** Under each MFA step: a way out (another account, or a factor at hand no longer), back to the sign-in form. */
const backToSignIn = (ar: AuthorizeRequest): [string, string][] => [['Back to sign in', pageUrl('/login', ar)]];

/** The key as an authenticator app asks for it, in groups of four for reading it out (the groups are spans: copied, it has no spaces). */
function groupedKey(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).map((g) => `<span>${esc(g)}</span>`).join('');
}

function status(message: Message | undefined): number {
  return message?.kind === 'error' ? 400 : 200;
}

/** SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP: where the code is, and a field for it. */
export function mfaCodePage(req: HostedRequest, ar: AuthorizeRequest, challenge: string, session: string, hint: string, message?: Message): HostedResponse {
  const csrf = csrfToken(req);
  return page(
    status(message),
    formPage({
      title: 'Enter your authentication code',
      action: pageUrl('/login', ar),
      csrf: csrf.token,
      hidden: { _action: 'mfa', challenge, session, hint },
      fields: [{ ...CODE_FIELD, hint }],
      submit: 'Sign in',
      ...(message ? { message } : {}),
      links: backToSignIn(ar),
    }),
    csrf.setCookie,
  );
}

/** The hint under the code field for a challenge's parameters. */
export function codeHint(challenge: string, parameters: Record<string, string>): string {
  if (challenge === 'SOFTWARE_TOKEN_MFA') {
    const device = parameters.FRIENDLY_DEVICE_NAME;
    return device ? `Enter the code your authenticator app (${device}) shows.` : 'Enter the code your authenticator app shows.';
  }
  const to = parameters.CODE_DELIVERY_DESTINATION;
  const by = challenge === 'SMS_MFA' ? 'by text message' : 'by email';
  return to ? `We sent a code ${by} to ${to}.` : `We sent you a code ${by}.`;
}

/** SELECT_MFA_TYPE: a button per factor. */
export function selectMfaPage(req: HostedRequest, ar: AuthorizeRequest, session: string, options: string[], message?: Message): HostedResponse {
  const csrf = csrfToken(req);
  return page(
    status(message),
    formPage({
      title: 'Choose how to confirm it is you',
      action: pageUrl('/login', ar),
      csrf: csrf.token,
      hidden: { _action: 'select_mfa', session, options: options.join(' ') },
      fields: [],
      submit: '',
      choices: { name: 'answer', options: options.map((o) => [o, FACTOR_LABELS[o] ?? o]) },
      message: message ?? { kind: 'info', text: 'Your account is protected with multi-factor authentication.' },
      links: backToSignIn(ar),
    }),
    csrf.setCookie,
  );
}

/** MFA_SETUP with a software token: the secret as a QR code and as text, and the first code (after a wrong one, the device name typed is kept). */
export function totpSetupPage(
  req: HostedRequest,
  ar: AuthorizeRequest,
  session: string,
  secret: string,
  username: string,
  message?: Message,
  deviceName?: string,
): HostedResponse {
  const csrf = csrfToken(req);
  const uri = totpUri(secret, username, ar.pool.name);
  const intro = `
<p>Scan this QR code with an authenticator app on your phone:</p>
${qrSvg(uri, 'QR code of the authenticator key')}
<p>Or enter this key in the app:</p>
<p class="secret" id="secret">${groupedKey(secret)}</p>`;
  return page(
    status(message),
    formPage({
      title: 'Set up an authenticator app',
      action: pageUrl('/login', ar),
      csrf: csrf.token,
      hidden: { _action: 'mfa_setup', session, secret, username },
      intro,
      fields: [
        { ...CODE_FIELD, hint: 'The 6-digit code the app shows now.' },
        {
          name: 'device_name',
          label: 'Device name (optional)',
          hint: 'A name for this authenticator, shown when you sign in.',
          required: false,
          autocomplete: 'off',
          ...(deviceName ? { value: deviceName } : {}),
        },
      ],
      submit: 'Verify and sign in',
      message: message ?? { kind: 'info', text: 'Your account needs multi-factor authentication: set up an authenticator app to continue.' },
      links: backToSignIn(ar),
    }),
    csrf.setCookie,
  );
}
