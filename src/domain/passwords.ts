/**
 * Passwords: the pool's policy (Cognito's InvalidPasswordException texts), argon2id hashing at
 * OWASP's parameters (m=19 MiB, t=2, p=1; `@node-rs/argon2`, on the libuv threadpool), and
 * temporary passwords that satisfy the policy.
 */
import { hash, verify } from '@node-rs/argon2';
import { randomInt } from 'node:crypto';
import { errors } from '../protocol/errors.js';
import { DEFAULT_PASSWORD_POLICY, type PoolSettings } from './pool-settings.js';

const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** The characters Cognito counts as symbols (and a space that is not leading or trailing). */
const SYMBOLS = `^$*.[]{}()?"!@#%&/\\,><':;|_~\`=+- `;
const SYMBOL_SET = new Set(SYMBOLS);

type Policy = NonNullable<NonNullable<PoolSettings['Policies']>['PasswordPolicy']>;

export function policyOf(settings: PoolSettings): Policy {
  return settings.Policies?.PasswordPolicy ?? DEFAULT_PASSWORD_POLICY;
}

/**
 * The preamble of the InvalidPasswordException text, which differs by operation in Cognito:
 * `policy` "Password did not conform with policy: " (SignUp, and where no capture says otherwise),
 * `passwordPolicy` "Password did not conform with password policy: " (AdminCreateUser's
 * TemporaryPassword), `doesNot` "Password does not conform to policy: " (ConfirmForgotPassword, and
 * the NEW_PASSWORD_REQUIRED answer). The evidence is in docs/decisions.md.
 */
export type PolicyWording = 'policy' | 'passwordPolicy' | 'doesNot';
const PREAMBLE: Record<PolicyWording, string> = {
  policy: 'Password did not conform with policy: ',
  passwordPolicy: 'Password did not conform with password policy: ',
  doesNot: 'Password does not conform to policy: ',
};

/** Throws InvalidPasswordException naming the first rule the password breaks. */
export function checkPassword(password: string, settings: PoolSettings, wording: PolicyWording = 'policy'): void {
  const invalid = (why: string) => errors.invalidPassword(PREAMBLE[wording] + why);
  const p = policyOf(settings);
  if (/^\s|\s$/.test(password)) throw invalid('Password must not begin or end with a space');
  if ([...password].length < (p.MinimumLength ?? 8)) throw invalid('Password not long enough');
  if (p.RequireLowercase && !/[a-z]/.test(password)) throw invalid('Password must have lowercase characters');
  if (p.RequireUppercase && !/[A-Z]/.test(password)) throw invalid('Password must have uppercase characters');
  if (p.RequireNumbers && !/[0-9]/.test(password)) throw invalid('Password must have numeric characters');
  if (p.RequireSymbols && ![...password].some((c) => SYMBOL_SET.has(c))) throw invalid('Password must have symbol characters');
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** Constant-time comparison inside argon2's verify; false for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let decoy: Promise<string> | undefined;

/**
 * Spends what a real password check spends, for a user that does not exist, so that the time of
 * an answer does not tell whether the user exists (PreventUserExistenceErrors).
 */
export async function checkNobodysPassword(password: string): Promise<void> {
  decoy ??= hashPassword('incognito decoy password');
  await verifyPassword(await decoy, password);
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const TEMP_SYMBOLS = '!@#$%^&*-_=+?';

/** A random temporary password that meets the pool's policy (at least 12 characters). */
export function temporaryPassword(settings: PoolSettings): string {
  const p = policyOf(settings);
  const length = Math.max(12, p.MinimumLength ?? 8);
  const pick = (set: string) => set[randomInt(set.length)]!;
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(TEMP_SYMBOLS)];
  const all = LOWER + UPPER + DIGITS + TEMP_SYMBOLS;
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
