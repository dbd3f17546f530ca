/**
 * Message templates: Cognito's placeholders and the texts it sends when the pool has no template
 * of its own.
 */

/** Verification (sign-up, resend, attribute verification) when the pool sets no template. */
export const DEFAULT_VERIFICATION_MESSAGE = 'Your verification code is {####}. ';
export const DEFAULT_VERIFICATION_SUBJECT = 'Your verification code';
/** Forgot password: the same text as verification. */
export const DEFAULT_FORGOT_PASSWORD_MESSAGE = DEFAULT_VERIFICATION_MESSAGE;
export const DEFAULT_FORGOT_PASSWORD_SUBJECT = DEFAULT_VERIFICATION_SUBJECT;
/** AdminCreateUser invitation: the username and the temporary password. */
export const DEFAULT_INVITATION_MESSAGE = 'Your username is {username} and temporary password is {####}. ';
export const DEFAULT_INVITATION_SUBJECT = 'Your temporary password';

const PLACEHOLDER = /\{username\}|\{####\}/g;

/**
 * Replaces every `{username}` and `{####}` (the code or temporary password) in one pass: a value
 * that itself contains a placeholder is not expanded again, and `$` in a value is literal. A
 * placeholder whose value is not given stays as it is.
 */
export function renderTemplate(template: string, vars: { username?: string; code?: string }): string {
  return template.replace(PLACEHOLDER, (p) => {
    const v = p === '{username}' ? vars.username : vars.code;
    return v ?? p;
  });
}
