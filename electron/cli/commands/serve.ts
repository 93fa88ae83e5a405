import { flag, int, positionals, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { hostLogger, LOG_OPTIONS } from '../logging.ts';

export const serve: Command = {
  name: 'serve',
  summary: 'the console in a browser, on 127.0.0.1 with a per-launch token (printed first)',
  usage: '[--port N] [--execute|--no-execute] [--open] [--log-level LEVEL] [--log-format text|json] [--verbose]',
  details: [
    'Logs go to stderr (the URL is on stdout). Prometheus metrics: GET /metrics with the launch token or an API key as a Bearer.',
    'Started with a registry file (--registry or $OPSDECK_REGISTRY), SIGHUP loads it again, as Settings does; one that does not load is refused.',
  ].join('\n'),
  options: {
    port: { type: 'string', value: 'N', description: 'port (default 7788, else any free one; 0 for any)' },
    execute: { type: 'boolean', description: 'run jobs in this process (default: yes on SQLite, no on PostgreSQL)' },
    'no-execute': { type: 'boolean', description: 'only observe and control; run no jobs' },
    open: { type: 'boolean', description: 'open the console in the default browser' },
    ...LOG_OPTIONS,
  },
  async run(inv) {
    positionals(inv, []);
    const { values } = inv;
    if (flag(values, 'execute') && flag(values, 'no-execute')) throw new UsageError('--execute and --no-execute contradict each other');
    const execute = flag(values, 'execute') ? true : flag(values, 'no-execute') ? false : undefined;
    // Loaded on demand: the other commands never pay for the HTTP host.
    const { runServe } = await import('../../server/serve.ts');
    await runServe({
      db: inv.common.db,
      registryPath: inv.common.registry,
      port: int(values, 'port', 0, 65535),
      execute,
      open: flag(values, 'open'),
      logger: (destination) => hostLogger(inv, { destination, tty: process.stderr.isTTY === true }),
    });
    return 0;
  },
};
