/**
 * The console's pages and actions by path (under /_incognito/console), each with the IAM action a
 * key's policy must allow on the pool (or `*`) for it: the operation the page reads through or
 * the action performs, as the API would need.
 */
import type { Services } from '../protocol/dispatch.js';
import type { Ctx } from '../operations/context.js';
import * as pages from './pages.js';
import * as actions from './actions.js';

export interface ConsoleResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What a page or an action gets. */
export interface ConsoleCall {
  s: Services;
  ctx: Ctx;
  /** The path's parameters: pool, client, user, group, job. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The POSTed form (empty for a GET); its CSRF token already checked. */
  form: URLSearchParams;
  /** The CSRF token every form of the page carries. */
  csrf: string;
  /** The name of the access key in use (none without keys). */
  who: string | undefined;
  /** The home page for a key its policy refuses ListUserPools: it lists only the pools the key may open. */
  scoped: boolean;
  /** Whether the key's policy allows `action` on the pool `poolId` (always, without keys). */
  may(action: string, poolId?: string): boolean;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Literal segments, and `:name` for a parameter. */
  pattern: string[];
  action: string;
  run(c: ConsoleCall): Promise<ConsoleResponse>;
}

/** The parameters when `segs` fit `pattern`, else undefined. */
export function matchPath(pattern: string[], segs: string[]): Record<string, string> | undefined {
  if (pattern.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith(':')) {
      if (segs[i] === '') return undefined;
      params[p.slice(1)] = segs[i]!;
    } else if (p !== segs[i]) return undefined;
  }
  return params;
}

const route = (method: 'GET' | 'POST', path: string, action: string, run: Route['run']): Route => ({
  method,
  pattern: path === '' ? [] : path.split('/'),
  action,
  run,
});

export const ROUTES: Route[] = [
  route('GET', '', 'cognito-idp:ListUserPools', pages.poolsPage),
  route('GET', 'pools/:pool', 'cognito-idp:DescribeUserPool', pages.poolPage),
  route('GET', 'pools/:pool/clients/:client', 'cognito-idp:DescribeUserPoolClient', pages.clientPage),
  route('GET', 'pools/:pool/users', 'cognito-idp:ListUsers', (c) => pages.usersPage(c)),
  route('POST', 'pools/:pool/users', 'cognito-idp:AdminCreateUser', actions.createUser),
  route('GET', 'pools/:pool/users/:user', 'cognito-idp:AdminGetUser', (c) => pages.userPage(c)),
  route('POST', 'pools/:pool/users/:user/password', 'cognito-idp:AdminSetUserPassword', actions.setPassword),
  route('POST', 'pools/:pool/users/:user/resend', 'cognito-idp:AdminCreateUser', actions.resendInvitation),
  route('POST', 'pools/:pool/users/:user/confirm', 'cognito-idp:AdminConfirmSignUp', actions.confirm),
  route('POST', 'pools/:pool/users/:user/enable', 'cognito-idp:AdminEnableUser', actions.enable),
  route('POST', 'pools/:pool/users/:user/disable', 'cognito-idp:AdminDisableUser', actions.disable),
  route('GET', 'pools/:pool/users/:user/delete', 'cognito-idp:AdminGetUser', pages.deletePage),
  route('POST', 'pools/:pool/users/:user/delete', 'cognito-idp:AdminDeleteUser', actions.deleteUser),
  route('POST', 'pools/:pool/users/:user/groups/add', 'cognito-idp:AdminAddUserToGroup', actions.addToGroup),
  route('POST', 'pools/:pool/users/:user/groups/remove', 'cognito-idp:AdminRemoveUserFromGroup', actions.removeFromGroup),
  route('GET', 'pools/:pool/groups', 'cognito-idp:ListGroups', pages.groupsPage),
  route('GET', 'pools/:pool/groups/:group', 'cognito-idp:ListUsersInGroup', pages.groupPage),
  route('GET', 'pools/:pool/messages', 'incognito:ListMessages', pages.messagesPage),
  route('GET', 'pools/:pool/imports', 'cognito-idp:ListUserImportJobs', pages.importsPage),
  route('GET', 'pools/:pool/imports/:job', 'incognito:GetImportLog', pages.importPage),
];
