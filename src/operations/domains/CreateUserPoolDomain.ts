import type { CreateUserPoolDomainRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import { ConflictError } from '../../store/errors.js';
import type { DomainRecord } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { checkCertificateArn, checkCustomDomain, checkManagedLoginVersion, checkPrefix, kindOf, renderDomainResult } from './shared.js';

/** Cognito's texts (aws/aws-cdk#10062; aws-samples/aws-cdk-examples#402 and many others). */
const POOL_HAS_ONE = 'User pool already has a domain configured.';
const TAKEN = 'Domain already associated with another user pool.';

/**
 * A prefix domain (`myapp`) or a custom domain (`auth.example.com`, with CustomDomainConfig). A
 * pool holds at most one of each. The name is unique across the installation through the primary
 * key of user_pool_domains: of two concurrent creates of one name exactly one wins and the other
 * is Cognito's "Domain already associated with another user pool.". The pool row is locked
 * (PostgreSQL) while its domains are read, so a concurrent DeleteUserPool cannot miss the new one.
 */
export async function CreateUserPoolDomain(input: CreateUserPoolDomainRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const domain = input.Domain!;
  const kind = kindOf(domain);
  const certificateArn = input.CustomDomainConfig?.CertificateArn;
  if (kind === 'prefix') {
    checkPrefix(domain);
    if (certificateArn !== undefined) {
      // Message ours.
      throw errors.invalidParameter(
        `${domain} is a prefix domain, which takes no CustomDomainConfig; a custom domain is a fully qualified name such as auth.example.com.`,
      );
    }
  } else {
    checkCustomDomain(domain);
    if (certificateArn === undefined) {
      // Message ours.
      throw errors.invalidParameter(
        `${domain} is a custom domain: give CustomDomainConfig with the CertificateArn of its ACM certificate (or a prefix without dots for a prefix domain).`,
      );
    }
    checkCertificateArn(certificateArn);
  }
  const record: DomainRecord = {
    domain,
    poolId: pool.id,
    kind,
    certificateArn: certificateArn ?? null,
    managedLoginVersion: checkManagedLoginVersion(input.ManagedLoginVersion, pool) ?? 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await ctx.store.transaction(async (tx) => {
    const locked = await loadPool(tx, pool.id, { forUpdate: true });
    if ((await tx.domains.listForPool(locked.id)).some((d) => d.kind === kind)) throw errors.invalidParameter(POOL_HAS_ONE);
    try {
      await tx.domains.insert(record);
    } catch (e) {
      if (e instanceof ConflictError) throw errors.invalidParameter(e.what === 'pool-domain-kind' ? POOL_HAS_ONE : TAKEN);
      throw e;
    }
  });
  return renderDomainResult(record, ctx);
}
