import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { dispatch } from '../api/dispatch.ts';
import { hangupIsTerminalClosing, reloadOnHangup } from '../api/registryReload.ts';
import { recalledText, RegistryMemory, rememberLoads } from '../api/registryMemory.ts';
import { createRuntime, runsJobsByDefault } from '../api/runtime.ts';
import { buildRenderer, rendererOutDir, rendererUpToDate } from '../console/build.ts';
import { parseLogLevel, type Logger } from '../log/logger.ts';
import type { LineSink } from '../log/pinoLogger.ts';
import { LogSecrets } from '../log/secrets.ts';
import { LOG_FILE_NAME, rotatingLogFile } from '../log/logFile.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { createRestHandler } from '../rest/handler.ts';
import { RefusalAudit } from '../rest/refusalAudit.ts';
import { defaultDbLocation, redactLocation } from '../store/location.ts';
import { startServer } from './server.ts';
import type { RunningServer } from './server.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';

export interface ServeOptions {
  db?: string;
  registryPath?: string;
  /** 0 takes any free port; unset tries DEFAULT_PORT, then any free port. */
  port?: number;
  /** Run jobs in this process. Default: as the store decides (runsJobsByDefault). */
  execute?: boolean;
  /** Open the console in the default browser. */
  open?: boolean;
  /** The built renderer; default dist/renderer of this checkout (built first when missing). */
  staticDir?: string;
  /**
   * The host's logger, made by the caller around the sink it is given: lines written before the
   * console's URL is printed wait for it. Default: the level and format OPSDECK_LOG_LEVEL and
   * OPSDECK_LOG_FORMAT name, else info, as text on a terminal and JSON lines otherwise.
   */
  logger?: (sink: LineSink) => Promise<{ logger: Logger; secrets: LogSecrets }>;
  /** With the default logger, also JSON lines to a rotating file here, as the desktop writes (npm start without Electron). */
  logDirectory?: string;
  /**
   * Remember in this directory the registry file last loaded for each store, and load it again at start
   * when none is given (npm start without Electron, as the desktop does). `opsdeck serve` is told by its
   * options and environment alone, as a deployed service should be.
   */
  rememberRegistryIn?: string;
}

export const DEFAULT_PORT = 7788;

function writeLine(stream: NodeJS.WriteStream, line: string): Promise<void> {
  return new Promise((resolveWrite) => {
    stream.write(`${line}\n`, () => resolveWrite());
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The default console build: built on first use so `opsdeck serve` works straight after `npm install`, and
 * again when its sources changed since (a checkout updated in place), so the page shows the code that serves it.
 */
async function ensureRenderer(): Promise<string> {
  const dir = rendererOutDir;
  if (await rendererUpToDate()) return dir;
  const first = !(await exists(join(dir, 'index.html')));
  try {
    // Said when this process builds: one started beside another that builds waits instead, and says that.
    await buildRenderer({
      quiet: true,
      onBuild: () => process.stderr.write(first ? 'opsdeck: building the console (first run)...\n' : 'opsdeck: the console changed since it was built; building it again...\n'),
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    await writeLine(process.stderr, `opsdeck: the console could not be built (${detail}); run \`npm run build\`, then reload the page`);
  }
  return dir;
}

function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser opener: the printed URL is enough.
  }
}

/** As OPSDECK_LOG_LEVEL and OPSDECK_LOG_FORMAT say, else info, as text on a terminal and JSON otherwise. */
async function defaultLogger(sink: LineSink, location: string, file: LineSink | undefined): Promise<{ logger: Logger; secrets: LogSecrets }> {
  const { createLogger, defaultLogFormat, parseLogFormat } = await import('../log/pinoLogger.ts');
  const env = process.env;
  const tty = process.stderr.isTTY === true;
  const secrets = new LogSecrets(env, [location]);
  const format = env.OPSDECK_LOG_FORMAT ? parseLogFormat(env.OPSDECK_LOG_FORMAT) : defaultLogFormat(tty);
  const logger = await createLogger({ level: parseLogLevel(env.OPSDECK_LOG_LEVEL), format, destination: sink, colorize: tty && env.NO_COLOR === undefined, file, secrets });
  return { logger, secrets };
}

async function listen(opts: ServeOptions, base: Omit<Parameters<typeof startServer>[0], 'port'>): Promise<RunningServer> {
  if (opts.port !== undefined) return startServer({ ...base, port: opts.port });
  try {
    return await startServer({ ...base, port: DEFAULT_PORT });
  } catch {
    return startServer({ ...base, port: 0 });
  }
}

/**
 * `opsdeck serve`: the runtime (store, registry, engine when this process runs jobs) behind the browser
 * host. The first line of output is the URL to open; the promise settles after SIGINT/SIGTERM, once the
 * server is closed and the engine has drained.
 */
export async function runServe(opts: ServeOptions = {}): Promise<void> {
  const location = opts.db ?? defaultDbLocation();
  const staticDir = opts.staticDir ?? (await ensureRenderer());

  // The engine's first lines wait until the URL is out, so it is the first line on the terminal too.
  let held: string[] | null = [];
  const sink: LineSink = {
    write: (line) => {
      if (held) held.push(line);
      else process.stderr.write(line);
    },
  };
  const releaseLog = () => {
    for (const line of held ?? []) process.stderr.write(line);
    held = null;
  };
  const file = opts.logDirectory && !opts.logger ? rotatingLogFile(opts.logDirectory) : null;
  // A log file that cannot be written must not keep the console from starting: stderr still has it.
  file?.on('error', () => undefined);
  const { logger, secrets } = await (opts.logger ? opts.logger(sink) : defaultLogger(sink, location, file ?? undefined));
  const metrics = createMetrics();
  const memory = opts.rememberRegistryIn === undefined ? null : new RegistryMemory(opts.rememberRegistryIn);
  // --registry and OPSDECK_REGISTRY win over the memory: they are what the operator says now.
  const recalled = memory && opts.registryPath === undefined && !process.env.OPSDECK_REGISTRY ? await memory.recall(location) : null;
  const runtime = await createRuntime({
    words: CONSOLE_WORDS,
    db: location,
    registryPath: opts.registryPath ?? recalled ?? undefined,
    // Started once the port is ours: a console that cannot listen must not have run jobs meanwhile.
    execute: false,
    alerts: true,
    watchStore: true,
    answeredBy: 'console',
    log: logger,
    logSecrets: secrets,
    onEngine: (engine) => metrics.follow(engine),
  });
  if (opts.logDirectory && file) runtime.ctx.settings.logFile = join(opts.logDirectory, LOG_FILE_NAME);
  const forget = memory ? rememberLoads(runtime, memory, logger) : () => undefined;

  // One for every REST handler the server makes, so the refusals it held back are written once, at the end.
  const refusals = new RefusalAudit((entry) => runtime.ctx.store.audit(entry));
  let server: RunningServer;
  try {
    server = await listen(opts, {
      staticDir,
      dispatch: (name, input) => dispatch(name, input, runtime.ctx),
      subscribe: (listener) => runtime.events.on(listener),
      rest: (isSession) => createRestHandler({ context: () => runtime.ctx, isSession, metrics: () => metrics.render(runtime.ctx), refusals }),
    });
  } catch (error) {
    releaseLog();
    await runtime.close().catch(() => undefined);
    throw error;
  }

  await writeLine(process.stdout, `opsdeck console: ${server.url}`);
  const refused = runtime.registryLoad && !runtime.registryLoad.ok ? runtime.registryLoad : null;
  // Jobs run by a registry that did not load would each go back unrun: the operator fixes it first.
  if ((opts.execute ?? runsJobsByDefault(runtime.ctx.store.dialect)) && !refused) {
    try {
      await runtime.ctx.settings.setLocalExecution?.(true);
    } catch (error) {
      releaseLog();
      await server.close().catch(() => undefined);
      await runtime.close().catch(() => undefined);
      throw error;
    }
  }
  const registry =
    recalled !== null && runtime.registryLoad ? recalledText(runtime.registryLoad) : (runtime.ctx.registry.path ?? runtime.registryLoad?.path ?? 'none (load one from Settings, or pass --registry)');
  await writeLine(
    process.stdout,
    `store: ${redactLocation(location)} (${runtime.ctx.store.dialect}), registry: ${registry}, local execution: ${runtime.ctx.engine ? 'on' : 'off'}. Ctrl+C stops.`,
  );
  releaseLog();
  if (refused) {
    const which = recalled === null ? `the registry ${refused.path} did not load` : `the registry last loaded on this store, ${refused.path}, no longer loads`;
    await writeLine(
      process.stderr,
      `opsdeck: ${which} (${refused.errors} problem(s)); the console lists them. No job runs here until one loads: fix it, or load another, then turn local execution on in Settings`,
    );
  }
  if (opts.open) openBrowser(server.url);
  // Started with a registry file and no terminal, it is deployed as a service: SIGHUP reloads that file, as a
  // worker does. Otherwise SIGHUP still ends it, as closing its terminal should.
  const offHangup = runtime.registryLoad && !hangupIsTerminalClosing() ? reloadOnHangup(runtime, logger) : () => undefined;

  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn(`${signal} again: exiting without waiting for running jobs; running shell jobs are killed and come back when their leases expire`);
        process.exit(130);
      }
      stopping = true;
      logger.info(`${signal}: stopping (running jobs get a moment to finish)`);
      server
        .close()
        .then(() => refusals.flush())
        .then(() => runtime.close())
        .then(() => file?.end())
        .catch((error: unknown) => logger.error('could not stop cleanly', { error: error instanceof Error ? error.message : String(error) }))
        .finally(() => {
          forget();
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          offHangup();
          resolveStop();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
