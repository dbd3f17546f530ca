/** Identifier and secret formats, as Cognito shapes them (cognito-behaviour.md §5.3). */
import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Uniformly random characters from `alphabet` (rejection sampling, no modulo bias). */
export function randomString(length: number, alphabet: string): string {
  let out = '';
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (const b of bytes) {
      const limit = 256 - (256 % alphabet.length);
      if (b < limit) out += alphabet[b % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** `<region>_<9 alphanumerics>`, e.g. us-east-1_Ab3dEfGh1. */
export const newPoolId = (region: string) => `${region}_${randomString(9, ALNUM)}`;
/** 26 characters of [a-z0-9]. */
export const newClientId = () => randomString(26, LOWER_ALNUM);
/** Generated client secrets: 51 characters of [a-z0-9] (about 263 bits). */
export const newClientSecret = () => randomString(51, LOWER_ALNUM);

export const poolArn = (region: string, accountId: string, poolId: string) =>
  `arn:aws:cognito-idp:${region}:${accountId}:userpool/${poolId}`;

/** The region a pool id starts with, when it looks like one. */
export function regionOfPoolId(poolId: string): string | undefined {
  const i = poolId.indexOf('_');
  return i > 0 ? poolId.slice(0, i) : undefined;
}

export { randomInt };
