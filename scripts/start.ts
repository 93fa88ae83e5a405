/**
 * `npm start`: the desktop console in Electron when its binary is installed; otherwise the same console
 * served to the browser (`opsdeck serve`). Arguments are forwarded: `npm start -- --db postgres://…`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildRenderer } from '../electron/console/build.ts';
import { buildMain, repoRoot } from './build.ts';

/**
 * The Electron executable, or null when it was never downloaded. This reads the electron package's
 * path.txt itself: `require('electron')` would try to download the binary when it is missing.
 */
export function electronBinary(root = repoRoot, env: Record<string, string | undefined> = process.env): string | null {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  if (relative === '') return null;
  const binary = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, relative) : join(pkg, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

function hasDisplay(env: Record<string, string | undefined> = process.env): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

async function startElectron(binary: string, args: string[]): Promise<void> {
  await buildRenderer();
  await buildMain();
  const child = spawn(binary, [repoRoot, ...args], { stdio: 'inherit' });
  await new Promise<void>((resolveChild) => {
    child.on('error', (error) => {
      console.error(`Electron did not start: ${error.message}`);
      process.exitCode = 1;
      resolveChild();
    });
    child.on('exit', (code, signal) => {
      process.exitCode = code ?? (signal ? 1 : 0);
      resolveChild();
    });
  });
}

async function startBrowserHost(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string' },
      registry: { type: 'string' },
      port: { type: 'string' },
      execute: { type: 'boolean' },
      'no-execute': { type: 'boolean' },
      'no-open': { type: 'boolean' },
    },
    strict: false,
    allowPositionals: true,
  });
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const port = text(values.port);
  if (port !== undefined && !/^\d{1,5}$/.test(port)) {
    console.error(`--port must be a number from 0 to 65535, not "${port}"`);
    process.exitCode = 2;
    return;
  }
  console.log('Electron is not installed here (its binary was not downloaded); serving the console in your browser instead:');
  await buildRenderer({ quiet: true });
  const { runServe } = await import('../electron/server/serve.ts');
  const { logDirectory } = await import('../electron/log/logFile.ts');
  const { userDataDir } = await import('../electron/store/location.ts');
  await runServe({
    db: text(values.db),
    registryPath: text(values.registry),
    port: port === undefined ? undefined : Number(port),
    execute: values.execute === true ? true : values['no-execute'] === true ? false : undefined,
    open: values['no-open'] !== true && hasDisplay(),
    logDirectory: logDirectory(),
    // As the desktop does: the registry last loaded on the store comes back at the next npm start.
    rememberRegistryIn: userDataDir(process.env, process.platform, homedir()),
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const binary = electronBinary();
  if (binary) await startElectron(binary, args);
  else await startBrowserHost(args);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
