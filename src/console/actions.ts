/**
 * The console's actions: each builds the request of the Cognito operation it stands for, validates
 * it against the service model as the API does (protocol/validate.ts), and runs the operation's
 * use-case (account/admin-users.ts). Success redirects (303) to the page with a fixed message; a
 * refusal shows Cognito's error, e.g. a password that breaks the policy: "InvalidPasswordException:
 * Password did not conform with policy: ...": a refused create on the users page again (400, with
 * what was typed), a refused action on a user by a redirect to the user's page (reloading it posts
 * nothing), or on the users page (404) when the user is not there.
 */
import {
  adminAddUserToGroup,
  adminConfirmSignUp,
  adminCreateUser,
  adminDeleteUser,
  adminRemoveUserFromGroup,
  adminSetUserEnabled,
  adminSetUserPassword,
} from '../account/admin-users.js';
import { findUser } from '../domain/users.js';
import { loadPool } from '../operations/pools/shared.js';
import { isCognitoError } from '../protocol/errors.js';
import { validateInput } from '../protocol/validate.js';
import { href } from './html.js';
import { errorQuery, usersPage } from './pages.js';
import type { ConsoleCall, ConsoleResponse } from './routes.js';

const seeOther = (location: string): ConsoleResponse => ({ status: 303, headers: { Location: location }, body: '' });

/** Runs `op` on its validated input; a Cognito error becomes `refused(message)` (the page again, status 400). */
async function attempt(
  operation: string,
  input: Record<string, unknown>,
  op: () => Promise<unknown>,
  done: () => Promise<ConsoleResponse> | ConsoleResponse,
  refused: (text: string) => Promise<ConsoleResponse>,
): Promise<ConsoleResponse> {
  try {
    validateInput(operation, input);
    await op();
  } catch (e) {
    if (isCognitoError(e) && e.status < 500) return refused(`${e.type}: ${e.message}`);
    throw e;
  }
  return done();
}

const field = (c: ConsoleCall, name: string) => (c.form.get(name) ?? '').trim();

export async function createUser(c: ConsoleCall): Promise<ConsoleResponse> {
  const poolId = c.params.pool!;
  const attributes: { Name: string; Value: string }[] = [];
  for (const name of ['email', 'phone_number']) {
    const v = field(c, name);
    if (v) {
      attributes.push({ Name: name, Value: v });
      if (c.form.get(`${name}_verified`) === 'on') attributes.push({ Name: `${name}_verified`, Value: 'true' });
    }
  }
  // The pool's other required attributes (their own fields), then free `name=value` lines.
  for (const [name, value] of c.form) {
    if (name.startsWith('attr.') && value.trim() !== '') attributes.push({ Name: name.slice(5), Value: value.trim() });
  }
  const lines = (c.form.get('attributes') ?? '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      return usersPage(c, { kind: 'error', text: `InvalidParameterException: Other attributes, line ${i + 1} ("${line}"): write one attribute a line as name=value, e.g. given_name=Ada.` }, c.form, 400);
    }
    attributes.push({ Name: line.slice(0, eq).trim(), Value: line.slice(eq + 1).trim() });
  }
  const mediums = [...(c.form.get('invite_email') === 'on' ? ['EMAIL'] : []), ...(c.form.get('invite_sms') === 'on' ? ['SMS'] : [])];
  const temp = c.form.get('temporary_password') ?? '';
  const input = {
    UserPoolId: poolId,
    Username: field(c, 'username'),
    ...(attributes.length ? { UserAttributes: attributes } : {}),
    ...(temp !== '' ? { TemporaryPassword: temp } : {}),
    ...(mediums.length ? { DesiredDeliveryMediums: mediums } : { MessageAction: 'SUPPRESS' }),
  };
  let username = input.Username;
  return attempt(
    'AdminCreateUser',
    input,
    async () => {
      const r = (await adminCreateUser(input as Parameters<typeof adminCreateUser>[0], c.ctx)) as { User: { Username?: string } };
      username = r.User.Username ?? username;
    },
    () => seeOther(href(['pools', poolId, 'users', username], { done: 'created' })),
    (text) => usersPage(c, { kind: 'error', text }, c.form, 400),
  );
}

/**
 * A refused action on the user of the path: back (303) to the user's page, which shows why (so a
 * reload does not post again); when the user is not there (any more), the users page with the
 * reason, 404, whatever the action.
 */
async function refusedOnUser(c: ConsoleCall, text: string): Promise<ConsoleResponse> {
  const pool = await loadPool(c.s.store, c.params.pool!);
  if (!(await findUser(c.s.store, pool, c.params.user!))) return usersPage(c, { kind: 'error', text }, undefined, 404);
  return seeOther(href(['pools', pool.id, 'users', c.params.user!], errorQuery(c, text)));
}

/** An action on the user of the path: the operation's input, its use-case; back to the user's page. */
function userAction(operation: string, done: string, extra: (c: ConsoleCall) => Record<string, unknown>, run: (input: any, c: ConsoleCall) => Promise<unknown>) {
  return async (c: ConsoleCall): Promise<ConsoleResponse> => {
    const input = { UserPoolId: c.params.pool!, Username: c.params.user!, ...extra(c) };
    return attempt(
      operation,
      input,
      () => run(input, c),
      () => seeOther(href(['pools', c.params.pool!, 'users', c.params.user!], { done })),
      (text) => refusedOnUser(c, text),
    );
  };
}

export const setPassword = userAction(
  'AdminSetUserPassword',
  'password',
  (c) => ({ Password: c.form.get('password') ?? '', Permanent: c.form.get('permanent') === 'on' }),
  (input, c) => adminSetUserPassword(input, c.ctx),
);
/** AdminCreateUser with MessageAction RESEND: a new temporary password, the invitation sent again (phone, else email). */
export const resendInvitation = userAction('AdminCreateUser', 'resent', () => ({ MessageAction: 'RESEND' }), (input, c) => adminCreateUser(input, c.ctx));
export const confirm = userAction('AdminConfirmSignUp', 'confirmed', () => ({}), (input, c) => adminConfirmSignUp(input, c.ctx));
export const enable = userAction('AdminEnableUser', 'enabled', () => ({}), (input, c) => adminSetUserEnabled(input.UserPoolId, input.Username, true, c.ctx));
export const disable = userAction('AdminDisableUser', 'disabled', () => ({}), (input, c) => adminSetUserEnabled(input.UserPoolId, input.Username, false, c.ctx));
export const addToGroup = userAction('AdminAddUserToGroup', 'added', (c) => ({ GroupName: c.form.get('group') ?? '' }), (input, c) => adminAddUserToGroup(input, c.ctx));
export const removeFromGroup = userAction('AdminRemoveUserFromGroup', 'removed', (c) => ({ GroupName: c.form.get('group') ?? '' }), (input, c) => adminRemoveUserFromGroup(input, c.ctx));

export async function deleteUser(c: ConsoleCall): Promise<ConsoleResponse> {
  const input = { UserPoolId: c.params.pool!, Username: c.params.user! };
  return attempt(
    'AdminDeleteUser',
    input,
    () => adminDeleteUser(input, c.ctx),
    () => seeOther(href(['pools', input.UserPoolId, 'users'], { done: 'deleted' })),
    (text) => refusedOnUser(c, text),
  );
}
