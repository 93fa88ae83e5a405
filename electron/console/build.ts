import { join, resolve } from 'node:path';
import { upToDate } from './freshness.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The built console, where `npm run build` puts it and the hosts serve it from. */
export const rendererOutDir = join(repoRoot, 'dist', 'renderer');

const rendererInputs = [join(repoRoot, 'renderer'), join(repoRoot, 'shared'), join(repoRoot, 'package.json')];

export interface BuildOptions {
  force?: boolean;
  /** Only errors: for hosts that print their own first line (opsdeck serve). */
  quiet?: boolean;
}

/**
 * Builds the console with Vite and the renderer's own config file (its owner decides root, base and
 * output), unless the build is newer than every source. Vite is loaded only when a build is needed.
 */
export async function buildRenderer(opts: BuildOptions = {}): Promise<{ built: boolean; outDir: string }> {
  if (!opts.force && (await upToDate([join(rendererOutDir, 'index.html')], rendererInputs))) return { built: false, outDir: rendererOutDir };
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: opts.quiet ? 'error' : 'info' });
  return { built: true, outDir: rendererOutDir };
}
