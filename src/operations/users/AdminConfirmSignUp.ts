/** AdminConfirmSignUp: the use-case is in src/account/admin-users.ts (shared with the web console). */
import type { AdminConfirmSignUpRequest } from '@aws-sdk/client-cognito-identity-provider';
import { adminConfirmSignUp } from '../../account/admin-users.js';
import type { Ctx } from '../context.js';

export const AdminConfirmSignUp = (input: AdminConfirmSignUpRequest, ctx: Ctx) => adminConfirmSignUp(input, ctx);
