import type { DescribeUserPoolClientRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadClient } from '../../domain/clients.js';
import { renderClient } from './shared.js';

export async function DescribeUserPoolClient(input: DescribeUserPoolClientRequest, ctx: Ctx) {
  return { UserPoolClient: renderClient(await loadClient(ctx.store, input.UserPoolId!, input.ClientId!)) };
}
