/**
 * Seed files at start-up (--seed FILE|DIR, repeatable; INCOGNITO_SEED): read them all, then apply
 * them in order, all in one transaction. Any problem is a SeedError (a StartupError): the server
 * does not start, and nothing of any file is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { applySeed, type SeedServices, type SeedSummary } from './apply.js';
import { entryNamesSettings, labelOf, parseSeed, SeedError, type SeedFile } from './format.js';
import { ConflictError, isUniqueViolation } from '../store/errors.js';

export { SeedError } from './format.js';
export type { SeedServices, SeedSummary } from './apply.js';

const SEED_FILE = /\.(json|ya?ml)$/i;

/** The files the --seed paths name: a file as given, a directory's *.json / *.yaml / *.yml in name order. */
export function seedFiles(paths: string[], log?: SeedLog): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new SeedError(`--seed ${p}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      const names = fs.readdirSync(p).filter((n) => SEED_FILE.test(n) && fs.statSync(path.join(p, n)).isFile()).sort();
      if (!names.length) log?.({ msg: 'seed: no seed file here (*.json, *.yaml, *.yml)', level: 'warn', dir: p });
      out.push(...names.map((n) => path.join(p, n)));
    } else {
      out.push(p);
    }
  }
  return out;
}

/** Reads and parses every file first (a typo in the last one stops the start before the first is applied). */
export function readSeedFiles(paths: string[], log?: SeedLog): { name: string; file: SeedFile }[] {
  const files = seedFiles(paths, log).map((name) => {
    let text: string;
    try {
      text = fs.readFileSync(name, 'utf8');
    } catch (e) {
      throw new SeedError(`${name}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const file = parseSeed(name, text);
    if (!file.pools?.length) log?.({ msg: 'seed: the file names no pool', level: 'warn', file: name });
    return { name, file };
  });
  checkDuplicatePools(files);
  return files;
}

/** Where the start-up log goes (server.ts: log.ts's log). */
export type SeedLog = (fields: Record<string, unknown>) => void;

/**
 * Two entries for one pool (the same Id, or the same PoolName without an Id): refused in one file,
 * and across files when both give settings (the later would silently undo the earlier). An entry
 * that gives no setting (Id / PoolName and lists) may refer to a pool another file makes.
 */
function checkDuplicatePools(files: { name: string; file: SeedFile }[]): void {
  const seen = new Map<string, { file: string; where: string; settings: boolean }>();
  for (const { name, file } of files) {
    (file.pools ?? []).forEach((p, i) => {
      const key = p.Id !== undefined ? `id:${p.Id}` : `name:${p.PoolName}`;
      const here = { file: name, where: `pools[${i}] (${labelOf(p.PoolName ?? p.Id)})`, settings: entryNamesSettings(p) };
      const before = seen.get(key);
      if (before && (before.file === name || (before.settings && here.settings))) {
        const what = p.Id !== undefined ? `the pool ${labelOf(p.Id)}` : `the pool named ${labelOf(p.PoolName)}`;
        throw new SeedError(
          `${name}: ${here.where}: ${what} is already described by ${before.file === name ? '' : `${before.file}: `}${before.where}: give a pool once${before.file === name ? ' in a file' : ' with its settings (another file may list its users, clients, ... under an entry with only Id or PoolName)'}.`,
        );
      }
      if (!before || here.settings) seen.set(key, here);
    });
  }
}

/**
 * Applies the seed files in order, all in one transaction: a file that fails leaves none of them
 * applied (the files before it included). What each changed.
 */
export async function applySeeds(services: SeedServices, paths: string[], log?: SeedLog): Promise<SeedSummary[]> {
  const files = readSeedFiles(paths, log);
  if (!files.length) log?.({ msg: 'seed: no seed file found', level: 'warn', paths });
  const attempt = () =>
    services.store.transaction(async (tx) => {
      const out: SeedSummary[] = [];
      for (const { name, file } of files) out.push(await applySeed({ ...services, store: tx }, name, file, log));
      return out;
    });
  // Nodes sharing a PostgreSQL database and starting together with the same files: one inserts a
  // fixed id first, the other's insert conflicts; applied again, it finds what the first made.
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof ConflictError || isUniqueViolation(e)) || tries >= 3) throw e;
    }
  }
}
