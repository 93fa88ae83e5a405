import { countText } from '../../../shared/countText.ts';
import type { OverviewStats } from '../../../shared/contract.ts';
import { hangupIsTerminalClosing, reloadOnHangup } from '../../api/registryReload.ts';
import { createRuntime, type Runtime } from '../../api/runtime.ts';
import { silentLogger, type Logger } from '../../log/logger.ts';
import { locationWithoutPasswords } from '../../store/location.ts';
import { quietLog } from '../../engine/quietLog.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { flag, int, list, positionals, str, UsageError } from '../args.ts';
import { assertRegistryLoaded, call } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { heldBack, heldBackLine } from '../heldBack.ts';
import { hostLogger, LOG_OPTIONS } from '../logging.ts';
import { NO_REGISTRY } from '../noRegistry.ts';
import { printJson, when } from '../output.ts';
import { CLI_WORDS } from '../words.ts';
import { workerNameOf } from '../workerName.ts';
import { shellWord } from '../../../shared/shellWord.ts';

const PROGRESS_MS = 5000;

function progressLine(s: OverviewStats): string {
  const c = s.counts;
  return `pending ${c.pending}  running ${c.running}  completed ${c.completed}  failed ${c.failed}  dead letters ${s.dead_letters}`;
}

/** Says the counts whenever they changed, every `ms`. */
function startProgress(say: (line: string, s: OverviewStats) => void, onError: (error: unknown) => void, rt: Runtime, ms: number): () => Promise<void> {
  let last = '';
  let busy: Promise<void> = Promise.resolve();
  const tick = () => {
    busy = call(rt.ctx, 'overview.stats', {})
      .then((s) => {
        const line = progressLine(s);
        if (line !== last) say(line, s);
        last = line;
      })
      .catch(onError);
  };
  const timer = setInterval(tick, ms);
  tick();
  return async () => {
    clearInterval(timer);
    await busy;
    tick();
    await busy;
  };
}

/** The worker's /metrics, on its own port. */
async function serveMetrics(rt: Runtime, metrics: Metrics, logger: Logger, host: string, port: number): Promise<() => Promise<void>> {
  const { startMetricsServer } = await import('../../metrics/server.ts');
  const server = await startMetricsServer({ host, port, render: () => metrics.render(rt.ctx) });
  logger.info(`metrics at ${server.url}`);
  return () => server.close();
}

/** After --until-empty: the due jobs it stopped beside, if any. */
async function sayHeldBack(rt: Runtime, queues: string[] | null, logger: Logger): Promise<void> {
  try {
    const line = heldBackLine(await heldBack(rt.ctx.store, rt.ctx.registry, queues, rt.ctx.engine?.declinedServices() ?? []));
    if (line) logger.warn(line);
  } catch (error) {
    logger.warn('could not count the jobs still pending', { error: error instanceof Error ? error.message : String(error) });
  }
}

function onSignals(handler: (signal: NodeJS.Signals) => void, hangupStops: boolean): () => void {
  const signals: NodeJS.Signals[] = hangupStops ? ['SIGTERM', 'SIGINT', 'SIGHUP'] : ['SIGTERM', 'SIGINT'];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}

export const worker: Command = {
  name: 'worker',
  summary: 'run jobs headless; SIGTERM or Ctrl-C drains, then interrupts what is left; SIGHUP reloads the registry (from a terminal: drains)',
  usage: '[--name NAME] [--concurrency N] [--queues a,b] [--until-empty] [--grace SECONDS] [--log-level LEVEL] [--log-format text|json] [--verbose] [--metrics-port N [--metrics-host ADDR]]',
  details: [
    'Logs go to stdout: text on a terminal, JSON lines otherwise (--log-format says which). At debug each job is',
    'a line when it is claimed and when its result is recorded; a failed attempt is a warn line, a dead letter an error.',
    'Prometheus: --metrics-port N serves GET /metrics on 127.0.0.1:N (--metrics-host to listen elsewhere).',
    'It needs a registry (--registry FILE or $OPSDECK_REGISTRY): without one it would run no job, and refuses to start.',
    'SIGHUP loads the registry file again (systemctl reload); one that does not load is refused and the one in use kept.',
    '--until-empty runs what is due, then exits 0 once no job is runnable now and nothing runs. Jobs behind a circuit',
    'breaker that tripped count as runnable: it waits out the breaker\'s recovery timeout, and runs them if the probe',
    'closes it. It does not wait for what it cannot run: a breaker open again after a failed probe or forced open,',
    'later retries, rate limits, paused queues, safe mode. A warn line counts the due jobs it stopped beside, by breaker,',
    'and those of a service it cannot run here (a variable unset, the Docker daemon unreachable), left to other workers.',
  ].join('\n'),
  options: {
    name: { type: 'string', value: 'NAME', description: 'what this worker is called (workers shows it; health-check worker:NAME checks every worker of that name); its id starts with it' },
    concurrency: { type: 'string', value: 'N', description: 'jobs at once (default 10)' },
    queues: { type: 'string', value: 'a,b', description: 'only these queues (default all)' },
    'until-empty': { type: 'boolean', description: 'stop when no job is runnable now (exit 0), waiting through a tripped breaker\'s recovery timeout for its probe; due jobs something held back are counted in a warn line' },
    grace: { type: 'string', value: 'SECONDS', description: 'on stop, how long running jobs may finish (default 10)' },
    'metrics-port': { type: 'string', value: 'N', description: 'serve Prometheus metrics on this port at /metrics (0 picks a free port)' },
    'metrics-host': { type: 'string', value: 'ADDR', description: 'address for --metrics-port (default 127.0.0.1; 0.0.0.0 for a scraper on another machine)' },
    ...LOG_OPTIONS,
  },
  async run(inv) {
    positionals(inv, []);
    // Unlike a console, which shows the store without one and can load one later, a worker exists to run
    // jobs: without a registry it would hand each one back unrun while its heartbeat said it was running.
    if (!inv.common.registry) throw new UsageError(`a worker without a registry runs nothing (every job it claims goes back unrun): ${NO_REGISTRY}`);
    const { values } = inv;
    const graceMs = (int(values, 'grace', 0, 3600) ?? 10) * 1000;
    const io = inv.io;
    const metricsPort = int(values, 'metrics-port', 0, 65535);
    const metricsHost = str(values, 'metrics-host') ?? '127.0.0.1';
    const { logger, secrets } = await hostLogger(inv, { destination: { write: (line) => io.out(line) }, tty: io.tty });
    // Loaded only when asked for: a worker without --metrics-port never loads prom-client.
    const metrics = metricsPort === undefined ? null : (await import('../../metrics/metrics.ts')).createMetrics();
    const rt = await createRuntime({
    words: CLI_WORDS,
      db: inv.common.db,
      registryPath: inv.common.registry ?? null,
      env: io.env,
      execute: false,
      alerts: true,
      answeredBy: 'worker',
      concurrency: int(values, 'concurrency', 1, 1000),
      queues: list(values, 'queues') ?? null,
      workerName: workerNameOf(values),
      log: logger,
      logSecrets: secrets,
      onEngine: (engine) => metrics?.follow(engine),
    });
    let signalled = 0;
    let wake: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      wake = resolve;
    });
    // Run from a terminal, closing it (SIGHUP) drains the worker as Ctrl-C does; under a supervisor it reloads the registry.
    const hangupStops = hangupIsTerminalClosing();
    const offSignals = onSignals((signal) => {
      signalled += 1;
      if (signalled > 1) {
        logger.warn(`${signal} again: leaving now; running shell jobs are killed and come back when their leases expire`);
        process.exit(130);
      }
      logger.info(`${signal}: draining for up to ${graceMs / 1000}s, then interrupting (send it again to leave at once)`);
      wake();
    }, hangupStops);
    const offHangup = hangupStops ? () => undefined : reloadOnHangup(rt, logger);
    let closeMetrics: () => Promise<void> = async () => undefined;
    try {
      assertRegistryLoaded(rt);
      if (metrics && metricsPort !== undefined) closeMetrics = await serveMetrics(rt, metrics, logger, metricsHost, metricsPort);
      await rt.ctx.settings.setLocalExecution?.(true);
      // The counts are read every few seconds: while the store is away their failure is said once a minute.
      const quiet = quietLog(logger);
      const stopProgress = startProgress(
        (line, s) => logger.info(line, { counts: s.counts, dead_letters: s.dead_letters }),
        (error) => quiet.warn('could not read the counts', { error: error instanceof Error ? error.message : String(error) }),
        rt,
        PROGRESS_MS,
      );
      const engine = rt.ctx.engine;
      let emptied = false;
      if (flag(values, 'until-empty') && engine) emptied = await Promise.race([engine.runUntilEmpty({ throughRecovery: true }).then(() => true), stopped.then(() => false)]);
      else await stopped;
      await engine?.stop({ graceMs });
      await stopProgress().catch(() => undefined);
      // Exit 0 still, nothing being runnable now; but "worker stopped" alone read as "all done" beside
      // jobs a rate limit or a breaker held back.
      if (emptied) await sayHeldBack(rt, list(values, 'queues') ?? null, logger);
      return 0;
    } finally {
      offSignals();
      offHangup();
      await closeMetrics();
      await rt.close({ graceMs });
    }
  },
};

/**
 * The worker that runs what the demo left pending: on the demo's store (its --db as typed; OPSDECK_DB
 * stays where it came from) with the demo's registry, without which a worker refuses to start.
 */
function demoWorkerCommand(inv: Invocation, registryPath: string): string {
  const db = str(inv.values, 'db');
  return ['opsdeck worker', ...(db === undefined ? [] : [`--db ${shellWord(locationWithoutPasswords(db))}`]), `--registry ${shellWord(registryPath)}`].join(' ');
}

export const demo: Command = {
  name: 'demo',
  summary: 'load the example registry, enqueue a burst of jobs (some fail on purpose) and run them',
  usage: '[--jobs N]',
  options: { jobs: { type: 'string', value: 'N', description: 'how many jobs (default 200)' } },
  async run(inv: Invocation) {
    positionals(inv, []);
    const io = inv.io;
    const jobs = int(inv.values, 'jobs', 1, 5000) ?? 200;
    const rt = await createRuntime({ words: CLI_WORDS, db: inv.common.db, registryPath: null, env: io.env, execute: false, log: silentLogger });
    let interrupt: () => void = () => undefined;
    const interrupted = new Promise<void>((resolve) => {
      interrupt = resolve;
    });
    const offSignals = onSignals(() => interrupt(), true);
    try {
      const started = await call(rt.ctx, 'demo.start', { jobs });
      if (!inv.common.json) io.out(`loaded ${started.registry_path}; enqueued ${countText(started.enqueued)} job(s) on ${rt.ctx.store.location}; running them…`);
      // On stderr, with --json too: every local_api job of this burst is about to fail for it.
      if (started.endpoint_problem !== null) io.err(`opsdeck: warning: ${started.endpoint_problem}`);
      await rt.ctx.settings.setLocalExecution?.(true);
      const stopProgress = inv.common.json
        ? async () => undefined
        : startProgress((line) => io.out(`${when(new Date().toISOString())} ${line}`), (error) => io.err(`opsdeck: ${error instanceof Error ? error.message : String(error)}`), rt, 1000);
      const engine = rt.ctx.engine;
      if (engine) await Promise.race([engine.runUntilEmpty(), interrupted]);
      await stopProgress();
      const stats = await call(rt.ctx, 'overview.stats', {});
      if (inv.common.json) printJson(io, { ...started, counts: stats.counts, dead_letters: stats.dead_letters });
      else {
        io.out(`done: ${progressLine(stats)}`);
        if (stats.counts.pending > 0) io.out(`${countText(stats.counts.pending)} job(s) wait for a later retry or an open breaker; ${demoWorkerCommand(inv, started.registry_path)} runs them`);
        io.out('look around: opsdeck dlq groups, opsdeck breaker list, opsdeck serve');
      }
      return 0;
    } finally {
      offSignals();
      await rt.close({ graceMs: 0 });
    }
  },
};
