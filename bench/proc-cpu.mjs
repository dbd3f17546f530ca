// CPU time of processes, for the benchmarks that report CPU a request (wrk-reads.mjs, compare.mjs).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The PostgreSQL backends serving a process: its connections to :5432 matched in pg_stat_activity. */
export async function backendsOf(pid, databaseUrl) {
  let ports;
  try {
    const out = execFileSync('ss', ['-tnpH', 'state', 'established', '( dport = :5432 )'], { encoding: 'utf8' });
    ports = out
      .split('\n')
      .filter((l) => l.includes(`pid=${pid},`))
      .map((l) => Number(/:(\d+)\s+\S+:5432/.exec(l)?.[1]));
  } catch {
    return [];
  }
  if (!ports.length) return [];
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (await c.query('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1)', [ports])).rows.map((x) => x.pid);
  } finally {
    await c.end();
  }
}
