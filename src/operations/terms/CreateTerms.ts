import { randomUUID } from 'node:crypto';
import type { CreateTermsRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadClient } from '../../domain/clients.js';
import { ConflictError } from '../../store/errors.js';
import type { TermsRecord } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { renderTerms, termsExists } from './shared.js';

/**
 * Terms documents (terms-of-use or privacy-policy) of an app client: a URL per language. The
 * client's hosted sign-up page links them once it has both (src/oauth/look.ts). One of each name
 * per client, through a unique index: of two concurrent creates, one wins.
 */
export async function CreateTerms(input: CreateTermsRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const client = await loadClient(ctx.store, pool.id, input.ClientId!);
  const t: TermsRecord = {
    termsId: randomUUID(),
    poolId: pool.id,
    clientId: client.id,
    termsName: input.TermsName!,
    termsSource: input.TermsSource!,
    enforcement: input.Enforcement!,
    links: { ...(input.Links ?? {}) },
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  try {
    await ctx.store.config.insertTerms(t);
  } catch (e) {
    if (e instanceof ConflictError) throw termsExists(client.id, t.termsName);
    throw e;
  }
  return { Terms: renderTerms(t) };
}
