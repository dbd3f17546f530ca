#!/usr/bin/env node
// Benchmark of the user operations: a server started for the purpose, a pool seeded with 10,000
// users straight into the store (one precomputed argon2id hash: seeding through the API would
// spend minutes hashing), then AdminGetUser, ListUsers (filtered and not) and AdminCreateUser.
//   npm run build && node bench/users.mjs [--postgres] [--seconds 5] [--connections 32] [--users 10000]
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../dist/src/domain/passwords.js';
import { benchServer, options, runCases } from './lib.mjs';

const o = options({ users: ['--users', '10000'] });
const userCount = Number(o.users);
const b = await benchServer(o);
const { UserPool } = await b.call('CreateUserPool', { PoolName: 'bench' });
const hash = await hashPassword('Bench-Password-1');
const t0 = performance.now();
for (let i = 0; i < userCount; i += 500) {
  await b.server.store.transaction(async (tx) => {
    for (let j = i; j < Math.min(i + 500, userCount); j++) {
      const now = Date.now();
      await tx.users.insert({
        poolId: UserPool.Id, username: `user${j}`, usernameKey: `user${j}`, sub: randomUUID(), status: 'CONFIRMED', enabled: true,
        attributes: { email: `user${j}@example.com`, email_verified: 'true', given_name: j % 10 === 0 ? 'Ten' : 'Other' },
        passwordHash: hash, srpVerifier: null, passwordUpdatedAt: now, mfa: {}, extra: {}, createdAt: now, updatedAt: now,
      });
    }
  });
}
const seeded = ((performance.now() - t0) / 1000).toFixed(1);
let n = 0;
console.log(`incognito user benchmark: ${o.postgres ? 'postgres' : 'sqlite'}, ${userCount} users (seeded in ${seeded} s), ${o.connections} connections, ${o.seconds}s each, node ${process.version}`);
await runCases(
  b,
  [
    ['AdminGetUser', () => ({ UserPoolId: UserPool.Id, Username: `user${n++ % userCount}` })],
    ['ListUsers (email = "...", 1 match)', () => ({ UserPoolId: UserPool.Id, Filter: `email = "user${n++ % userCount}@example.com"` }), 'ListUsers'],
    ['ListUsers (given_name = "Ten", 60 a page)', { UserPoolId: UserPool.Id, Filter: 'given_name = "Ten"', Limit: 60 }, 'ListUsers'],
    ['ListUsers (no filter, 60 a page)', { UserPoolId: UserPool.Id, Limit: 60 }, 'ListUsers'],
    ['AdminCreateUser (argon2id hash each)', () => ({ UserPoolId: UserPool.Id, Username: `new${n++}-${randomUUID()}`, MessageAction: 'SUPPRESS', TemporaryPassword: 'Temp-Password-1' }), 'AdminCreateUser'],
  ],
  o,
);
await b.stop();
