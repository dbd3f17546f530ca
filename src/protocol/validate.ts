/**
 * Request validation against the botocore model, the way AWS's front end ("coral") does it.
 *
 * Two kinds of failure:
 * - A value of the wrong JSON type (a string where a structure/number/boolean/list is expected, a
 *   fraction for an integer, ...) is a deserialisation failure: `SerializationException`, thrown at the
 *   first one found. Message: `Value 'abc' at 'accessTokenValidity' is not a valid integer`
 *   (`Value at 'password' is not a valid string` for sensitive members).
 * - Constraint violations (required, length, pattern, enum, range, collection size) are all collected
 *   and reported in one `InvalidParameterException` using coral's exact wording:
 *   `2 validation errors detected: Value 'x!' at 'clientName' failed to satisfy constraint: Member must
 *   satisfy regular expression pattern: [\w\s+=,.@-]+; Value null at 'userPoolId' failed to satisfy
 *   constraint: Member must not be null`.
 *
 * Paths (the `at '...'` part):
 * - member names with the first character lower-cased (`CallbackURLs` -> `callbackURLs`), nested
 *   members joined with dots (`tokenValidityUnits.accessToken`);
 * - items of a list of structures/lists/maps: `<list>.<N>.member`, N 1-based (AWS form,
 *   e.g. `schema.1.member.name`);
 * - a list of scalars whose items violate constraints is reported once at the list level, listing every
 *   constraint of the item shape: `Value '[a, b]' at 'allowedOAuthFlows' failed to satisfy constraint:
 *   Member must satisfy constraint: [Member must satisfy enum value set: [code, implicit, client_credentials]]`;
 * - maps likewise at the map level: `... at 'clientMetadata' failed to satisfy constraint: Map value
 *   must satisfy constraint: [...]` (and `Map key must satisfy constraint: [...]`), the form AWS uses;
 * - map values that are structures/lists (none in this model) and type errors inside maps:
 *   `<map>.<key>`; type errors of list items: `<list>.<N>.member`.
 *
 * Other choices: JSON `null` is the same as absent (at every level; null list items and map values are
 * skipped). Unknown members are ignored. Constraint order for one value: length max, length min,
 * pattern, enum (value max, value min for numbers); messages follow the model's member order.
 * Enum value sets are printed in model order. Values are rendered like Java's toString: strings as-is,
 * lists `[a, b]`, maps `{k=v}`, structures `{Name: v,Other: w}` (a guess), blobs
 * `java.nio.HeapByteBuffer[pos=0 lim=N cap=N]`; sensitive values are never echoed (`Value at '...'`,
 * or `***Sensitive Data Redacted***` inside a rendered container).
 */
import { CognitoError, errors } from './errors.js';
import { operations, shapes, type Shape } from './model.generated.js';

export type OperationAuth = 'iam' | 'none';

/** True when `name` is an operation of the model. */
export function operationExists(name: string): boolean {
  return typeof name === 'string' && Object.hasOwn(operations, name);
}

/** The operation's auth ('none' = unsigned user-facing API), or undefined for an unknown operation. */
export function operationAuth(name: string): OperationAuth | undefined {
  return operationExists(name) ? operations[name]!.auth : undefined;
}

/**
 * Validates a parsed JSON request body against the operation's input shape. Throws a CognitoError
 * (SerializationException or InvalidParameterException) when invalid; a plain Error for an unknown
 * operation (callers check operationExists first).
 */
/**
 * Members the API reference lets be blank where the model's pattern would refuse "": read as
 * absent. AdminCreateUser TemporaryPassword: "To create a user with no password, omit this
 * parameter or submit a blank value."
 */
const BLANK_MEANS_ABSENT: Record<string, readonly string[]> = { AdminCreateUser: ['TemporaryPassword'] };

export function validateInput(operation: string, input: unknown): void {
  const blank = BLANK_MEANS_ABSENT[operation];
  if (blank && input !== null && typeof input === 'object') {
    for (const member of blank) if ((input as Record<string, unknown>)[member] === '') delete (input as Record<string, unknown>)[member];
  }
  const validator = operationValidator(operation);
  const errs: string[] = [];
  // Recursion follows the shape tree (no shape of this model is recursive), never the input's own
  // nesting, and every access is type-guarded: only CognitoErrors come out of this for any JSON value.
  validator(input, errs);
  if (errs.length > 0) {
    const n = errs.length;
    throw errors.invalidParameter(`${n} validation error${n === 1 ? '' : 's'} detected: ${errs.join('; ')}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Compilation: one checker per shape, built lazily and cached.

type OpValidator = (input: unknown, errs: string[]) => void;

/** Checks `v` (never null/undefined) found at `path`; pushes violation messages; throws on type errors. */
type Check = (v: unknown, path: string, errs: string[]) => void;

interface Compiled {
  shape: Shape;
  /** Full check of a present value. */
  check: Check;
  /** Scalars only (string, numbers, blob): the type test, the violated constraints, all constraints. */
  scalar?: {
    typeOk: (v: unknown) => boolean;
    violations: (v: unknown) => string[];
    all: string[];
  };
  /** Whether values of this shape must not be echoed. */
  hideValue: boolean;
  /** Java-like rendering of a (type-checked) value of this shape. */
  render: (v: unknown) => string;
}

const opCache = new Map<string, OpValidator>();
const shapeCache = new Map<string, Compiled>();

function operationValidator(operation: string): OpValidator {
  const cached = opCache.get(operation);
  if (cached) return cached;
  if (typeof operation !== 'string' || !Object.hasOwn(operations, operation)) {
    throw new Error(`Unknown operation: ${String(operation)}`);
  }
  const inputShape = operations[operation]!.input;
  const root = inputShape === undefined ? undefined : compiled(inputShape);
  const validator: OpValidator = (input, errs) => {
    if (input === null || input === undefined) input = {};
    if (!isPlainObject(input)) throw errors.serialization('The request body must be a JSON object');
    if (root) root.check(input, '', errs);
  };
  opCache.set(operation, validator);
  return validator;
}

function compiled(name: string): Compiled {
  let c = shapeCache.get(name);
  if (c) return c;
  const shape = Object.hasOwn(shapes, name) ? shapes[name] : undefined;
  if (!shape) throw new Error(`Shape ${name} missing from the generated model`);
  // build() never compiles other shapes eagerly (children are compiled on first use), so recursive
  // shapes cannot loop here.
  c = build(shape);
  shapeCache.set(name, c);
  return c;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const lowerFirst = (s: string) => (s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1));
const join = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);

const REDACTED = '***Sensitive Data Redacted***';

function at(hide: boolean, rendered: () => string, path: string): string {
  return hide ? `Value at '${path}'` : `Value '${rendered()}' at '${path}'`;
}

function violation(hide: boolean, rendered: () => string, path: string, constraint: string): string {
  return `${at(hide, rendered, path)} failed to satisfy constraint: ${constraint}`;
}

/**
 * Rendering of a scalar, or of a value of the wrong type (never calls a JSON object's own
 * toString/valueOf, which could be data: `{"toString": 1}`).
 */
function renderForeign(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[...]';
  if (v === null) return 'null';
  return '{...}';
}

function typeError(hide: boolean, v: unknown, path: string, expected: string): CognitoError {
  const where = path === '' ? 'the request body' : `'${path}'`;
  if (hide) return errors.serialization(`Value at ${where} is not a valid ${expected}`);
  let text = renderForeign(v);
  if (text.length > 256) text = `${text.slice(0, 256)}...`;
  return errors.serialization(`Value '${text}' at ${where} is not a valid ${expected}`);
}

const lenMax = (n: number) => `Member must have length less than or equal to ${n}`;
const lenMin = (n: number) => `Member must have length greater than or equal to ${n}`;
const valMax = (n: number) => `Member must have value less than or equal to ${n}`;
const valMin = (n: number) => `Member must have value greater than or equal to ${n}`;

function build(shape: Shape): Compiled {
  const hide = shape.sensitive === true;
  switch (shape.t) {
    case 'structure':
      return buildStructure(shape, hide);
    case 'document':
      return { shape, hideValue: hide, check: () => {}, render: () => (hide ? REDACTED : 'Document') };
    case 'string':
      return buildString(shape, hide);
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return buildNumber(shape, hide);
    case 'boolean':
      return {
        shape,
        hideValue: hide,
        check: (v, path) => {
          if (typeof v !== 'boolean') throw typeError(hide, v, path, 'boolean');
        },
        render: (v) => (hide ? REDACTED : renderForeign(v)),
      };
    case 'timestamp':
      return {
        shape,
        hideValue: hide,
        check: (v, path) => {
          if (!isTimestamp(v)) throw typeError(hide, v, path, 'timestamp');
        },
        render: (v) => (hide ? REDACTED : renderForeign(v)),
      };
    case 'blob':
      return buildBlob(shape, hide);
    case 'list':
      return buildList(shape, hide);
    case 'map':
      return buildMap(shape, hide);
  }
}

function isTimestamp(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string') {
    if (v.length === 0 || v.length > 64) return false;
    if (/^-?\d+(\.\d+)?$/.test(v)) return true; // epoch seconds sent as a string
    return !Number.isNaN(Date.parse(v));
  }
  return false;
}

function buildStructure(shape: Extract<Shape, { t: 'structure' }>, hide: boolean): Compiled {
  const required = new Set(shape.r);
  const members = Object.entries(shape.m).map(([name, m]) => ({
    name,
    wire: lowerFirst(name),
    required: required.has(name),
    shapeName: m.s,
    c: undefined as Compiled | undefined,
  }));
  const memberOf = (m: (typeof members)[number]) => (m.c ??= compiled(m.shapeName));
  const check: Check = (v, path, errs) => {
    if (!isPlainObject(v)) throw typeError(hide, v, path, 'structure');
    for (const m of members) {
      const val = Object.hasOwn(v, m.name) ? v[m.name] : undefined;
      const p = join(path, m.wire);
      if (val === undefined || val === null) {
        if (m.required) errs.push(`Value null at '${p}' failed to satisfy constraint: Member must not be null`);
        continue;
      }
      memberOf(m).check(val, p, errs);
    }
  };
  const render = (v: unknown): string => {
    if (hide) return REDACTED;
    if (!isPlainObject(v)) return renderForeign(v);
    const parts: string[] = [];
    for (const m of members) {
      const val = Object.hasOwn(v, m.name) ? v[m.name] : undefined;
      if (val === undefined || val === null) continue;
      const c = memberOf(m);
      parts.push(`${m.name}: ${c.hideValue ? REDACTED : c.render(val)}`);
    }
    return `{${parts.join(',')}}`;
  };
  return { shape, hideValue: hide, check, render };
}

function buildString(shape: Extract<Shape, { t: 'string' }>, hide: boolean): Compiled {
  const { min, max, pattern } = shape;
  const enumSet = shape.enum ? new Set(shape.enum) : undefined;
  const all: string[] = [];
  if (max !== undefined) all.push(lenMax(max));
  if (min !== undefined) all.push(lenMin(min));
  const patternMsg = pattern !== undefined ? `Member must satisfy regular expression pattern: ${pattern}` : '';
  if (pattern !== undefined) all.push(patternMsg);
  const enumMsg = shape.enum ? `Member must satisfy enum value set: [${shape.enum.join(', ')}]` : '';
  if (enumSet) all.push(enumMsg);
  let matcher: ((s: string) => boolean) | null | undefined; // undefined = not compiled yet, null = skip
  const matches = (s: string): boolean => {
    if (matcher === undefined) matcher = compilePattern(pattern!);
    return matcher === null ? true : matcher(s);
  };
  const violations = (v: unknown): string[] => {
    const s = v as string;
    const out: string[] = [];
    if (max !== undefined && s.length > max) out.push(lenMax(max));
    if (min !== undefined && s.length < min) out.push(lenMin(min));
    if (pattern !== undefined && !matches(s)) out.push(patternMsg);
    if (enumSet && !enumSet.has(s)) out.push(enumMsg);
    return out;
  };
  const typeOk = (v: unknown) => typeof v === 'string';
  const render = (v: unknown) => (hide ? REDACTED : renderForeign(v));
  const check: Check = (v, path, errs) => {
    if (typeof v !== 'string') throw typeError(hide, v, path, 'string');
    for (const c of violations(v)) errs.push(violation(hide, () => v, path, c));
  };
  return { shape, hideValue: hide, check, render, scalar: { typeOk, violations, all } };
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_LIMIT = 2 ** 63;

function buildNumber(shape: Extract<Shape, { t: 'integer' | 'long' | 'double' | 'float' }>, hide: boolean): Compiled {
  const { min, max, t } = shape;
  const typeOk =
    t === 'integer'
      ? (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX
      : t === 'long'
        ? (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= -INT64_LIMIT && v < INT64_LIMIT
        : (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const all: string[] = [];
  if (max !== undefined) all.push(valMax(max));
  if (min !== undefined) all.push(valMin(min));
  const violations = (v: unknown): string[] => {
    const n = v as number;
    const out: string[] = [];
    if (max !== undefined && n > max) out.push(valMax(max));
    if (min !== undefined && n < min) out.push(valMin(min));
    return out;
  };
  const render = (v: unknown) => (hide ? REDACTED : renderForeign(v));
  const check: Check = (v, path, errs) => {
    if (!typeOk(v)) throw typeError(hide, v, path, t);
    for (const c of violations(v)) errs.push(violation(hide, () => String(v), path, c));
  };
  return { shape, hideValue: hide, check, render, scalar: { typeOk, violations, all } };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

function base64Length(s: string): number {
  let pad = 0;
  if (s.endsWith('==')) pad = 2;
  else if (s.endsWith('=')) pad = 1;
  const body = s.length - pad;
  return Math.floor((body * 3) / 4);
}

function buildBlob(shape: Extract<Shape, { t: 'blob' }>, hide: boolean): Compiled {
  const { min, max } = shape;
  const typeOk = (v: unknown) => typeof v === 'string' && BASE64.test(v);
  const all: string[] = [];
  if (max !== undefined) all.push(lenMax(max));
  if (min !== undefined) all.push(lenMin(min));
  const violations = (v: unknown): string[] => {
    const n = base64Length(v as string);
    const out: string[] = [];
    if (max !== undefined && n > max) out.push(lenMax(max));
    if (min !== undefined && n < min) out.push(lenMin(min));
    return out;
  };
  const render = (v: unknown) => {
    if (hide) return REDACTED;
    if (typeof v !== 'string') return renderForeign(v);
    const n = base64Length(v);
    return `java.nio.HeapByteBuffer[pos=0 lim=${n} cap=${n}]`;
  };
  const check: Check = (v, path, errs) => {
    if (!typeOk(v)) throw typeError(hide, v, path, 'blob (base64)');
    for (const c of violations(v)) errs.push(violation(hide, () => render(v), path, c));
  };
  return { shape, hideValue: hide, check, render, scalar: { typeOk, violations, all } };
}

function buildList(shape: Extract<Shape, { t: 'list' }>, hideSelf: boolean): Compiled {
  const { min, max } = shape;
  let item: Compiled | undefined;
  const itemC = () => (item ??= compiled(shape.member));
  const hide = () => hideSelf || itemC().hideValue;
  const render = (v: unknown): string => {
    if (hide()) return REDACTED;
    if (!Array.isArray(v)) return renderForeign(v);
    const c = itemC();
    return `[${v.map((x) => (x === null || x === undefined ? 'null' : c.render(x))).join(', ')}]`;
  };
  const check: Check = (v, path, errs) => {
    if (!Array.isArray(v)) throw typeError(hideSelf, v, path, 'list');
    const c = itemC();
    const h = hide();
    const rendered = () => render(v);
    if (max !== undefined && v.length > max) errs.push(violation(h, rendered, path, lenMax(max)));
    if (min !== undefined && v.length < min) errs.push(violation(h, rendered, path, lenMin(min)));
    if (c.scalar) {
      const { typeOk, violations, all } = c.scalar;
      let bad = false;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === null || x === undefined) continue;
        if (!typeOk(x)) c.check(x, `${path}.${i + 1}.member`, errs); // throws the type error
        if (!bad && violations(x).length > 0) bad = true;
      }
      if (bad) errs.push(violation(h, rendered, path, `Member must satisfy constraint: [${all.join(', ')}]`));
    } else {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === null || x === undefined) continue;
        c.check(x, `${path}.${i + 1}.member`, errs);
      }
    }
  };
  return {
    shape,
    get hideValue() {
      return hide();
    },
    check,
    render,
  };
}

function buildMap(shape: Extract<Shape, { t: 'map' }>, hideSelf: boolean): Compiled {
  const { min, max } = shape;
  let keyC: Compiled | undefined;
  let valC: Compiled | undefined;
  const kc = () => (keyC ??= compiled(shape.key));
  const vc = () => (valC ??= compiled(shape.value));
  const hide = () => hideSelf || kc().hideValue || vc().hideValue;
  const render = (v: unknown): string => {
    if (hide()) return REDACTED;
    if (!isPlainObject(v)) return renderForeign(v);
    const c = vc();
    const parts: string[] = [];
    for (const k of Object.keys(v)) {
      const x = v[k];
      parts.push(`${k}=${x === null || x === undefined ? 'null' : c.render(x)}`);
    }
    return `{${parts.join(', ')}}`;
  };
  const check: Check = (v, path, errs) => {
    if (!isPlainObject(v)) throw typeError(hideSelf, v, path, 'map');
    const k = kc();
    const c = vc();
    const h = hide();
    const rendered = () => render(v);
    const keys = Object.keys(v);
    if (max !== undefined && keys.length > max) errs.push(violation(h, rendered, path, lenMax(max)));
    if (min !== undefined && keys.length < min) errs.push(violation(h, rendered, path, lenMin(min)));
    let badKey = false;
    let badValue = false;
    for (const key of keys) {
      if (k.scalar && !badKey && k.scalar.violations(key).length > 0) badKey = true;
      const x = v[key];
      if (x === null || x === undefined) continue;
      const p = `${path}.${key}`;
      if (c.scalar) {
        if (!c.scalar.typeOk(x)) c.check(x, p, errs); // throws the type error
        if (!badValue && c.scalar.violations(x).length > 0) badValue = true;
      } else {
        c.check(x, p, errs);
      }
    }
    if (badKey && k.scalar) {
      errs.push(violation(h, rendered, path, `Map key must satisfy constraint: [${k.scalar.all.join(', ')}]`));
    }
    if (badValue && c.scalar) {
      errs.push(violation(h, rendered, path, `Map value must satisfy constraint: [${c.scalar.all.join(', ')}]`));
    }
  };
  return {
    shape,
    get hideValue() {
      return hide();
    },
    check,
    render,
  };
}

// ---------------------------------------------------------------------------------------------------
// Patterns: Java regular expressions with String.matches() semantics (the whole value must match).

const JAVA_SPACE = ' \\t\\n\\x0B\\f\\r';

/**
 * Rewrites the Java-only bits of a model pattern for JavaScript: `\s`/`\S` are ASCII-only in Java
 * (JavaScript's include Unicode spaces), and a leading `(?s)` becomes the `s` flag.
 */
export function javaPatternToJs(pattern: string): { source: string; dotAll: boolean } {
  let src = pattern;
  let dotAll = false;
  if (src.startsWith('(?s)')) {
    dotAll = true;
    src = src.slice(4);
  }
  src = src.split('[\\S]').join(`[^${JAVA_SPACE}]`);
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === '\\' && i + 1 < src.length) {
      const next = src[i + 1]!;
      i++;
      if (next === 's') out += inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`;
      else if (next === 'S' && !inClass) out += `[^${JAVA_SPACE}]`;
      else out += ch + next;
      continue;
    }
    if (ch === '[' && !inClass) inClass = true;
    else if (ch === ']' && inClass) inClass = false;
    out += ch;
  }
  return { source: out, dotAll };
}

function tryRegExp(source: string, flags: string): RegExp | null {
  try {
    return new RegExp(source, flags);
  } catch {
    return null;
  }
}

/** Full-match RegExp for a model pattern, or null when it cannot be compiled (the check is skipped). */
function fullMatchRegExp(pattern: string): RegExp | null {
  const { source, dotAll } = javaPatternToJs(pattern);
  const s = dotAll ? 's' : '';
  return (
    tryRegExp(`^(?:${source})$`, `u${s}`) ??
    tryRegExp(`^(?:${source})$`, s) ??
    null
  );
}

// Patterns like `C*\{##C*##\}C*` or `C+@C+` (C one character class, or `.`, that contains every
// literal character) backtrack quadratically on long inputs. They are equivalent to "every character
// is in C, and the literals occur in order, without overlapping, separated by at least one character
// where the quantifier is `+`", which is checked in linear time: placing each literal at its earliest
// possible position is optimal.
const ATOM_HEAD = new RegExp(String.raw`^(\[(?:\\.|[^\]\\])*\]|\.)([*+])`, 'u');
const LIT_HEAD = /^(?:\\[^A-Za-z0-9]|[^\\[\]().*+?{}|^$])+/u;

function literalSplitMatcher(pattern: string): ((s: string) => boolean) | null {
  let body = pattern;
  let dotAll = false;
  if (body.startsWith('(?s)')) {
    dotAll = true;
    body = body.slice(4);
  }
  const head = ATOM_HEAD.exec(body);
  if (!head) return null;
  const atom = head[1]!;
  const gaps: number[] = [head[2] === '+' ? 1 : 0];
  const literals: string[] = [];
  let rest = body.slice(head[0].length);
  while (rest.length > 0) {
    const lit = LIT_HEAD.exec(rest);
    if (!lit) return null;
    rest = rest.slice(lit[0].length);
    if (!rest.startsWith(atom)) return null;
    rest = rest.slice(atom.length);
    const q = rest[0];
    if (q !== '*' && q !== '+') return null;
    rest = rest.slice(1);
    literals.push(lit[0].replace(/\\(.)/gu, '$1'));
    gaps.push(q === '+' ? 1 : 0);
  }
  if (literals.length === 0) return null;
  const prefix = dotAll ? '(?s)' : '';
  const onlyAtoms = fullMatchRegExp(`${prefix}${atom}*`);
  const oneAtom = fullMatchRegExp(`${prefix}${atom}`);
  if (!onlyAtoms || !oneAtom) return null;
  for (const lit of literals) for (const ch of lit) if (!oneAtom.test(ch)) return null;
  return (s) => {
    if (!onlyAtoms.test(s)) return false;
    let from = 0;
    for (let k = 0; k < literals.length; k++) {
      const lit = literals[k]!;
      const i = s.indexOf(lit, from + gaps[k]!);
      if (i < 0) return false;
      from = i + lit.length;
    }
    return s.length - from >= gaps[literals.length]!;
  };
}

/**
 * Whether `value` matches a model pattern with Java `String.matches()` semantics (the whole value).
 * Patterns that cannot be compiled in JavaScript match everything. Compiled matchers are cached.
 */
export function matchesModelPattern(pattern: string, value: string): boolean {
  const fn = compilePattern(pattern);
  return fn === null ? true : fn(value);
}

/** Full-match RegExp only (no linear-time rewrite); exported for differential tests. */
export function modelPatternRegExp(pattern: string): RegExp | null {
  return fullMatchRegExp(pattern);
}

const patternCache = new Map<string, ((s: string) => boolean) | null>();

function compilePattern(pattern: string): ((s: string) => boolean) | null {
  if (patternCache.has(pattern)) return patternCache.get(pattern)!;
  let fn: ((s: string) => boolean) | null = literalSplitMatcher(pattern);
  if (!fn) {
    const re = fullMatchRegExp(pattern);
    fn = re ? (s) => re.test(s) : null;
  }
  patternCache.set(pattern, fn);
  return fn;
}
