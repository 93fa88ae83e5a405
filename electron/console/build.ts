import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
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
}

/**
 * Builds the console with Vite and the renderer's own config file (its owner decides root, base and
 * output), unless the build is newer than every source. Vite runs in a child process: a host that built
 * its console on first use (`opsdeck serve`, `npm start`) would otherwise keep the bundler's memory,
 * about 370 MB of native memory, for as long as it serves.
 */
export async function buildRenderer(opts: BuildOptions = {}): Promise<{ built: boolean; outDir: string }> {
  if (!opts.force && (await rendererUpToDate())) return { built: false, outDir: rendererOutDir };
  const config = { configFile: join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: opts.quiet ? 'error' : 'info' };
  const script = `import { build } from 'vite'; await build(${JSON.stringify(config)});`;
  const child = spawn(process.execPath, ['--input-type=module', '--eval', script], { cwd: repoRoot, stdio: 'inherit' });
  const failure = await new Promise<string | null>((resolveExit) => {
    child.on('error', (error) => resolveExit(error.message));
    child.on('exit', (code, signal) => resolveExit(code === 0 ? null : signal ? `killed by ${signal}` : `exit code ${String(code)}`));
  });
  if (failure !== null) throw new Error(`the console build (Vite) failed: ${failure}`);
  return { built: true, outDir: rendererOutDir };
}
