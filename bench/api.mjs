#!/usr/bin/env node
// Benchmark of the pool and client API: a server started for the purpose, one pool and client,
// then a few operations driven with autocannon (requests per second, latency percentiles).
//   npm run build && node bench/api.mjs [--postgres] [--seconds 5] [--connections 32]
import { benchServer, options, runCases } from './lib.mjs';

const o = options();
const b = await benchServer(o);
const { UserPool } = await b.call('CreateUserPool', { PoolName: 'bench' });
const { UserPoolClient } = await b.call('CreateUserPoolClient', { UserPoolId: UserPool.Id, ClientName: 'bench', GenerateSecret: true });
console.log(`incognito API benchmark: ${o.postgres ? 'postgres' : 'sqlite'}, ${o.connections} connections, ${o.seconds}s each, node ${process.version}`);
await runCases(
  b,
  [
    ['DescribeUserPoolClient', { UserPoolId: UserPool.Id, ClientId: UserPoolClient.ClientId }],
    ['DescribeUserPool', { UserPoolId: UserPool.Id }],
    ['ListUserPoolClients', { UserPoolId: UserPool.Id, MaxResults: 10 }],
    ['UpdateUserPoolClient', { UserPoolId: UserPool.Id, ClientId: UserPoolClient.ClientId, ClientName: 'renamed', AccessTokenValidity: 2 }],
    ['CreateUserPoolClient (validation error)', { UserPoolId: UserPool.Id, ClientName: 'bad!' }, 'CreateUserPoolClient'],
  ],
  o,
);
await b.stop();
