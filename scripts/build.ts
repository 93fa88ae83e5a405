/**
 * Builds what is not run from source: the renderer (Vite, renderer/vite.config.ts → dist/renderer, by
 * electron/console/build.ts, which `opsdeck serve` also calls) and the Electron main process and preload
 * (esbuild → dist/main/*.cjs). Each is skipped when its outputs are newer than every input, so
 * `npm start` stays fast. `node scripts/build.ts [--force]` builds both.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRenderer, type BuildOptions } from '../electron/console/build.ts';
import { upToDate } from '../electron/console/freshness.ts';

export const repoRoot = resolve(import.meta.dirname, '..');
export const mainOutDir = join(repoRoot, 'dist', 'main');

/** Native or optional modules that cannot be bundled; Electron and the packaged node_modules provide them. */
export const MAIN_EXTERNALS = ['electron', 'better-sqlite3', 'pg-native', 'ssh2', 'cpu-features'];

const mainInputs = [join(repoRoot, 'electron'), join(repoRoot, 'shared'), join(repoRoot, 'build', 'icon.png'), join(repoRoot, 'package.json')];

/**
 * Rewrites import.meta in a bundled source file to what it would be in the source tree, relative to
 * the bundle's own __dirname, so code that finds migrations/ or examples/ beside itself still does
 * once bundled (and inside app.asar, which keeps the same layout).
 */
function importMetaPlugin(outDir: string) {
  const toRoot = relative(outDir, repoRoot).split(/[\\/]/).filter(Boolean);
  return {
    name: 'opsdeck-import-meta',
    setup(build: { onLoad(options: { filter: RegExp }, callback: (args: { path: string }) => Promise<{ contents: string; loader: 'ts' } | undefined>): void }) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${join('/', 'node_modules', '/')}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta')) return { contents: source, loader: 'ts' };
        const rel = relative(repoRoot, args.path).split(/[\\/]/);
        const file = `require("node:path").join(__dirname, ${JSON.stringify([...toRoot, ...rel]).slice(1, -1)})`;
        const dir = `require("node:path").join(__dirname, ${JSON.stringify([...toRoot, ...rel.slice(0, -1)]).slice(1, -1) || '"."'})`;
        const contents = source
          .replaceAll('import.meta.url', `require("node:url").pathToFileURL(${file}).href`)
          .replaceAll('import.meta.filename', file)
          .replaceAll('import.meta.dirname', dir);
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** esbuild: main.ts → main.cjs (Node side, natives external) and preload.ts → preload.cjs (sandboxed, only electron external). */
export async function buildMain(opts: BuildOptions & { outDir?: string } = {}): Promise<{ built: boolean; outDir: string }> {
  const outDir = opts.outDir ?? mainOutDir;
  const outputs = [join(outDir, 'main.cjs'), join(outDir, 'preload.cjs')];
  if (!opts.force && (await upToDate(outputs, mainInputs))) return { built: false, outDir };
  const esbuild = await import('esbuild');
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: 'node22',
    sourcemap: true,
    logLevel: opts.quiet ? ('error' as const) : ('warning' as const),
    legalComments: 'none' as const,
  };
  await esbuild.build({
    ...common,
    entryPoints: [join(repoRoot, 'electron', 'main', 'main.ts')],
    outfile: outputs[0],
    external: MAIN_EXTERNALS,
    plugins: [importMetaPlugin(outDir)],
  });
  await esbuild.build({
    ...common,
    entryPoints: [join(repoRoot, 'electron', 'main', 'preload.ts')],
    outfile: outputs[1],
    external: ['electron'],
  });
  const icon = join(repoRoot, 'build', 'icon.png');
  if (existsSync(icon)) await copyFile(icon, join(outDir, 'icon.png'));
  return { built: true, outDir };
}

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  const renderer = await buildRenderer({ force });
  console.log(renderer.built ? `built ${relative(repoRoot, renderer.outDir)}` : `${relative(repoRoot, renderer.outDir)} is up to date`);
  const electronMain = await buildMain({ force });
  console.log(electronMain.built ? `built ${relative(repoRoot, electronMain.outDir)}` : `${relative(repoRoot, electronMain.outDir)} is up to date`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await mkdir(join(repoRoot, 'dist'), { recursive: true });
  main().catch((error: unknown) => {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}

