#!/usr/bin/env node
// How many pages a user import writes to SQLite's WAL a user, as the pool grows: the users table with
// the indexes of migrations 0002/0005 (a copy of their shape, not the migrations themselves), rows made
// as bench/import.mjs makes them, decided a window at a time, sorted by username key (and the window's
// subs sorted, as src/imports/runner.ts hands them out), inserted --tx rows a transaction, no checkpoint
// while a half of the rows is written (wal_autocheckpoint 0), the WAL's growth counted at each commit.
// A count of pages, not a time: the same on a loaded machine as on a quiet one. Prints the pages a user
// for the first and the second half of the users.
//   node bench/import-index-pages.mjs [--window 100000] [--tx 500] [--users 1000000] [--drop sub,status,...]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

const arg = (name, d) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : d);
const W = Number(arg('--window', '100000'));
const B = Number(arg('--tx', '500'));
const N = Number(arg('--users', '1000000'));
const drop = arg('--drop', '').split(',').filter(Boolean);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-pages-'));
const file = path.join(dir, 'users.sqlite');
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('cache_size = -65536');
db.pragma('wal_autocheckpoint = 0');
const attrs = ['email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username'];
const indexes = {
  sub: 'create unique index users_sub on users (pool_id, sub)',
  status: 'create index users_status on users (pool_id, status, username_key)',
  enabled: 'create index users_enabled on users (pool_id, enabled, username_key)',
  ...Object.fromEntries(attrs.map((a) => [a, `create index users_${a} on users (pool_id, ${a}, username_key) where ${a} is not null`])),
};
db.exec(`create table users (pool_id text not null, username_key text not null, username text not null, sub text not null,
  status text not null, enabled integer not null, attributes text not null, password_hash text, password_updated_at bigint,
  srp_verifier text, mfa text, extra text not null, created_at bigint not null, updated_at bigint not null,
  ${attrs.map((a) => `${a} text`).join(', ')}, primary key (pool_id, username_key))`);
for (const [k, v] of Object.entries(indexes)) if (!drop.includes(k)) db.exec(v);
const cols = ['pool_id', 'username_key', 'username', 'sub', 'status', 'enabled', 'attributes', 'password_hash', 'password_updated_at', 'srp_verifier', 'mfa', 'extra', 'created_at', 'updated_at', ...attrs];
const insert = db.prepare(`insert into users (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`);
const given = ['Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'Lucas', 'Mia', 'Hugo', 'Lea', 'Jose', 'Zoe', 'Lukasz', 'Soren', 'Chloe', 'Mateo', 'Aiko', 'Priya', 'Omar', 'Ingrid', 'Yusuf'];
function row(i) {
  const g = given[i % 20];
  const f = `${given[Math.floor(i / 20) % 20]}son`;
  const u = `${g}.${f}.${i}`.toLowerCase();
  const a = { given_name: g, family_name: f, name: `${g} ${f}`, email: `${u}@example.com`, email_verified: 'true', locale: 'en-US' };
  if (i % 3 === 0) a.phone_number = `+1555${String(i).padStart(7, '0')}`;
  const now = Date.now();
  return ['us-east-1_abcdefghi', u, u, crypto.randomUUID(), 'RESET_REQUIRED', 1, JSON.stringify(a), null, null, null, '{}', '{}', now, now, a.email, a.phone_number ?? null, a.name, g, f, null];
}
const walBytes = () => (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
const halves = [0, 0];
const by = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
for (let w = 0; w < N; w += W) {
  const window = [];
  for (let i = w; i < Math.min(N, w + W); i++) window.push(row(i));
  window.sort((x, y) => by(x[1], y[1]));
  const subs = window.map((r) => r[3]).sort(by);
  window.forEach((r, i) => (r[3] = subs[i]));
  for (let i = 0; i < window.length; i += B) {
    const half = w + i < N / 2 ? 0 : 1;
    if (half === 1 && halves[1] === 0) db.pragma('wal_checkpoint(TRUNCATE)');
    const before = walBytes();
    db.exec('begin');
    for (const r of window.slice(i, i + B)) insert.run(r);
    db.exec('commit');
    halves[half] += (walBytes() - before) / (db.pragma('page_size', { simple: true }) + 24);
  }
}
console.log(
  `window ${W}, ${B} rows a transaction, ${N} users${drop.length ? `, without ${drop.join(', ')}` : ''}: WAL pages a user, ` +
    `first half ${(halves[0] / (N / 2)).toFixed(2)}, second half ${(halves[1] / (N - N / 2)).toFixed(2)}`,
);
db.close();
fs.rmSync(dir, { recursive: true, force: true });
