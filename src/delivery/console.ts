/**
 * The console sink, for development: one human-readable line per message on stderr. This is the
 * one place a code is printed; it is switched off with --console-messages false.
 */
import type { OutgoingMessage } from './types.js';
import { maskPhone } from './mask.js';

/** `alice@example.com` → `a***@example.com`: enough to tell messages apart, the domain kept. */
function consoleDestination(msg: OutgoingMessage): string {
  if (msg.medium === 'SMS') return maskPhone(msg.destination);
  const at = msg.destination.lastIndexOf('@');
  const cp = msg.destination.codePointAt(0);
  const first = cp === undefined ? '' : String.fromCodePoint(cp);
  return at < 0 ? `${first}***` : `${at > 0 ? first : ''}***${msg.destination.slice(at)}`;
}

/** Control characters (newlines, escape sequences) become spaces, runs of blanks one space. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** `[incognito] EMAIL to a***@example.com for user alice (SIGN_UP): Your code is 123456` */
export function consoleLine(msg: OutgoingMessage): string {
  return `[incognito] ${msg.medium} to ${oneLine(consoleDestination(msg))} for user ${oneLine(msg.username)} (${oneLine(msg.kind)}): ${oneLine(msg.body)}`;
}
