/**
 * The pool's X.509 signing certificate: what GetSigningCertificate returns, and what the pool's SAML
 * service provider signs its requests with. Self-signed (RSA-2048, SHA-256), valid ten years (as
 * Cognito's), made on first use and kept in the store with its private key sealed under the master
 * key, so it is the same on every node and across restarts. Its subject is the pool's SAML service
 * provider entity id, `urn:amazon:cognito:sp:<pool id>`.
 */
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import type { PoolRecord, Store } from '../store/types.js';
import type { Secrets } from './secrets.js';

const VALID_YEARS = 10;
const sealContext = (poolId: string) => `pool-certificate:${poolId}`;

export interface PoolCertificate {
  /** PEM. */
  pem: string;
  /** The certificate's private key, PKCS#8 PEM. */
  privateKey(): string;
}

/** The pool's certificate, made and stored the first time it is asked for. */
export async function poolCertificate(store: Store, secrets: Secrets, pool: PoolRecord, now: number): Promise<PoolCertificate> {
  let stored = await store.certificates.get(pool.id);
  if (!stored) {
    const notBefore = new Date(now - 60_000);
    const notAfter = new Date(notBefore.getTime());
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALID_YEARS);
    const pems = await generate([{ name: 'commonName', value: `urn:amazon:cognito:sp:${pool.id}` }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: notBefore,
      notAfterDate: notAfter,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      ],
    });
    await store.certificates.insertIfAbsent({ poolId: pool.id, certificate: pems.cert, privateKey: secrets.seal(pems.private, sealContext(pool.id)), createdAt: now });
    stored = (await store.certificates.get(pool.id))!;
  }
  const s = stored;
  return { pem: s.certificate, privateKey: () => secrets.open(s.privateKey, sealContext(pool.id)).toString('utf8') };
}

/** The certificate as GetSigningCertificate answers it: the DER in base64, without the PEM lines. */
export function certificateBody(pem: string): string {
  return new X509Certificate(pem).raw.toString('base64');
}
