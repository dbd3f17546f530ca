/**
 * Changing a user's attributes: email and phone_number un-verify when they change, unless the
 * same request marks them verified (administrators only); in pools whose
 * UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate names them, the old value
 * stays active and the new one waits (user.extra.pendingAttributes) until VerifyUserAttribute.
 */
import type { PoolRecord, UserExtra, UserRecord } from '../store/types.js';
import { errors } from '../protocol/errors.js';
import { isTrue, type Attributes } from './attributes.js';

export type Verifiable = 'email' | 'phone_number';
const FLAGS = [
  ['email', 'email_verified'],
  ['phone_number', 'phone_number_verified'],
] as const;

export interface AttributeUpdate {
  attributes: Attributes;
  /** New values waiting for verification (the old values stay active meanwhile). */
  pending: Attributes;
  /** Attributes a verification code should now go to (their new value). */
  verify: Verifiable[];
}

export const pendingOf = (u: Pick<UserRecord, 'extra'>): Attributes => u.extra.pendingAttributes ?? {};

/** The user's attributes after `changes` (names checked by the caller; '' deletes). */
export function planUpdate(pool: PoolRecord, user: Pick<UserRecord, 'attributes' | 'extra'>, changes: Attributes): AttributeUpdate {
  const attributes = { ...user.attributes, ...changes };
  const pending = { ...pendingOf(user) };
  const verify: Verifiable[] = [];
  const auto = new Set<string>(pool.settings.AutoVerifiedAttributes ?? []);
  const keepOriginal = new Set<string>(pool.settings.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? []);
  for (const [attr, flag] of FLAGS) {
    const next = changes[attr];
    if (next === undefined) continue;
    if (next === '') {
      if ((pool.settings.UsernameAttributes ?? []).includes(attr)) throw errors.invalidParameter(`Cannot remove the ${attr} of a user whose username it is.`);
      delete attributes[attr];
      delete attributes[flag];
      delete pending[attr];
      continue;
    }
    if (next === user.attributes[attr]) {
      delete pending[attr];
      continue;
    }
    if (isTrue(changes[flag])) {
      delete pending[attr];
      continue;
    }
    if (keepOriginal.has(attr) && user.attributes[attr] && isTrue(user.attributes[flag])) {
      attributes[attr] = user.attributes[attr]!;
      attributes[flag] = 'true';
      pending[attr] = next;
      verify.push(attr);
      continue;
    }
    delete pending[attr];
    if (changes[flag] === undefined) attributes[flag] = 'false';
    if (auto.has(attr)) verify.push(attr);
  }
  for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
  return { attributes, pending, verify };
}

/** The extra field with the pending values set (or gone when none are left). */
export function withPending(extra: UserExtra, pending: Attributes): UserExtra {
  const { pendingAttributes: _, ...rest } = extra;
  return Object.keys(pending).length ? { ...rest, pendingAttributes: pending } : rest;
}
