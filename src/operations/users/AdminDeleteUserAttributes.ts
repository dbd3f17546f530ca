import type { AdminDeleteUserAttributesRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { lockUser, saveUser } from './shared.js';

/** Required and immutable attributes cannot be deleted; deleting email or phone drops its verified flag. */
export async function AdminDeleteUserAttributes(input: AdminDeleteUserAttributesRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const schema = new Map((pool.settings.SchemaAttributes ?? []).map((a) => [a.Name!, a]));
  const problems: string[] = [];
  for (const name of input.UserAttributeNames ?? []) {
    const def = schema.get(name);
    if (!def) problems.push(`${name}: Attribute does not exist in the schema.`);
    else if (def.Required || name === 'sub') problems.push(`${name}: The attribute is required`);
    else if (def.Mutable === false) problems.push(`${name}: Attribute cannot be updated. (changing an immutable attribute)`);
    else if ((pool.settings.UsernameAttributes ?? []).includes(name as 'email')) problems.push(`${name}: The attribute is required`);
  }
  if (problems.length) throw errors.invalidParameter(`Attributes did not conform to the schema: ${problems.join('\n')}`);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, input.Username!);
    const attrs = { ...u.attributes };
    for (const name of input.UserAttributeNames ?? []) {
      delete attrs[name];
      if (name === 'email') delete attrs.email_verified;
      if (name === 'phone_number') delete attrs.phone_number_verified;
    }
    await saveUser(tx, pool, { ...u, attributes: attrs, updatedAt: ctx.now }, { now: ctx.now });
  });
  return {};
}
