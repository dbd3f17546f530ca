/** AdminAddUserToGroup: the use-case is in src/account/admin-users.ts (shared with the web console). */
import type { AdminAddUserToGroupRequest } from '@aws-sdk/client-cognito-identity-provider';
import { adminAddUserToGroup } from '../../account/admin-users.js';
import type { Ctx } from '../context.js';

export const AdminAddUserToGroup = (input: AdminAddUserToGroupRequest, ctx: Ctx) => adminAddUserToGroup(input, ctx);
