/**
 * Masking of a destination the way Cognito shows it in CodeDeliveryDetails.Destination:
 * `alice@example.com` → `a***@e***`, `+12065551234` → `+*******1234`.
 */

/** The first character (a whole code point, not half of a surrogate pair), or '' for ''. */
function firstChar(s: string): string {
  const c = s.codePointAt(0);
  return c === undefined ? '' : String.fromCodePoint(c);
}

/** `alice@example.com` → `a***@e***`. A value without `@` keeps its first character: `a***`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return `${firstChar(email)}***`;
  return `${firstChar(email.slice(0, at))}***@${firstChar(email.slice(at + 1))}***`;
}

/**
 * `+12065551234` → `+*******1234`: the `+` and the last 4 characters stay, every other character is
 * one `*`. A number of 4 characters or fewer (after the `+`) is hidden entirely.
 */
export function maskPhone(phone: string): string {
  const plus = phone.startsWith('+') ? '+' : '';
  const rest = Array.from(plus ? phone.slice(1) : phone);
  const hidden = rest.length > 4 ? rest.length - 4 : rest.length;
  return plus + '*'.repeat(hidden) + rest.slice(hidden).join('');
}

/**
 * CodeDeliveryDetails.Destination for a message sent by `medium` (`EMAIL` or `SMS`) to
 * `destination`. Never throws, whatever the value.
 */
export function maskDestination(medium: 'EMAIL' | 'SMS', destination: string): string {
  const d = typeof destination === 'string' ? destination : String(destination ?? '');
  return medium === 'SMS' ? maskPhone(d) : maskEmail(d);
}
