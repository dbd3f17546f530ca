/**
 * HTTPS for local use: `incognito cert` makes a self-signed certificate and key (selfsigned, on
 * node's WebCrypto) for localhost, 127.0.0.1, ::1 and any other names given, so the hosted pages
 * can be served at https:// URLs (Amplify builds https://<domain> URLs for the hosted UI).
 */
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { generate } from 'selfsigned';

export interface CertFiles {
  cert: string;
  key: string;
}

/** Writes `<dir>/cert.pem` and `<dir>/key.pem` (the key readable by its owner only). */
export async function makeSelfSigned(dir: string, names: string[] = [], days = 365): Promise<CertFiles> {
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', ...names])];
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: hosts.find((h) => !net.isIP(h)) ?? 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hosts.map((h) => (net.isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
    ],
  });
  fs.mkdirSync(dir, { recursive: true });
  const files = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
  fs.writeFileSync(files.key, pems.private, { mode: 0o600 });
  fs.writeFileSync(files.cert, pems.cert);
  return files;
}
