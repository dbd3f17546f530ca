/** Lookups and the wire form of a user pool, shared by the pool operations. */
import { errors } from '../../protocol/errors.js';
import { poolArn } from '../../domain/ids.js';
import type { DomainRecord, PoolRecord, Store } from '../../store/types.js';
import { epochSeconds, type Ctx } from '../context.js';

/** The pool, or ResourceNotFoundException. `forUpdate` locks it for the rest of the transaction. */
export async function loadPool(store: Store, id: string, opts?: { forUpdate?: boolean }): Promise<PoolRecord> {
  const pool = await store.pools.get(id, opts);
  if (!pool) throw errors.resourceNotFound(`User pool ${id} does not exist.`);
  return pool;
}

/** UserImportInProgressException while an import job runs in the pool (it changes the pool's users). */
export async function checkNoImport(store: Store, poolId: string): Promise<void> {
  const job = await store.imports.active(poolId);
  if (job) throw errors.userImportInProgress(`The user pool has an import job in progress (${job.jobId}, ${job.status}); wait for it to end or stop it.`);
}

export const arnOf = (pool: PoolRecord, ctx: Ctx) => poolArn(pool.region, ctx.config.accountId, pool.id);

/** UserPoolType as DescribeUserPool returns it; `Domain` is the pool's prefix domain, `CustomDomain` its custom domain. */
export function renderPool(pool: PoolRecord, ctx: Ctx, userCount = 0, domains: DomainRecord[] = []): object {
  const prefix = domains.find((d) => d.kind === 'prefix');
  const custom = domains.find((d) => d.kind === 'custom');
  // MfaFactors and WebAuthnConfiguration are not members of UserPoolType: GetUserPoolMfaConfig shows them.
  const { SchemaAttributes, MfaFactors: _, WebAuthnConfiguration: _w, ...rest } = pool.settings;
  return {
    Id: pool.id,
    Name: pool.name,
    ...rest,
    SchemaAttributes,
    LastModifiedDate: epochSeconds(pool.updatedAt),
    CreationDate: epochSeconds(pool.createdAt),
    EstimatedNumberOfUsers: userCount,
    UserPoolTags: pool.tags,
    ...(prefix ? { Domain: prefix.domain } : {}),
    ...(custom ? { CustomDomain: custom.domain } : {}),
    Arn: arnOf(pool, ctx),
  };
}

/** Tag rules shared by CreateUserPool, UpdateUserPool and TagResource. */
export function checkTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > 50) throw errors.invalidParameter('A user pool can have at most 50 tags.');
  for (const k of keys) {
    if (k.toLowerCase().startsWith('aws:')) throw errors.invalidParameter(`Tag keys cannot start with 'aws:' ('${k}').`);
  }
}

/** The pool an ARN names (locked for update when called in a transaction): `arn:aws:cognito-idp:<region>:<account>:userpool/<id>`. */
export async function poolFromArn(arn: string, ctx: Ctx): Promise<PoolRecord> {
  const m = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):(\d{12}):userpool\/([\w-]+_[0-9a-zA-Z]+)$/.exec(arn);
  if (!m) throw errors.invalidParameter(`ResourceArn '${arn}' is not the ARN of a user pool (arn:aws:cognito-idp:<region>:<account>:userpool/<id>).`);
  const pool = await ctx.store.pools.get(m[3]!, { forUpdate: true });
  if (!pool || pool.region !== m[1] || m[2] !== ctx.config.accountId) {
    throw errors.resourceNotFound(`The resource ${arn} does not exist.`);
  }
  return pool;
}
