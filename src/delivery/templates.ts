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
/**
 * Sign-up confirmation by link (VerificationMessageTemplate.DefaultEmailOption CONFIRM_WITH_LINK),
 * when the pool sets no EmailMessageByLink / EmailSubjectByLink: Cognito's texts.
 */
export const DEFAULT_VERIFICATION_LINK_MESSAGE = 'Please click the link below to verify your email address. {##Verify Email##} ';
export const DEFAULT_VERIFICATION_LINK_SUBJECT = 'Your verification link';
/** AdminCreateUser invitation: the username and the temporary password. */
export const DEFAULT_INVITATION_MESSAGE = 'Your username is {username} and temporary password is {####}. ';
export const DEFAULT_INVITATION_SUBJECT = 'Your temporary password';
/** A user created by UserMigration, when the pool has no invitation template: no password to give. */
export const DEFAULT_WELCOME_MESSAGE = 'Your username is {username}. ';
export const DEFAULT_WELCOME_SUBJECT = 'Welcome';

const PLACEHOLDER = /\{username\}|\{####\}|\{##([\s\S]*?)##\}/g;

/** Escapes text for an HTML attribute value in double quotes. */
const attribute = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An email body with an HTML tag in it is sent as HTML (delivery/smtp.ts). */
const LOOKS_LIKE_HTML = /<\/?[a-z][a-z0-9]*(\s[^>]*)?\/?>/i;
export const looksLikeHtml = (body: string): boolean => LOOKS_LIKE_HTML.test(body);

/**
 * Replaces every `{username}`, `{####}` (the code or temporary password) and, given a link,
 * `{##text##}` (which becomes `<a href="link">text</a>`, as Cognito renders link messages) in one
 * pass: a value that itself contains a placeholder is not expanded again, and `$` in a value is
 * literal. A placeholder whose value is not given stays as it is. With `html` (an email template
 * that will be sent as HTML), values are HTML-escaped: a username or temporary password holding
 * `<` or `&lt` must read as written, not as markup.
 */
export function renderTemplate(template: string, vars: { username?: string; code?: string; link?: string; html?: boolean }): string {
  return template.replace(PLACEHOLDER, (p, text: string | undefined) => {
    if (text !== undefined) return vars.link === undefined ? p : `<a href="${attribute(vars.link)}">${text}</a>`;
    const v = p === '{username}' ? vars.username : vars.code;
    return v === undefined ? p : vars.html ? attribute(v) : v;
  });
}
