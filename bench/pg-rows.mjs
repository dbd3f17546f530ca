// PostgreSQL: the server's CPU a prepared read, pg's own rows against store/postgres/rows.ts's.
// A server on a scratch schema (its migrations, a pool, a client, a signed-in user), then, in this
// process, the access-token read (reads.ts ACCESS: the client, its pool's version, the sign-in and
// its user; 36 columns) run as the server runs it: batched (prepared.ts batched) --batch reads at a
// time, two statements in flight, on a pool of connections with the prepared reads' planner
// settings. Each way in turn, --rounds times: this process's CPU (user + system) a read.
//   npm run build && node bench/pg-rows.mjs [--batch 16] [--statements 3000] [--rounds 3]
import pg from 'pg';
import { benchServer, guarded, mustCall, options } from './lib.mjs';
import { HOT_READS } from '../dist/src/store/repos/reads.js';
import { batched, READ_PLANNING } from '../dist/src/store/prepared.js';
import { queryRows } from '../dist/src/store/postgres/rows.js';

const o = options({ batch: ['--batch', '16'], statements: ['--statements', '3000'], rounds: ['--rounds', '3'] });
const B = Number(o.batch);
const N = Number(o.statements);
const b = await benchServer({ postgres: true });
const must = mustCall(b);
await guarded(b, 'bench/pg-rows.mjs', 300_000, async () => {
  const poolId = (await must('CreateUserPool', { PoolName: 'rows' })).UserPool.Id;
  const clientId = (await must('CreateUserPoolClient', { UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))
    .UserPoolClient.ClientId;
  await must('AdminCreateUser', { UserPoolId: poolId, Username: 'rows', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'rows@example.com' }, { Name: 'given_name', Value: 'Row' }] });
  await must('AdminSetUserPassword', { UserPoolId: poolId, Username: 'rows', Password: 'Rows-Password-1', Permanent: true });
  const { AccessToken } = (await must('InitiateAuth', { ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'rows', PASSWORD: 'Rows-Password-1' } }))
    .AuthenticationResult;
  const originJti = JSON.parse(Buffer.from(AccessToken.split('.')[1], 'base64url').toString()).origin_jti;

  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    max: 6,
    options: [...READ_PLANNING.map(([n, v]) => `-c ${n}=${v}`), `-c search_path=bench_${process.pid}`].join(' '),
  });
  const q = batched(HOT_READS.ACCESS);
  const values = [clientId, originJti].map((v) => Array.from({ length: B }, () => v));
  const ways = {
    'pg Result': () => pool.query({ name: q.name, text: q.text, values }),
    'rows.ts': () => queryRows(pool, { name: q.name, text: q.text, values }),
  };
  // Each statement's rows handed out by batch_i, as prepared.ts does.
  const once = async (way) => {
    const r = await way();
    if (r.rows.length !== B || r.rows[0].u_username !== 'rows') throw new Error(`unexpected rows: ${r.rows.length}`);
    const out = Array.from({ length: B }, () => []);
    for (const row of r.rows) out[Number(row.batch_i) - 1].push(row);
    return out;
  };
  try {
    for (const way of Object.values(ways)) for (let i = 0; i < 300; i++) await Promise.all([once(way), once(way)]);
    console.log(`ACCESS read batched ${B} a statement, 2 statements in flight, ${N} pairs a round; this process's CPU a read (µs):`);
    const results = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
    for (let round = 0; round < Number(o.rounds); round++) {
      for (const [name, way] of Object.entries(ways)) {
        const c0 = process.cpuUsage();
        for (let i = 0; i < N; i++) await Promise.all([once(way), once(way)]);
        const c = process.cpuUsage(c0);
        results[name].push((c.user + c.system) / (N * 2 * B));
      }
    }
    for (const [name, list] of Object.entries(results)) {
      const sorted = [...list].sort((x, y) => x - y);
      console.log(`- ${name}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} (rounds: ${list.map((x) => x.toFixed(2)).join(', ')})`);
    }
  } finally {
    await pool.end();
  }
});
