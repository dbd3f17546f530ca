/**
 * The rules, lookups and wire form of user pool domains, shared by the domain operations.
 *
 * A domain is a prefix (`myapp`: served by Cognito as `myapp.auth.<region>.amazoncognito.com`) or a
 * custom domain (`auth.example.com`, with an ACM certificate). What tells them apart is the dot: a
 * name with one is a custom domain. The model's DomainType pattern is not applied to requests
 * (scripts/gen-model.mjs OVERRIDES); these checks replace it.
 */
import { errors } from '../../protocol/errors.js';
import type { DomainKind, DomainRecord, PoolRecord, Store } from '../../store/types.js';
import type { Ctx } from '../context.js';

const PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PREFIX_CHARS = /^[a-z0-9-]+$/;
export const MAX_PREFIX_LENGTH = 63;
/** Words a prefix cannot contain, anywhere (`newcognito` is refused too: aws-amplify/amplify-cli#3854). */
export const RESERVED_WORDS = ['aws', 'amazon', 'cognito'] as const;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** The longest DNS name (RFC 1035, without the final dot). */
export const MAX_CUSTOM_DOMAIN_LENGTH = 253;
/** Parents a custom domain cannot be under: they are not the caller's, and prefix domains live there. */
const AWS_PARENTS = ['amazoncognito.com', 'amazonaws.com'];

export const kindOf = (domain: string): DomainKind => (domain.includes('.') ? 'custom' : 'prefix');

/** Cognito's text for a prefix it refuses (mineiros-io/terraform-aws-cognito-user-pool#69). */
const INVALID_PREFIX =
  'The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. ' +
  'Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$';

/** A prefix domain: Cognito's pattern, at most 63 characters, none of the reserved words. */
export function checkPrefix(domain: string): void {
  if (PREFIX_CHARS.test(domain) && domain.length > MAX_PREFIX_LENGTH) {
    // Message ours: the pattern above includes the length, but a name of valid characters deserves to hear why.
    throw errors.invalidParameter(`A domain prefix can have at most ${MAX_PREFIX_LENGTH} characters; ${domain} has ${domain.length}.`);
  }
  if (!PREFIX.test(domain)) throw errors.invalidParameter(INVALID_PREFIX);
  for (const word of RESERVED_WORDS) {
    // Cognito's text (aws-solutions/content-analysis-on-aws#8, from CloudTrail).
    if (domain.includes(word)) throw errors.invalidParameter(`Domain cannot contain reserved word: ${word}`);
  }
}

/**
 * A custom domain: a lower-case DNS name of two labels or more (letters, digits, hyphens; no
 * hyphen first or last in a label; the Cognito console's rule), not an IP address, not under an
 * AWS domain. Cognito also checks that the parent domain has a DNS A record; incognito does not
 * look at DNS. Messages ours.
 */
export function checkCustomDomain(domain: string): void {
  const labels = domain.split('.');
  const valid =
    domain.length <= MAX_CUSTOM_DOMAIN_LENGTH && labels.length >= 2 && labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!);
  if (!valid) {
    throw errors.invalidParameter(
      `${domain} is not a valid custom domain: give a fully qualified name such as auth.example.com, in lower-case letters, ` +
        `numbers and hyphens, labels of 1 to 63 characters that do not begin or end with a hyphen, ${MAX_CUSTOM_DOMAIN_LENGTH} characters at most.`,
    );
  }
  const parent = AWS_PARENTS.find((p) => domain === p || domain.endsWith('.' + p));
  if (parent) throw errors.invalidParameter(`A custom domain cannot be under ${parent}; use a domain you own, such as auth.example.com.`);
}

const ACM_ARN = /^arn:(aws[a-z-]*):acm:([a-z0-9-]+):(\d{12}):certificate\/[A-Za-z0-9-]+$/;

/**
 * The certificate of a custom domain: an ACM certificate ARN, in us-east-1 in the `aws` partition
 * (Cognito serves custom domains through CloudFront, which only takes certificates from there).
 * It is not fetched: incognito serves TLS with its own listener settings.
 */
export function checkCertificateArn(arn: string): void {
  const m = ACM_ARN.exec(arn);
  if (!m) {
    // Message ours.
    throw errors.invalidParameter(
      `CertificateArn ${arn} is not the ARN of an ACM certificate (arn:aws:acm:us-east-1:<account id>:certificate/<certificate id>).`,
    );
  }
  if (m[1] === 'aws' && m[2] !== 'us-east-1') {
    // CloudFront's text, which Cognito passes on in its InvalidParameterException (aws-amplify/amplify-hosting#2278).
    throw errors.invalidParameter(
      "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain.",
    );
  }
}

/**
 * ManagedLoginVersion: 1 (hosted UI, classic; the default here) or 2 (managed login, which the
 * model says needs a feature plan other than Lite).
 */
export function checkManagedLoginVersion(version: number | undefined, pool: PoolRecord): number | undefined {
  if (version === undefined) return undefined;
  if (version !== 1 && version !== 2) {
    // Message ours.
    throw errors.invalidParameter(`ManagedLoginVersion must be 1 (hosted UI, classic) or 2 (managed login); ${version} is neither.`);
  }
  if (version === 2 && pool.settings.UserPoolTier === 'LITE') {
    throw errors.featureUnavailableInTier('Managed login (ManagedLoginVersion 2) requires the ESSENTIALS or PLUS user pool tier.');
  }
  return version;
}

/** Cognito's answer to Update/DeleteUserPoolDomain for a domain the pool does not hold (aws-amplify/amplify-cli e2e tests). */
export const noSuchDomain = () => errors.invalidParameter('No such domain or user pool exists.');

/** The domain, which the pool must hold (else "No such domain or user pool exists."). */
export async function loadDomain(store: Store, poolId: string, domain: string, opts?: { forUpdate?: boolean }): Promise<DomainRecord> {
  const d = await store.domains.find(domain, opts);
  if (!d || d.poolId !== poolId) throw noSuchDomain();
  return d;
}

/**
 * Where the domain's DNS name must point: this server's public host name. It stands in for the
 * CloudFront distribution Cognito puts in front of a domain (CloudFrontDomain,
 * CloudFrontDistribution), without the port, which DNS cannot carry.
 */
export const targetHost = (ctx: Ctx) => new URL(ctx.publicUrl).hostname;

/** DomainDescriptionType.Version: the time of the domain's last change, yyyyMMddHHmmss in UTC, as Cognito's look (20200318030027). */
export function versionOf(d: DomainRecord): string {
  return new Date(d.updatedAt).toISOString().replace(/\D/g, '').slice(0, 14);
}

/** The answer of Create/UpdateUserPoolDomain: CloudFrontDomain only for a custom domain (null for a prefix, says the model). */
export function renderDomainResult(d: DomainRecord, ctx: Ctx) {
  return { ManagedLoginVersion: d.managedLoginVersion, ...(d.kind === 'custom' ? { CloudFrontDomain: targetHost(ctx) } : {}) };
}

/**
 * DomainDescriptionType. S3Bucket is left out: Cognito names the bucket of its hosted UI assets
 * there, and incognito has none.
 */
export function renderDomain(d: DomainRecord, ctx: Ctx) {
  return {
    UserPoolId: d.poolId,
    AWSAccountId: ctx.config.accountId,
    Domain: d.domain,
    CloudFrontDistribution: targetHost(ctx),
    Version: versionOf(d),
    Status: 'ACTIVE',
    ...(d.certificateArn !== null ? { CustomDomainConfig: { CertificateArn: d.certificateArn } } : {}),
    ManagedLoginVersion: d.managedLoginVersion,
  };
}
