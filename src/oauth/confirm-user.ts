/**
 * GET /confirmUser?client_id=...&user_name=...&confirmation_code=...: the link of a sign-up
 * confirmation email in pools whose VerificationMessageTemplate.DefaultEmailOption is
 * CONFIRM_WITH_LINK (domain/notify.ts writes it), as Cognito's user pool domain serves it.
 *
 * Opening it confirms the user exactly as ConfirmSignUp does with the same client, username and
 * code (operations/signup/ConfirmSignUp.ts confirmSignUp: the code's expiry, single use and attempt
 * limit, the verified attribute, the aliases), without SECRET_HASH (a link cannot carry one; the
 * code is the proof) and without ForceAliasCreation. The answer is a small HTML page, success or
 * the reason, with no external assets; it is never cached and sends no Referer (the URL holds the
 * code).
 */
import { randomUUID } from 'node:crypto';
import { isCognitoError } from '../protocol/errors.js';
import type { Services } from '../protocol/dispatch.js';
import { validateInput } from '../protocol/validate.js';
import { findUser } from '../domain/users.js';
import { loadClientAndPool } from '../domain/clients.js';
import { confirmSignUp } from '../account/sign-up.js';
import type { Ctx } from '../operations/context.js';

export { CONFIRM_USER_PATH } from '../domain/notify.js';

export const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
};

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The page: a title and a sentence, inline styles only. */
export function page(title: string, text: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escape(title)}</title>` +
    '<style>body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1f2328;line-height:1.5}' +
    'h1{font-size:1.35rem;margin-bottom:.5rem}p{margin:.5rem 0}</style>' +
    `</head><body><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`
  );
}

/** What the page says for each refusal; the error's own message follows. */
const TITLES: Record<string, string> = {
  CodeMismatchException: 'This confirmation link is not valid',
  ExpiredCodeException: 'This confirmation link has expired or was already used',
  LimitExceededException: 'Too many attempts',
  NotAuthorizedException: 'This account cannot be confirmed',
  UserNotFoundException: 'This account does not exist',
  ResourceNotFoundException: 'This confirmation link is not valid',
  AliasExistsException: 'This address belongs to another account',
  InvalidParameterException: 'This confirmation link is not valid',
  SerializationException: 'This confirmation link is not valid',
};

export async function confirmUser(services: Services, url: string): Promise<{ status: number; body: string }> {
  const q = new URL(url, 'http://localhost').searchParams;
  const clientId = q.get('client_id');
  const username = q.get('user_name');
  const code = q.get('confirmation_code');
  if (!clientId || !username || !code) {
    return {
      status: 400,
      body: page('This confirmation link is incomplete', 'The link must carry client_id, user_name and confirmation_code: open it from the email again.'),
    };
  }
  if ([clientId, username, code].some((v) => v.includes('\0'))) {
    return { status: 400, body: page('This confirmation link is not valid', 'The link holds a NUL character.') };
  }
  const ctx: Ctx = { ...services, region: services.config.region, requestId: randomUUID(), now: services.clock() };
  try {
    // The same model checks as the ConfirmSignUp request these values would make.
    validateInput('ConfirmSignUp', { ClientId: clientId, Username: username, ConfirmationCode: code });
    const { client, pool } = await loadClientAndPool(ctx.store, clientId);
    const user = await findUser(ctx.store, pool, username);
    await confirmSignUp(ctx, client, pool, user, code, false);
    return { status: 200, body: page('Your registration has been confirmed', 'Your account is confirmed: you can now sign in.') };
  } catch (e) {
    if (!isCognitoError(e)) throw e;
    return { status: 400, body: page(TITLES[e.type] ?? 'The account could not be confirmed', e.message) };
  }
}
