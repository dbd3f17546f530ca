/** Where a request's region comes from. */
const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[^/]+\/aws4_request/;

/** The region of a SigV4-signed request's credential scope. Signatures are not checked (yet). */
export function regionFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return CREDENTIAL_SCOPE.exec(header)?.[1];
}

/** The region a pool id names (`us-east-1_AbC`), if its prefix looks like one. */
export function regionFromPoolId(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const m = /^([a-z]{2}(?:-gov)?-[a-z]+-\d)_/.exec(id);
  return m?.[1];
}
