import type { DescribeUserPoolDomainRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { renderDomain } from './shared.js';

/**
 * The domain, whichever pool holds it. A domain nobody holds is not an error: Cognito answers an
 * empty DomainDescription (`{"DomainDescription": {}}`, as hashicorp/terraform-provider-aws and
 * aws-amplify/amplify-cli's end-to-end tests expect of the real service).
 */
export async function DescribeUserPoolDomain(input: DescribeUserPoolDomainRequest, ctx: Ctx) {
  const d = await ctx.store.domains.find(input.Domain!);
  return { DomainDescription: d ? renderDomain(d, ctx) : {} };
}
