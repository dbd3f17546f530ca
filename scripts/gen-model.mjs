#!/usr/bin/env node
// Generates src/protocol/model.generated.ts from the Cognito User Pools service model that botocore
// ships (cognito-idp 2016-04-18). Plain Node ESM, no dependencies.
//
// Usage: npm run gen:model                 (finds the model through python3 + botocore)
//        node scripts/gen-model.mjs <path>  (service-2.json or service-2.json.gz)
//
// Output: every operation (name -> input/output shape, modelled errors, auth) and every shape reachable
// from any operation INPUT shape, in a compact form (see the `Shape` type written below). Output shapes
// are not needed: they are only used to validate requests.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const outFile = resolve(here, '..', 'src', 'protocol', 'model.generated.ts');
const MODEL_REL = join('data', 'cognito-idp', '2016-04-18', 'service-2.json.gz');

function python(code) {
  return execFileSync('python3', ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function botocoreVersion() {
  try {
    return python('import botocore;print(botocore.__version__)');
  } catch {
    return 'unknown';
  }
}

function findModel() {
  if (process.argv[2]) return resolve(process.argv[2]);
  let dir;
  try {
    dir = python('import botocore,os;print(os.path.dirname(botocore.__file__))');
  } catch (e) {
    throw new Error(
      'Could not locate botocore (python3 -c "import botocore" failed). Install botocore or pass the path ' +
        'to service-2.json(.gz) as the first argument.\n' + String(e),
    );
  }
  return join(dir, MODEL_REL);
}

const modelPath = findModel();
let raw = readFileSync(modelPath);
if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
const model = JSON.parse(raw.toString('utf8'));
const version = botocoreVersion();
const apiVersion = model.metadata?.apiVersion ?? 'unknown';

const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// ---- operations -------------------------------------------------------------------------------
function authOf(op) {
  if (op.authtype === 'none') return 'none';
  if (Array.isArray(op.auth) && op.auth.length > 0 && op.auth.every((a) => a === 'smithy.api#noAuth')) return 'none';
  return 'iam';
}

const operations = {};
for (const name of Object.keys(model.operations).sort(byName)) {
  const op = model.operations[name];
  const entry = {};
  if (op.input?.shape) entry.input = op.input.shape;
  if (op.output?.shape) entry.output = op.output.shape;
  entry.errors = (op.errors ?? []).map((e) => e.shape).sort(byName);
  entry.auth = authOf(op);
  operations[name] = entry;
}

// ---- shapes reachable from inputs -------------------------------------------------------------
const reachable = new Set();
function walk(name) {
  if (reachable.has(name)) return;
  const s = model.shapes[name];
  if (!s) throw new Error(`shape ${name} referenced but not defined`);
  reachable.add(name);
  for (const m of Object.values(s.members ?? {})) walk(m.shape);
  for (const k of ['member', 'key', 'value']) if (s[k]?.shape) walk(s[k].shape);
}
for (const op of Object.values(model.operations)) if (op.input?.shape) walk(op.input.shape);

function num(x) {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

function compact(name) {
  const s = model.shapes[name];
  const out = {};
  const bounds = () => {
    if (num(s.min) !== undefined) out.min = s.min;
    if (num(s.max) !== undefined) out.max = s.max;
  };
  switch (s.type) {
    case 'structure':
      if (s.document) {
        out.t = 'document';
        break;
      }
      out.t = 'structure';
      out.m = {};
      // Member order is the model's order (it decides the order of validation messages).
      for (const [mn, m] of Object.entries(s.members ?? {})) out.m[mn] = { s: m.shape };
      out.r = [...(s.required ?? [])];
      break;
    case 'string':
      out.t = 'string';
      bounds();
      if (typeof s.pattern === 'string') out.pattern = s.pattern;
      if (Array.isArray(s.enum)) out.enum = [...s.enum]; // model order
      break;
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
    case 'blob':
      out.t = s.type;
      bounds();
      break;
    case 'boolean':
    case 'timestamp':
      out.t = s.type;
      break;
    case 'list':
      out.t = 'list';
      out.member = s.member.shape;
      bounds();
      break;
    case 'map':
      out.t = 'map';
      out.key = s.key.shape;
      out.value = s.value.shape;
      bounds();
      break;
    default:
      throw new Error(`shape ${name}: unsupported type ${s.type}`);
  }
  if (s.sensitive === true) out.sensitive = true;
  return out;
}

// ---- overrides -----------------------------------------------------------------------------------
// Where the published model is stricter than the service, on evidence; each entry says why. The
// operation handlers check what is dropped here.
const OVERRIDES = {
  // DomainType's pattern and 63-character limit are the rule for prefix domains, but the same shape
  // carries custom domain names (`auth.example.com`, with dots and often longer). The service does
  // not apply them to the request as a whole: a name it refuses gets CreateUserPoolDomain's own
  // "The domain name contains an invalid character. ..." (InvalidParameterException), not the
  // generic "1 validation error detected" (mineiros-io/terraform-aws-cognito-user-pool#69), and
  // tools that copied the pattern had to drop it for custom domains
  // (terraform-linters/tflint-ruleset-aws#156, #158). See src/operations/domains/shared.ts.
  DomainType: { drop: ['pattern', 'max'] },
  // Passwords may hold spaces, though not at either end: the AWS password-policy page counts a space
  // as a symbol, and the service now refuses a password that begins or ends with one with this
  // pattern in its message ("Value at 'password' failed to satisfy constraint: Member must satisfy
  // regular expression pattern: ^[\S]+.*[\S]+$", ConfirmForgotPassword, 2025:
  // cds-snc/platform-forms-client#5635), where the published model still says `[\S]+`, which
  // refused every space (amplify-js#869, 2018). src/domain/passwords.ts applies the same rule to
  // passwords in AuthParameters and ChallengeResponses, which have no pattern.
  PasswordType: { set: { pattern: '^[\\S]+.*[\\S]+$' } },
};

function withOverrides(name, compacted) {
  const o = OVERRIDES[name];
  if (!o) return compacted;
  const out = { ...compacted };
  for (const k of o.drop ?? []) delete out[k];
  Object.assign(out, o.set ?? {});
  return out;
}

// ---- emit ---------------------------------------------------------------------------------------
const lines = [];
lines.push(
  '// GENERATED FILE - DO NOT EDIT.',
  `// Source: botocore ${version}, botocore/${MODEL_REL.split('\\').join('/')} (cognito-idp apiVersion ${apiVersion}).`,
  '// Regenerate with: npm run gen:model   (scripts/gen-model.mjs; optional argument: path to service-2.json[.gz])',
  `// Overridden shapes (see OVERRIDES in scripts/gen-model.mjs): ${Object.keys(OVERRIDES).join(', ')}.`,
  '/* eslint-disable */',
  '',
  '/** Compact form of a botocore shape. Only shapes reachable from operation inputs are included. */',
  'export type Shape =',
  "  | { t: 'structure'; m: Record<string, { s: string }>; r: string[]; sensitive?: true }",
  "  | { t: 'document'; sensitive?: true }",
  "  | { t: 'string'; min?: number; max?: number; pattern?: string; enum?: string[]; sensitive?: true }",
  "  | { t: 'integer' | 'long' | 'double' | 'float'; min?: number; max?: number; sensitive?: true }",
  "  | { t: 'boolean'; sensitive?: true }",
  "  | { t: 'timestamp'; sensitive?: true }",
  "  | { t: 'blob'; min?: number; max?: number; sensitive?: true }",
  "  | { t: 'list'; member: string; min?: number; max?: number; sensitive?: true }",
  "  | { t: 'map'; key: string; value: string; min?: number; max?: number; sensitive?: true };",
  '',
  'export interface OperationModel {',
  '  input?: string;',
  '  output?: string;',
  '  errors: string[];',
  "  /** 'none' for the operations the model marks authtype none / smithy.api#noAuth (sent unsigned). */",
  "  auth: 'iam' | 'none';",
  '}',
  '',
  `export const BOTOCORE_VERSION = ${JSON.stringify(version)};`,
  `export const API_VERSION = ${JSON.stringify(apiVersion)};`,
  `export const MODEL_VERSION = { botocore: BOTOCORE_VERSION, apiVersion: API_VERSION } as const;`,
  '',
  `/** All ${Object.keys(operations).length} operations of the model, sorted by name. */`,
  'export const operations: Record<string, OperationModel> = {',
);
for (const [name, op] of Object.entries(operations)) lines.push(`  ${name}: ${JSON.stringify(op)},`);
lines.push('};', '');
const shapeNames = [...reachable].sort(byName);
lines.push(`/** The ${shapeNames.length} shapes reachable from operation inputs, sorted by name. */`);
lines.push('export const shapes: Record<string, Shape> = {');
for (const name of shapeNames) lines.push(`  ${name}: ${JSON.stringify(withOverrides(name, compact(name)))},`);
lines.push('};', '');

writeFileSync(outFile, lines.join('\n'));
console.log(
  `wrote ${outFile}: ${Object.keys(operations).length} operations, ${shapeNames.length} shapes (botocore ${version})`,
);
