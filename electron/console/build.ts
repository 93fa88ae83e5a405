import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { buildOnce, type LockHolder } from './buildOnce.ts';
import { upToDate } from './freshness.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The built console, where `npm run build` puts it and the hosts serve it from. */
export const rendererOutDir = join(repoRoot, 'dist', 'renderer');

const rendererInputs = [join(repoRoot, 'renderer'), join(repoRoot, 'shared'), join(repoRoot, 'package.json')];

/** Whether the built console is newer than every source it is built from (false when it was never built). */
export function rendererUpToDate(): Promise<boolean> {
  return upToDate([join(rendererOutDir, 'index.html')], rendererInputs);
}

export interface BuildOptions {
  force?: boolean;
  /** Only errors: for hosts that print their own first line (opsdeck serve). */
  quiet?: boolean;
  /** Told when another process is building the console and this one waits for it; default a line on stderr. */
  onWait?(holder: LockHolder | null): void;
  /** Told when this process starts building it. */
  onBuild?(): void;
}

/** `another opsdeck (pid 4242) is building the console; waiting for it...` */
export function waitingWords(holder: LockHolder | null): string {
  const who = holder === null ? 'another opsdeck' : `another opsdeck (pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`})`;
  return `opsdeck: ${who} is building the console; waiting for it...`;
}

/** Vite, with the renderer's own config file, writing into `outDir`. */
async function vite(outDir: string, quiet: boolean): Promise<void> {
  const config = { configFile: join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: quiet ? 'error' : 'info', build: { outDir, emptyOutDir: true } };
  const script = `import { build } from 'vite'; await build(${JSON.stringify(config)});`;
  const child = spawn(process.execPath, ['--input-type=module', '--eval', script], { cwd: repoRoot, stdio: 'inherit' });
  const failure = await new Promise<string | null>((resolveExit) => {
    child.on('error', (error) => resolveExit(error.message));
    child.on('exit', (code, signal) => resolveExit(code === 0 ? null : signal ? `killed by ${signal}` : `exit code ${String(code)}`));
  });
  if (failure !== null) throw new Error(`the console build (Vite) failed: ${failure}`);
}

/**
 * Builds the console with Vite and the renderer's own config file (its owner decides root, base and
 * output), unless the build is newer than every source. Vite runs in a child process: a host that built
 * its console on first use (`opsdeck serve`, `npm start`) would otherwise keep the bundler's memory,
 * about 370 MB of native memory, for as long as it serves. Processes building at once (two `opsdeck
 * serve` started together on a fresh clone) build it once, the others waiting (buildOnce.ts).
 */
export async function buildRenderer(opts: BuildOptions = {}): Promise<{ built: boolean; outDir: string }> {
  const { built } = await buildOnce({
    outDir: rendererOutDir,
    upToDate: async () => !opts.force && (await rendererUpToDate()),
    build: (dir) => vite(dir, opts.quiet ?? false),
    onWait: opts.onWait ?? ((holder) => process.stderr.write(`${waitingWords(holder)}\n`)),
    onBuild: opts.onBuild,
  });
  return { built, outDir: rendererOutDir };
}
