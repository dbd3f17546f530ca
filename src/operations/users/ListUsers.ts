/** ListUsers: the use-case (and the filter language) is in src/account/admin-users.ts (shared with the web console). */
import type { ListUsersRequest } from '@aws-sdk/client-cognito-identity-provider';
import { listUsers } from '../../account/admin-users.js';
import type { Ctx } from '../context.js';

export const ListUsers = (input: ListUsersRequest, ctx: Ctx) => listUsers(input, ctx);
