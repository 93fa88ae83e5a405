import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const URL_LINE = /opsdeck console: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/;

export interface RunningConsole {
  /** The printed URL, token included. */
  url: string;
  origin: string;
  token: string;
  stop(): Promise<void>;
}

/**
 * Starts `opsdeck serve` (real store, and a real engine even on PostgreSQL, where serve only observes by default) and waits for the line with its URL. Whatever the
 * process printed is kept, so a failure to start says why. `npmStart` starts the console as `npm start` does where Electron is not
 * installed (scripts/start.ts, the browser host), with `npmStart.dataDir` as the user's data directory. `port` is a free one
 * unless given (a restart on the port an earlier start had, as an operator's is).
 */
export async function startConsole(opts: { db: string; registry?: string; env?: Record<string, string>; npmStart?: { dataDir: string }; port?: number }): Promise<RunningConsole> {
  // OPSDECK_E2E_BIN runs the specs against another build of the CLI (an installed package, a branch).
  const bin = process.env.OPSDECK_E2E_BIN ?? 'bin/opsdeck.js';
  const registry = opts.registry ? ['--registry', opts.registry] : [];
  // Without a registry flag the console must start empty, whatever the caller's environment names.
  const env: Record<string, string | undefined> = { ...process.env, OPSDECK_REGISTRY: undefined, ...opts.env };
  if (opts.npmStart) {
    // The data directory (Linux: XDG_DATA_HOME; macOS: under HOME), and no Electron even where it is installed.
    Object.assign(env, { XDG_DATA_HOME: opts.npmStart.dataDir, HOME: opts.npmStart.dataDir, ELECTRON_OVERRIDE_DIST_PATH: opts.npmStart.dataDir });
  }
  const command = opts.npmStart ? ['scripts/start.ts', '--no-open'] : [bin, 'serve'];
  const child = spawn(process.execPath, [...command, '--db', opts.db, ...registry, '--port', String(opts.port ?? 0), '--execute'], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('opsdeck serve printed no URL within 30 s')), 30_000);
    function fail(error: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- output ---\n${output.join('\n')}`));
    }
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        if (output.length > 200) output.shift();
        const match = URL_LINE.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    }
    child.once('exit', (code, signal) => fail(new Error(`opsdeck serve exited (${signal ?? code}) before printing its URL`)));
    child.once('error', (error) => fail(error));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
