#!/usr/bin/env node
// Benchmark of a user import job, end to end against a server started for the purpose:
//   1. a pool (AutoVerifiedAttributes email; with --aliases also AliasAttributes email, so that every
//      imported user claims an alias), GetCSVHeader, and one user made with AdminCreateUser to probe;
//   2. a CSV of --users users built in memory from that header: given_name, family_name, name, email,
//      email_verified=true, a phone number on one row in three, birthdate, locale, zoneinfo, an address
//      with an escaped comma (`\,`) on one row in ten, some names outside ASCII;
//   3. CreateUserImportJob, the upload (fetch PUT to the PreSignedUrl, x-amz-server-side-encryption: aws:kms),
//      StartUserImportJob, then DescribeUserImportJob every 100 ms until Succeeded (given up after a deadline);
//   4. meanwhile, from StartUserImportJob to Succeeded, AdminGetUser on the probe user one request after
//      another, each latency recorded; the same loop alone for a moment before the import, to compare.
// The import's users/s runs from sending StartUserImportJob to the DescribeUserImportJob that shows
// Succeeded (so up to 100 ms of polling is counted in it); end to end from CreateUserImportJob.
// The probe loop runs in this process, on the thread that also runs the server and the import: its
// latencies are how long an API request waits for that thread (and, on SQLite, for the one connection);
// a second row gives those of the requests sent once DescribeUserImportJob counted a user imported (the
// users being written; before, the file is checked and the first window read and decided).
// Exit 1 when the job does not end Succeeded with ImportedUsers = --users and no skipped or failed users,
// when an imported user does not read back as written, or when a probe request fails.
// Each job also prints the CPU time it took a user: the event loop's thread (Linux: /proc) and the
// whole process, less noisy than the rate on a shared machine.
// --jobs 2: a second job of --users other users into the same pool after the first (a row each): whether
// a pool that already holds users imports as fast (issue 21: 2 × 500,000).
//   npm run build && node bench/import.mjs [--postgres] [--users 100000] [--jobs 1] [--aliases] [--no-probe] [--deadline <seconds>]
import fs from 'node:fs';
import { benchServer, options, guarded, isStopped, mustCall } from './lib.mjs';

const o = options({ users: ['--users', '100000'], deadline: ['--deadline', ''], jobs: ['--jobs', '1'] });
const jobs = Number(o.jobs);
const userCount = Number(o.users);
const aliases = process.argv.includes('--aliases');
// --no-probe: no AdminGetUser loop during the import (to see what the loop itself costs the import).
const probing = !process.argv.includes('--no-probe');
// Generous: a minute plus 3 ms a user (300 s for 100,000 users, some 30 times the target).
const deadlineMs = o.deadline ? Number(o.deadline) * 1000 : 60_000 + userCount * 3;
const ROLE = 'arn:aws:iam::123456789012:role/CognitoImport';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const b = await benchServer(o);
const must = mustCall(b);
await guarded(b, 'bench/import.mjs', jobs * (deadlineMs + 120_000), main);

async function main() {
  const { UserPool } = await must('CreateUserPool', {
    PoolName: 'bench-import',
    AutoVerifiedAttributes: ['email'],
    ...(aliases ? { AliasAttributes: ['email'] } : {}),
  });
  const UserPoolId = UserPool.Id;
  const { CSVHeader } = await must('GetCSVHeader', { UserPoolId });
  await must('AdminCreateUser', {
    UserPoolId,
    Username: 'probe',
    MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: 'probe@example.org' }, { Name: 'email_verified', Value: 'true' }],
  });

  // The probe alone, before the import (after a warm-up): what "answered promptly" is compared with.
  for (let i = 0; i < 300; i++) await must('AdminGetUser', { UserPoolId, Username: 'probe' });
  const idle = probe(UserPoolId);
  await sleep(1000);
  const idleStats = await idle.stop();
  const backend = o.postgres ? 'postgres' : 'sqlite';
  console.log(
    `incognito import benchmark: ${backend}, ${jobs} job(s) of ${userCount} users into one pool (${CSVHeader.length} columns), ` +
      `pool with AutoVerifiedAttributes email${aliases ? ' and AliasAttributes email' : ''}, DescribeUserImportJob every 100 ms, node ${process.version}`,
  );
  const f = (ms) => ms.toFixed(1);
  const row = (cells) => console.log(`| ${cells.join(' | ')} |`);
  row(['step', 'seconds', 'users/s', 'AdminGetUser answered', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx']);
  row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']);
  const probeCells = (s) => [s.count, f(s.p50), f(s.p99), f(s.max), s.non2xx];
  row(['AdminGetUser one after another, alone (1 s before the import)', '1.0', '', ...probeCells(idleStats)]);
  for (let j = 0; j < jobs && !process.exitCode; j++) await runJob(UserPoolId, CSVHeader, j, { f, row, probeCells, idleStats });
}

async function runJob(UserPoolId, CSVHeader, j, { f, row, probeCells, idleStats }) {
  let t = performance.now();
  const { csv, sample } = makeCsv(CSVHeader, userCount, j * userCount);
  const generated = (performance.now() - t) / 1000;
  const mb = (Buffer.byteLength(csv) / 1024 / 1024).toFixed(1);

  // 1. CreateUserImportJob → upload → StartUserImportJob → Succeeded.
  const t0 = performance.now();
  const { UserImportJob: created } = await must('CreateUserImportJob', { UserPoolId, JobName: 'bench', CloudWatchLogsRoleArn: ROLE });
  const JobId = created.JobId;
  t = performance.now();
  const put = await fetch(created.PreSignedUrl, { method: 'PUT', body: csv, headers: { 'x-amz-server-side-encryption': 'aws:kms', 'content-type': 'text/csv' } });
  const putBody = await put.text();
  const uploaded = performance.now();
  if (put.status !== 200) throw new Error(`the upload answered ${put.status}: ${putBody}`);

  const tStart = performance.now();
  const cpu0 = { loop: loopThreadCpuMs(), all: process.cpuUsage() };
  const during = probing ? probe(UserPoolId) : undefined;
  let job;
  // When DescribeUserImportJob first counted an imported user: the requests from then on met the
  // users being written (before it, the file is checked and the first window read and decided).
  let firstCounted;
  let gaveUp = false;
  let duringStats;
  try {
    await must('StartUserImportJob', { UserPoolId, JobId });
    for (;;) {
      ({ UserImportJob: job } = await must('DescribeUserImportJob', { UserPoolId, JobId }));
      if (firstCounted === undefined && job.ImportedUsers > 0) firstCounted = performance.now();
      if (!['Pending', 'InProgress'].includes(job.Status)) break;
      if (performance.now() - tStart > deadlineMs || isStopped()) {
        gaveUp = true;
        break;
      }
      await sleep(100);
    }
  } finally {
    duringStats = during ? await during.stop(firstCounted) : { count: 0, p50: 0, p99: 0, max: 0, non2xx: 0 };
  }
  const tEnd = performance.now();
  const loopCpu = cpu0.loop === undefined ? undefined : loopThreadCpuMs() - cpu0.loop;
  const allCpu = process.cpuUsage(cpu0.all);

  const uploadS = (uploaded - t) / 1000;
  const importS = (tEnd - tStart) / 1000;
  const totalS = (tEnd - t0) / 1000;
  const job1 = jobs > 1 ? `job ${j + 1} (${j * userCount} users in the pool before): ` : '';
  row([`${job1}upload (PUT ${mb} MB to the PreSignedUrl, generated in ${generated.toFixed(1)} s)`, uploadS.toFixed(2), '', '', '', '', '', '']);
  row([
    `${job1}import (StartUserImportJob → Succeeded)${probing ? ', AdminGetUser meanwhile' : ', no AdminGetUser meanwhile (--no-probe)'}`,
    importS.toFixed(2),
    Math.round(userCount / importS),
    ...(probing ? probeCells(duringStats) : ['', '', '', '', '']),
  ]);
  if (probing && duringStats.after) {
    row([`${job1}of which sent once users were being written (the first one counted)`, '', '', ...probeCells(duringStats.after)]);
  }
  row([`${job1}end to end (CreateUserImportJob → Succeeded)`, totalS.toFixed(2), Math.round(userCount / totalS), '', '', '', '', '']);
  // CPU time during the import, a user: less noisy than the rate on a shared machine. The event
  // loop's thread (the import's SQL, the requests, this script's probe) and the whole process (with
  // the worker threads: WAL checkpoints, the CSV parser).
  const perUser = (ms) => ((ms * 1000) / userCount).toFixed(1);
  console.log(
    `CPU during the import${jobs > 1 ? ` of job ${j + 1}` : ''}: ${loopCpu === undefined ? '' : `event-loop thread ${perUser(loopCpu)} µs a user, `}` +
      `whole process ${perUser((allCpu.user + allCpu.system) / 1000)} µs a user`,
  );

  const bad = [];
  if (gaveUp) bad.push(`the job was still ${job.Status} after ${(deadlineMs / 1000).toFixed(0)} s`);
  else if (job.Status !== 'Succeeded') bad.push(`the job ended ${job.Status}`);
  if (job.ImportedUsers !== userCount) bad.push(`ImportedUsers is ${job.ImportedUsers}, not ${userCount}`);
  if (job.SkippedUsers !== 0 || job.FailedUsers !== 0) bad.push(`SkippedUsers ${job.SkippedUsers}, FailedUsers ${job.FailedUsers}`);
  if (idleStats.non2xx || duringStats.non2xx) bad.push(`probe failures: ${idleStats.failure ?? duringStats.failure}`);
  if (!gaveUp && job.Status === 'Succeeded') {
    // Spot-check users as the server stored them: the escaped comma, a non-ASCII name, a phone number.
    for (const s of sample) {
      const u = await must('AdminGetUser', { UserPoolId, Username: s.username });
      const got = Object.fromEntries(u.UserAttributes.map((a) => [a.Name, a.Value]));
      const wrong = Object.entries(s.attributes).filter(([k, v]) => got[k] !== v);
      if (u.UserStatus !== 'RESET_REQUIRED' || wrong.length) {
        bad.push(`user ${s.username} reads back as ${u.UserStatus} ${JSON.stringify(got)}; expected ${JSON.stringify(s.attributes)}`);
      }
    }
  }
  if (bad.length) {
    console.log(`\nFAILED: ${bad.join('; ')}\njob: ${JSON.stringify(job, null, 2)}`);
    const log = await fetch(`${b.server.url}/_incognito/imports/${JobId}/log?limit=5`).then((r) => r.text()).catch((e) => String(e));
    console.log(`first log lines: ${log}`);
    process.exitCode = 1;
  }
}

/** CPU time (ms) of this process's main thread so far, from /proc (Linux; undefined elsewhere). */
function loopThreadCpuMs() {
  try {
    const f = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime, stime in clock ticks (100 a second)
  } catch {
    return undefined;
  }
}

/**
 * AdminGetUser on the probe user, one request after another until stop(): stop() resolves to the
 * count, p50/p99/max latency (ms, unrounded), failed requests and the first failure.
 */
function probe(UserPoolId) {
  const latencies = [];
  let non2xx = 0;
  let failure;
  let running = true;
  const body = JSON.stringify({ UserPoolId, Username: 'probe' });
  const headers = b.headers('AdminGetUser');
  const starts = [];
  const loop = (async () => {
    while (running && !isStopped()) {
      const t = performance.now();
      try {
        const res = await fetch(b.server.url + '/', { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
        const text = await res.text();
        if (!res.ok) {
          non2xx++;
          failure ??= `${res.status} ${text}`;
          continue;
        }
        latencies.push(performance.now() - t);
        starts.push(t);
      } catch (e) {
        non2xx++;
        failure ??= String(e?.stack ?? e);
      }
    }
  })();
  return {
    /** `from` (performance.now()): also the figures of the requests sent from then on (`after`). */
    async stop(from) {
      running = false;
      await loop;
      const stats = (l) => {
        l.sort((x, y) => x - y);
        const q = (p) => (l.length ? l[Math.min(l.length - 1, Math.floor(p * l.length))] : 0);
        return { count: l.length, p50: q(0.5), p99: q(0.99), max: l.length ? l[l.length - 1] : 0, non2xx, failure };
      };
      const after = from === undefined ? undefined : stats(latencies.filter((_, i) => starts[i] >= from));
      return { ...stats(latencies), after };
    },
  };
}

/**
 * The CSV: every column of the header, realistic values where the pool has the attribute, the rest
 * empty. Also a few users to read back afterwards, with the attributes they must have.
 */
function makeCsv(header, n, offset = 0) {
  const given = ['Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'Lucas', 'Mia', 'Hugo', 'Léa', 'José', 'Zoë', 'Łukasz', 'Søren', 'Chloé', 'Mateo', 'Aiko', 'Priya', 'Omar', 'Ingrid', 'Yusuf'];
  const family = ['Smith', 'Johnson', 'García', 'Müller', 'Martin', 'Rossi', 'Nowak', 'Dubois', 'Tanaka', 'Kowalski', 'Ødegaard', 'Brown', 'Silva', 'Novák', 'Jensen', 'Patel', "O'Brien", 'Nguyen', 'Schmidt', 'Lopez'];
  const ascii = (s) => s.normalize('NFD').replace(/[^\x20-\x7e]/g, '').replace(/'/g, '').toLowerCase() || 'x';
  const locales = ['en-US', 'en-GB', 'fr-FR', 'de-DE', 'es-ES', 'pl-PL', 'ja-JP', 'da-DK'];
  const zones = ['America/New_York', 'Europe/London', 'Europe/Paris', 'Europe/Berlin', 'Europe/Madrid', 'Europe/Warsaw', 'Asia/Tokyo', 'Europe/Copenhagen'];
  const streets = ['Main Street', 'Rue de Rivoli', 'Hauptstraße', 'Calle Mayor', 'Via Roma', 'Baker Street'];
  const cities = ['Springfield', 'Paris', 'Berlin', 'Madrid', 'Rome', 'London'];
  const col = new Map(header.map((h, i) => [h, i]));
  const lines = [header.join(',')];
  const sample = [];
  const sampleAt = new Set([0, 9, 10, 30, Math.floor(n / 2), n - 1].filter((i) => i >= 0 && i < n).map((i) => i + offset));
  for (let i = offset; i < offset + n; i++) {
    const g = given[i % given.length];
    const fam = family[Math.floor(i / given.length) % family.length];
    const username = `${ascii(g)}.${ascii(fam)}.${i}`;
    const v = {
      'cognito:username': username,
      'cognito:mfa_enabled': 'false',
      given_name: g,
      family_name: fam,
      name: `${g} ${fam}`,
      email: `${ascii(g)}.${ascii(fam)}.${i}@example.com`,
      email_verified: 'true',
      locale: locales[i % locales.length],
      zoneinfo: zones[i % zones.length],
    };
    if (i % 3 === 0) {
      v.phone_number = `+1555${String(i).padStart(7, '0')}`;
      v.phone_number_verified = 'false';
    }
    if (i % 4 === 1) v.birthdate = `${(i % 12) + 1}/${(i % 28) + 1}/${1950 + (i % 55)}`;
    // One row in ten: a comma inside a value, written \, as the import format wants it.
    if (i % 10 === 0) v.address = `${(i % 200) + 1} ${streets[i % streets.length]}\\, ${cities[i % cities.length]}`;
    const cells = new Array(header.length).fill('');
    for (const [k, val] of Object.entries(v)) {
      if (col.has(k)) cells[col.get(k)] = val;
    }
    lines.push(cells.join(','));
    if (sampleAt.has(i)) {
      const attributes = {};
      for (const [k, val] of Object.entries(v)) if (!k.startsWith('cognito:') && col.has(k) && k !== 'birthdate') attributes[k] = val.replace(/\\,/g, ',');
      sample.push({ username, attributes });
    }
  }
  return { csv: lines.join('\n') + '\n', sample };
}
