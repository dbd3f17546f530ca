#!/usr/bin/env node
/**
 * `incognito [options]`: starts the server. See --help.
 * `incognito cert [--out DIR] [--host NAME ...]`: writes a self-signed certificate and key for
 * local HTTPS (DIR defaults to ./data/tls).
 */
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

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'cert') return cert(argv.slice(1));
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
