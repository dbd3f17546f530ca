import type { UpdateUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import { updatePoolSettings } from '../../domain/pool-settings.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { checkTags, loadPool } from './shared.js';

/** A full replace of the updatable settings: omitted fields go back to their defaults. */
export async function UpdateUserPool(input: UpdateUserPoolRequest, ctx: Ctx) {
  const current = await loadPool(ctx.store, input.UserPoolId!);
  const settings = updatePoolSettings(current.settings, input);
  const tags = input.UserPoolTags ?? current.tags;
  checkTags(tags);
  const updated = { ...current, name: input.PoolName ?? current.name, settings, tags, updatedAt: ctx.now };
  if (!(await ctx.store.updatePool(updated))) throw errors.resourceNotFound(`User pool ${current.id} does not exist.`);
  return {};
}
