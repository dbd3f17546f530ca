#!/usr/bin/env node
/**
 * `incognito [options]`: starts the server. See --help.
 * `incognito cert [--out DIR] [--host NAME ...]`: writes a self-signed certificate and key for
 * local HTTPS (DIR defaults to ./data/tls).
 * `incognito export [--pool ID] [--with-secrets] [--format yaml|json] [--out FILE] [store options]`:
 * writes the store's pools as a seed file (src/seed/export.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, helpText, loadConfig } from './config.js';
import { log, logError } from './log.js';
import { StartupError } from './startup-error.js';

// The server and the certificate maker are imported when they are used: `--help` and a bad
// option answer without loading the database drivers and the rest of the server.

async function cert(argv: string[]): Promise<void> {
  let out = './data/tls';
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if ((a === '--out' || a === '--host') && v !== undefined) {
      if (a === '--out') out = v;
      else names.push(v);
      i++;
    } else {
      console.error(`incognito cert: unknown option '${a}' (usage: incognito cert [--out DIR] [--host NAME ...])`);
      process.exit(2);
    }
  }
  const { makeSelfSigned } = await import('./tls.js');
  const files = await makeSelfSigned(path.resolve(out), names);
  console.log(`wrote ${files.cert} and ${files.key}`);
  console.log(`start with: incognito --tls-cert ${files.cert} --tls-key ${files.key}   (HTTPS on port 9443; browsers will ask you to trust the certificate)`);
}

const EXPORT_USAGE = 'usage: incognito export [--pool ID] [--with-secrets] [--format yaml|json] [--out FILE] [--data-dir DIR | --database-url URL ...]';

/** `incognito export`: the options of its own, then the server's store options (flags and environment). */
async function exportCommand(argv: string[]): Promise<void> {
  let poolId: string | undefined;
  let withSecrets = false;
  let format: 'yaml' | 'json' | undefined;
  let out: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (a === '--with-secrets') withSecrets = true;
    else if ((a === '--pool' || a === '--format' || a === '--out') && v !== undefined && !v.startsWith('--')) {
      if (a === '--pool') poolId = v;
      else if (a === '--out') out = v;
      else if (v === 'yaml' || v === 'json') format = v;
      else fail(`--format takes yaml or json, not '${v}'`);
      i++;
    } else if (a === '--pool' || a === '--format' || a === '--out') fail(`${a} needs a value`);
    else if (a === '--help' || a === '-h') {
      console.log(EXPORT_USAGE);
      return;
    } else rest.push(a);
  }
  function fail(why: string): never {
    console.error(`incognito export: ${why} (${EXPORT_USAGE})`);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig(rest, process.env);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  format ??= out && /\.json$/i.test(out) ? 'json' : 'yaml';
  const { openStore, missingStore } = await import('./store/index.js');
  const { Secrets, loadMasterKey, checkMasterKey } = await import('./domain/secrets.js');
  const { exportState, formatSeed } = await import('./seed/export.js');
  let text: string;
  try {
    let readOnly = false;
    // A mistyped --data-dir (or schema) would otherwise be made into a new, empty store.
    const missing = await missingStore(config);
    if (missing) throw new StartupError(missing);
    const store = await openStore(config).catch(async (e: unknown) => {
      // A SQLite data directory a running server owns: read it beside the server, read-only.
      const sqlite = await import('./store/sqlite/index.js');
      if (!(e instanceof sqlite.DataDirInUseError)) throw e;
      readOnly = true;
      return sqlite.openSqliteReader(config.dataDir);
    });
    try {
      const secrets = new Secrets(loadMasterKey(config));
      await checkMasterKey(store, secrets, { readOnly });
      // One read transaction: a consistent picture while the server runs.
      const state = await store.transaction((tx) => exportState(tx, secrets, { ...(poolId !== undefined ? { poolId } : {}), withSecrets }));
      text = formatSeed(state, format, withSecrets);
    } finally {
      await store.close();
    }
  } catch (e) {
    if (e instanceof StartupError || (e instanceof Error && /^there is no user pool/.test(e.message))) {
      console.error(`incognito export: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  if (out) {
    fs.writeFileSync(out, text, { mode: withSecrets ? 0o600 : 0o644 });
    console.error(`wrote ${out}`);
  } else {
    process.stdout.write(text);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'cert') return cert(argv.slice(1));
  if (argv[0] === 'export') return exportCommand(argv.slice(1));
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText());
    return;
  }
  let config;
  try {
    config = loadConfig(argv, process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`incognito: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const { startServer } = await import('./server.js');
  let server;
  try {
    server = await startServer(config);
  } catch (e) {
    // The port is taken, the data directory is another process's, the key does not fit: say so, in one line.
    if (e instanceof StartupError) {
      console.error(`incognito: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  log({
    msg: 'incognito listening',
    url: server.url,
    ...(server.httpsUrl ? { httpsUrl: server.httpsUrl } : {}),
    store: server.store.kind,
    ...(server.store.kind === 'sqlite' ? { dataDir: config.dataDir } : {}),
    region: config.region,
    ...(config.console ? { console: `${server.url}/_incognito/console` } : {}),
    ...(config.lambdaDir ? { lambdaDir: config.lambdaDir } : {}),
    ...(config.lambdaEndpoint ? { lambdaEndpoint: config.lambdaEndpoint } : {}),
    // The names of the access keys admin operations need (never a secret); none = development, open.
    accessKeys: server.accessKeyNames.length ? server.accessKeyNames : 'none (admin operations are open: development only)',
    // Ctrl-C in the terminal, or SIGTERM to this process id, stops the server gracefully.
    pid: process.pid,
  });
  const stop = async (signal: string) => {
    log({ msg: `received ${signal}, shutting down` });
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  logError('incognito failed to start', e);
  process.exit(1);
});
