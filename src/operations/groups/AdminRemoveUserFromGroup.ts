/** AdminRemoveUserFromGroup: the use-case is in src/account/admin-users.ts (shared with the web console). */
import type { AdminRemoveUserFromGroupRequest } from '@aws-sdk/client-cognito-identity-provider';
import { adminRemoveUserFromGroup } from '../../account/admin-users.js';
import type { Ctx } from '../context.js';

export const AdminRemoveUserFromGroup = (input: AdminRemoveUserFromGroupRequest, ctx: Ctx) => adminRemoveUserFromGroup(input, ctx);
