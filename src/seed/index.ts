/**
 * Seed files at start-up (--seed FILE|DIR, repeatable; INCOGNITO_SEED): read them all, then apply
 * them in order, all in one transaction. Any problem is a SeedError (a StartupError): the server
 * does not start, and nothing of any file is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { applySeed, type SeedServices, type SeedSummary } from './apply.js';
import { parseSeed, SeedError, type SeedFile } from './format.js';
import { ConflictError, isUniqueViolation } from '../store/errors.js';

export { SeedError } from './format.js';
export type { SeedServices, SeedSummary } from './apply.js';

const SEED_FILE = /\.(json|ya?ml)$/i;

/** The files the --seed paths name: a file as given, a directory's *.json / *.yaml / *.yml in name order. */
export function seedFiles(paths: string[]): string[] {
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
      out.push(...names.map((n) => path.join(p, n)));
    } else {
      out.push(p);
    }
  }
  return out;
}

/** Reads and parses every file first (a typo in the last one stops the start before the first is applied). */
export function readSeedFiles(paths: string[]): { name: string; file: SeedFile }[] {
  return seedFiles(paths).map((name) => {
    let text: string;
    try {
      text = fs.readFileSync(name, 'utf8');
    } catch (e) {
      throw new SeedError(`${name}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return { name, file: parseSeed(name, text) };
  });
}

/**
 * Applies the seed files in order, all in one transaction: a file that fails leaves none of them
 * applied (the files before it included). What each changed.
 */
export async function applySeeds(services: SeedServices, paths: string[]): Promise<SeedSummary[]> {
  const files = readSeedFiles(paths);
  const attempt = () =>
    services.store.transaction(async (tx) => {
      const out: SeedSummary[] = [];
      for (const { name, file } of files) out.push(await applySeed({ ...services, store: tx }, name, file));
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
