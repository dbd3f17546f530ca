/** AdminCreateUser: the use-case is in src/account/admin-users.ts (the web console creates users through it too). */
import type { AdminCreateUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { adminCreateUser } from '../../account/admin-users.js';
import type { Ctx } from '../context.js';

export const AdminCreateUser = (input: AdminCreateUserRequest, ctx: Ctx) => adminCreateUser(input, ctx);
