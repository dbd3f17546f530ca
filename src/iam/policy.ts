/**
 * IAM identity policies: parsing (with errors a person can act on) and evaluation.
 *
 * What is supported, as IAM evaluates an identity-based policy on its own:
 *   - Statement: one object or a list; Effect Allow | Deny; Sid (ignored).
 *   - Action or NotAction, Resource or NotResource: a string or a list of strings, with `*` (any run of
 *     characters) and `?` (one character). Actions compare without regard to case, resources with.
 *   - Explicit Deny wins over any Allow; nothing allowed means denied (implicit deny).
 * Not supported, refused at start-up rather than ignored: Condition (ignoring one on an Allow would grant
 * more than the policy says), Principal / NotPrincipal (identity policies have none).
 */

export type Effect = 'Allow' | 'Deny';

export interface Statement {
  effect: Effect;
  /** Exactly one of actions / notActions is set. */
  actions?: RegExp[];
  notActions?: RegExp[];
  /** Exactly one of resources / notResources is set. */
  resources?: RegExp[];
  notResources?: RegExp[];
}

export interface Policy {
  statements: Statement[];
}

/** `allow`; `explicit-deny` (a Deny statement matched); `implicit-deny` (no Allow matched). */
export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

export class PolicyError extends Error {}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal']);

/** A wildcard pattern (`*`, `?`) as an anchored regular expression. */
export function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's');
}

function stringList(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' && x.length > 0)) {
    throw new PolicyError(`${where} must be a non-empty string or a non-empty list of strings`);
  }
  return list as string[];
}

function parseAction(a: string, where: string): RegExp {
  // `*` alone, or `<service>:<action pattern>` (`cognito-idp:Admin*`, `incognito:ListMessages`).
  if (a !== '*' && !/^[a-zA-Z0-9-]+:[A-Za-z0-9*?]+$/.test(a)) {
    throw new PolicyError(`${where}: '${a}' is not an action (service:Action, e.g. cognito-idp:AdminGetUser or cognito-idp:Admin*)`);
  }
  return wildcard(a, true);
}

/** Parses an IAM policy document; `where` names it in messages (e.g. the key's name). */
export function parsePolicy(doc: unknown, where: string): Policy {
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      throw new PolicyError(`${where}: the policy is a string that is not JSON`);
    }
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new PolicyError(`${where}: the policy must be a JSON object with a Statement`);
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (k !== 'Version' && k !== 'Id' && k !== 'Statement') throw new PolicyError(`${where}: unknown policy element '${k}' (Version, Id, Statement)`);
  }
  if (d.Version !== undefined && !(typeof d.Version === 'string' && VERSIONS.has(d.Version))) {
    throw new PolicyError(`${where}: Version must be "2012-10-17"`);
  }
  const raw = Array.isArray(d.Statement) ? d.Statement : d.Statement !== undefined ? [d.Statement] : undefined;
  if (!raw) throw new PolicyError(`${where}: the policy has no Statement`);
  const statements = raw.map((s: unknown, i): Statement => {
    const at = `${where}: Statement[${i}]`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new PolicyError(`${at} must be an object`);
    const st = s as Record<string, unknown>;
    for (const k of Object.keys(st)) if (!STATEMENT_KEYS.has(k)) throw new PolicyError(`${at}: unknown element '${k}'`);
    if (st.Condition !== undefined) throw new PolicyError(`${at}: Condition is not supported by incognito (a policy is refused rather than applied without it)`);
    if (st.Principal !== undefined || st.NotPrincipal !== undefined) throw new PolicyError(`${at}: Principal has no place in a key's (identity) policy`);
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw new PolicyError(`${at}: Effect must be "Allow" or "Deny"`);
    if ((st.Action === undefined) === (st.NotAction === undefined)) throw new PolicyError(`${at} needs exactly one of Action and NotAction`);
    if ((st.Resource === undefined) === (st.NotResource === undefined)) throw new PolicyError(`${at} needs exactly one of Resource and NotResource`);
    const out: Statement = { effect: st.Effect };
    if (st.Action !== undefined) out.actions = stringList(st.Action, `${at}.Action`).map((a) => parseAction(a, `${at}.Action`));
    else out.notActions = stringList(st.NotAction, `${at}.NotAction`).map((a) => parseAction(a, `${at}.NotAction`));
    if (st.Resource !== undefined) out.resources = stringList(st.Resource, `${at}.Resource`).map((r) => wildcard(r, false));
    else out.notResources = stringList(st.NotResource, `${at}.NotResource`).map((r) => wildcard(r, false));
    return out;
  });
  return { statements };
}

const any = (patterns: RegExp[], value: string) => patterns.some((p) => p.test(value));

function matches(s: Statement, action: string, resource: string): boolean {
  const actionOk = s.actions ? any(s.actions, action) : !any(s.notActions!, action);
  if (!actionOk) return false;
  return s.resources ? any(s.resources, resource) : !any(s.notResources!, resource);
}

/** What the policy says about `action` (`cognito-idp:AdminGetUser`) on `resource` (an ARN or `*`). */
export function evaluate(policy: Policy, action: string, resource: string): Decision {
  let allowed = false;
  for (const s of policy.statements) {
    if (!matches(s, action, resource)) continue;
    if (s.effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
