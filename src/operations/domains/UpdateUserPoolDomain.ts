import type { UpdateUserPoolDomainRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { checkCertificateArn, checkManagedLoginVersion, loadDomain, renderDomainResult } from './shared.js';

/**
 * Changes the managed login version and, for a custom domain, the certificate; the name cannot
 * change (delete and create). What the request omits is kept. A domain the pool does not hold is
 * Cognito's "No such domain or user pool exists."; a certificate for a prefix domain is Cognito's
 * "User pool should have a custom domain associated, failed to update the certificate."
 * (aws/aws-cdk#25712).
 */
export async function UpdateUserPoolDomain(input: UpdateUserPoolDomainRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const version = checkManagedLoginVersion(input.ManagedLoginVersion, pool);
  const certificateArn = input.CustomDomainConfig?.CertificateArn;
  const updated = await ctx.store.transaction(async (tx) => {
    const d = await loadDomain(tx, pool.id, input.Domain!, { forUpdate: true });
    if (certificateArn !== undefined) {
      if (d.kind !== 'custom') throw errors.invalidParameter('User pool should have a custom domain associated, failed to update the certificate.');
      checkCertificateArn(certificateArn);
    }
    const next = {
      ...d,
      certificateArn: certificateArn ?? d.certificateArn,
      managedLoginVersion: version ?? d.managedLoginVersion,
      updatedAt: ctx.now,
    };
    await tx.domains.update(next);
    return next;
  });
  return renderDomainResult(updated, ctx);
}
