#!/usr/bin/env node
/** `incognito [options]`: starts the server. See --help. */
import { ConfigError, helpText, loadConfig } from './config.js';
import { startServer } from './server.js';
import { log, logError } from './log.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
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
  const server = await startServer(config);
  log({
    msg: 'incognito listening',
    url: server.url,
    store: server.store.kind,
    ...(server.store.kind === 'sqlite' ? { dataDir: config.dataDir } : {}),
    region: config.region,
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
