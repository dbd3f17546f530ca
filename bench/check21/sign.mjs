// RS256 signing alone, one core: node:crypto sign with a 2048-bit RSA key, JWT-sized payloads
import { generateKeyPairSync, sign, createPrivateKey } from 'node:crypto';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const payload = Buffer.from('eyJhbGciOiJSUzI1NiIsImtpZCI6ImFiYyJ9.' + Buffer.from(JSON.stringify({ sub: 'x'.repeat(36), iss: 'http://127.0.0.1:1234/us-east-1_abcdefghi', client_id: 'abc', scope: 'api/read', exp: 1, iat: 1, jti: 'y'.repeat(36) })).toString('base64url'));
for (let round = 0; round < 3; round++) {
  const t0 = process.hrtime.bigint(); let n = 0;
  while (process.hrtime.bigint() - t0 < 3_000_000_000n) { sign('sha256', payload, privateKey); n++; }
  console.log(`round ${round + 1}: ${(n / 3).toFixed(0)} signatures/s`);
}
// also: async (promisified, libuv threadpool) in one process, 32 in flight, as jose does
import { promisify } from 'node:util';
const asign = promisify(sign);
for (let round = 0; round < 3; round++) {
  const t0 = Date.now(); let n = 0;
  await Promise.all(Array.from({ length: 32 }, async () => { while (Date.now() - t0 < 3000) { await asign('sha256', payload, privateKey); n++; } }));
  console.log(`async round ${round + 1}: ${(n / ((Date.now() - t0) / 1000)).toFixed(0)} signatures/s`);
}
