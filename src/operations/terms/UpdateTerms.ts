import type { UpdateTermsRequest } from '@aws-sdk/client-cognito-identity-provider';
import { ConflictError } from '../../store/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadTerms, renderTerms, termsExists } from './shared.js';

/**
 * Changes what the request gives (name, source, enforcement, links); what it leaves out is kept
 * (docs/decisions.md). A new name the client already has is TermsExistsException.
 */
export async function UpdateTerms(input: UpdateTermsRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const t = await loadTerms(ctx.store, pool.id, input.TermsId!);
  const next = {
    ...t,
    termsName: input.TermsName ?? t.termsName,
    termsSource: input.TermsSource ?? t.termsSource,
    enforcement: input.Enforcement ?? t.enforcement,
    links: input.Links ? { ...input.Links } : t.links,
    updatedAt: ctx.now,
  };
  try {
    if (!(await ctx.store.config.updateTerms(next))) await loadTerms(ctx.store, pool.id, t.termsId);
  } catch (e) {
    if (e instanceof ConflictError) throw termsExists(t.clientId, next.termsName);
    throw e;
  }
  return { Terms: renderTerms(next) };
}
