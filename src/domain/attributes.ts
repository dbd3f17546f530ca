/**
 * User attributes against the pool's schema: names, types, lengths, mutability, required
 * attributes, and which attributes a client may read or write. Messages follow Cognito's
 * "Attributes did not conform to the schema: <name>: <why>\n" form (each line ends with a newline).
 */
import type { AttributeType, SchemaAttributeType } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../protocol/errors.js';
import type { PoolSettings } from './pool-settings.js';
import type { ClientSettings } from './client-settings.js';

export type Attributes = Record<string, string>;

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+[0-9]{4,15}$/;

function schemaMap(settings: PoolSettings): Map<string, SchemaAttributeType> {
  return new Map((settings.SchemaAttributes ?? []).map((a) => [a.Name!, a]));
}

/** Cognito's schema error: one line a problem, each ending with a newline (amplify-flutter#509). */
function nonConforming(problems: string[]): never {
  throw errors.invalidParameter(`Attributes did not conform to the schema: ${problems.map((p) => `${p}\n`).join('')}`);
}

/**
 * A Boolean attribute's value read as the boolean: `true` in any case (Cognito accepts `True` and
 * keeps it as written; amplify-js#8205). Every reader of email_verified, phone_number_verified and
 * custom Boolean attributes goes through this, never `=== 'true'`.
 */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.length === 4 && value.toLowerCase() === 'true';
}

/** A value a Boolean attribute accepts: `true` or `false` in any case. */
export function isBooleanText(value: string): boolean {
  const l = value.toLowerCase();
  return l === 'true' || l === 'false';
}

/** Turns a request's [{Name, Value}] list into a map; the last value of a repeated name wins. */
export function toMap(list: AttributeType[] | undefined): Attributes {
  const out: Attributes = {};
  for (const a of list ?? []) out[a.Name!] = a.Value ?? '';
  return out;
}

/** Checks each attribute's name, type and length against the schema (not mutability or required). */
export function checkValues(attrs: Attributes, settings: PoolSettings): void {
  const schema = schemaMap(settings);
  const problems: string[] = [];
  for (const [name, value] of Object.entries(attrs)) {
    const def = schema.get(name);
    if (!def || name === 'identities') {
      problems.push(`${name}: Attribute does not exist in the schema.`);
      continue;
    }
    if (name === 'sub') {
      problems.push('sub: Attribute cannot be updated. (changing an immutable attribute)');
      continue;
    }
    if (value === '') continue;
    switch (def.AttributeDataType) {
      case 'Boolean':
        if (!isBooleanText(value)) problems.push(`${name}: Attribute must be 'true' or 'false'.`);
        break;
      case 'Number': {
        if (!/^-?\d+(\.\d+)?$/.test(value)) {
          problems.push(`${name}: Number must be a decimal number.`);
          break;
        }
        const n = Number(value);
        const c = def.NumberAttributeConstraints ?? {};
        if (c.MinValue !== undefined && n < Number(c.MinValue)) problems.push(`${name}: Number must be no less than ${c.MinValue}`);
        if (c.MaxValue !== undefined && n > Number(c.MaxValue)) problems.push(`${name}: Number must be no greater than ${c.MaxValue}`);
        break;
      }
      case 'DateTime':
        if (Number.isNaN(Date.parse(value))) problems.push(`${name}: Attribute must be a date and time.`);
        break;
      default: {
        const c = def.StringAttributeConstraints ?? {};
        const len = [...value].length;
        if (c.MaxLength !== undefined && len > Number(c.MaxLength)) problems.push(`${name}: String must be no longer than ${c.MaxLength} characters`);
        if (c.MinLength !== undefined && len < Number(c.MinLength)) problems.push(`${name}: String must be no shorter than ${c.MinLength} characters`);
      }
    }
  }
  if (problems.length) nonConforming(problems);
  if (attrs.email && !EMAIL.test(attrs.email)) throw errors.invalidParameter('Invalid email address format.');
  if (attrs.phone_number && !PHONE.test(attrs.phone_number)) throw errors.invalidParameter('Invalid phone number format.');
}

/** Every attribute the schema marks required must have a non-empty value. */
export function checkRequired(attrs: Attributes, settings: PoolSettings): void {
  const missing = (settings.SchemaAttributes ?? [])
    .filter((a) => a.Required && a.Name !== 'sub' && !attrs[a.Name!])
    .map((a) => `${a.Name}: The attribute is required`);
  if (missing.length) nonConforming(missing);
}

/** An attribute whose schema says immutable cannot change once the user exists. */
export function checkMutable(current: Attributes, changes: Attributes, settings: PoolSettings): void {
  const schema = schemaMap(settings);
  const problems = Object.keys(changes)
    .filter((n) => schema.get(n)?.Mutable === false && current[n] !== undefined && current[n] !== changes[n])
    .map((n) => `${n}: Attribute cannot be updated. (changing an immutable attribute)`);
  if (problems.length) nonConforming(problems);
}

/**
 * The attributes a client may write: its WriteAttributes, or every standard and custom attribute.
 * The pool's required attributes are writable by every client (the developer guide: "All app
 * clients can write user pool required attributes"), else a client whose WriteAttributes leave one
 * out could never sign a user up. For a client without WriteAttributes, a name the schema does not
 * have is left to checkValues ("Attributes did not conform to the schema: custom:x: Attribute does
 * not exist in the schema.", as Cognito answers SignUp with a custom attribute the pool lacks).
 */
export function checkClientMayWrite(names: string[], client: ClientSettings, settings: PoolSettings): void {
  const schema = (settings.SchemaAttributes ?? []).map((a) => a.Name!);
  const required = (settings.SchemaAttributes ?? []).filter((a) => a.Required && a.Name !== 'sub').map((a) => a.Name!);
  const allowed = client.WriteAttributes
    ? new Set([...client.WriteAttributes, ...required])
    : new Set(schema.filter((n) => n !== 'sub' && n !== 'email_verified' && n !== 'phone_number_verified' && !n.startsWith('dev:')));
  const known = new Set(schema);
  const refused = (n: string) => !allowed.has(n) && (client.WriteAttributes !== undefined || known.has(n));
  if (names.some(refused)) throw errors.notAuthorized('A client attempted to write unauthorized attribute');
}

/** The attribute list as the API returns it: `sub` first, then the rest in stored order. */
export function toList(sub: string, attrs: Attributes, only?: Set<string>): AttributeType[] {
  const list: AttributeType[] = [];
  if (!only || only.has('sub')) list.push({ Name: 'sub', Value: sub });
  // for-in, not Object.entries: no [name, value] array a member (ListUsers renders 60 users a page).
  for (const Name in attrs) if (!only || only.has(Name)) list.push({ Name, Value: attrs[Name]! });
  return list;
}
