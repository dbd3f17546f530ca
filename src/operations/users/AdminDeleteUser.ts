/** AdminDeleteUser: the use-case is in src/account/admin-users.ts (shared with the web console). */
import type { AdminDeleteUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { adminDeleteUser } from '../../account/admin-users.js';
import type { Ctx } from '../context.js';

export const AdminDeleteUser = (input: AdminDeleteUserRequest, ctx: Ctx) => adminDeleteUser(input, ctx);
