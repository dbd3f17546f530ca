import type { GetSigningCertificateRequest } from '@aws-sdk/client-cognito-identity-provider';
import { certificateBody, poolCertificate } from '../../domain/certificates.js';
import type { Ctx } from '../context.js';
import { loadPool } from './shared.js';

/** The pool's SAML signing certificate (base64 DER), made on first request and the same ever after. */
export async function GetSigningCertificate(input: GetSigningCertificateRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const cert = await poolCertificate(ctx.store, ctx.secrets, pool, ctx.now);
  return { Certificate: certificateBody(cert.pem) };
}
