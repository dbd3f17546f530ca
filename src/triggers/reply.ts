/**
 * Reading a trigger's reply the way Cognito reads it. Cognito parses a Lambda reply into typed
 * (Java) members with Jackson, whose default deserialization coerces scalars into a boolean
 * member: JSON true/false, the strings "true"/"false" (any case, trimmed), "" and null as false,
 * and an integer (0 false, any other true). Anything else (another string, a fraction, an object,
 * a list) does not parse: InvalidLambdaResponseException "Unrecognizable lambda output". Every
 * boolean of every trigger's reply is read here (docs/decisions.md, "Booleans in trigger replies").
 */
import { errors } from '../protocol/errors.js';

/** The boolean `value` of a trigger's reply stands for; throws InvalidLambdaResponseException when it is none. */
export function replyBoolean(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false' || t === '') return false;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return value !== 0;
  throw errors.invalidLambdaResponse('Unrecognizable lambda output');
}
