import type { ListTagsForResourceRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { poolFromArn } from './shared.js';

export async function ListTagsForResource(input: ListTagsForResourceRequest, ctx: Ctx) {
  const pool = await poolFromArn(input.ResourceArn!, ctx);
  return { Tags: pool.tags };
}
