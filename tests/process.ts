/** Runs the real command line (`dist/src/cli.js`) as a child process, for restart and crash tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

export interface Child {
  proc: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts `incognito --port 0 ...args` and resolves once it logs the URL it listens on. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, '--port', '0', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 15_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /"msg":"incognito listening","url":"([^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, output: () => out });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

export function kill(child: Child, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    child.proc.removeAllListeners('exit');
    child.proc.once('exit', () => resolve());
    child.proc.kill(signal);
  });
}

/** The command-line flags that point a child at a test database (Backend.fresh() settings). */
export function storeArgs(settings: { dataDir?: string; databaseUrl?: string; databaseSchema?: string }): string[] {
  const args: string[] = [];
  if (settings.dataDir) args.push('--data-dir', settings.dataDir);
  if (settings.databaseUrl) args.push('--database-url', settings.databaseUrl, '--database-schema', settings.databaseSchema!);
  return args;
}
