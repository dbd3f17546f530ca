/** AdminSetUserPassword: the use-case is in src/account/admin-users.ts (shared with the web console). */
import type { AdminSetUserPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import { adminSetUserPassword } from '../../account/admin-users.js';
import type { Ctx } from '../context.js';

export const AdminSetUserPassword = (input: AdminSetUserPasswordRequest, ctx: Ctx) => adminSetUserPassword(input, ctx);
