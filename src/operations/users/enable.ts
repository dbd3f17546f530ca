/** AdminEnableUser / AdminDisableUser: the use-case is in src/account/admin-users.ts (shared with the web console). */
import type { AdminDisableUserRequest, AdminEnableUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { adminSetUserEnabled } from '../../account/admin-users.js';
import type { Ctx } from '../context.js';

export const AdminEnableUser = (input: AdminEnableUserRequest, ctx: Ctx) => adminSetUserEnabled(input.UserPoolId!, input.Username!, true, ctx);
export const AdminDisableUser = (input: AdminDisableUserRequest, ctx: Ctx) => adminSetUserEnabled(input.UserPoolId!, input.Username!, false, ctx);
