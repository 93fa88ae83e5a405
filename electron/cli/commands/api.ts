import { createRuntime } from '../../api/runtime.ts';
import { redactLocation } from '../../store/location.ts';
import { flag, int, positionals, str, UsageError } from '../args.ts';
import { assertRegistryLoaded } from '../call.ts';
import type { Command } from '../command.ts';
import { NO_REGISTRY } from '../noRegistry.ts';
import { hostLogger, LOG_OPTIONS } from '../logging.ts';
import { REST_WORDS } from '../../rest/words.ts';

export const DEFAULT_API_PORT = 7789;

export const api: Command = {
  name: 'api',
  summary: 'serve the REST API v1 headless, for servers, monitors and scripts (every request needs an API key)',
  usage: '[--port N] [--host ADDR] [--allow-remote] [--log-level LEVEL] [--log-format text|json] [--verbose]',
  details: [
    'Endpoints: GET /v1/openapi.json lists them; /healthz (liveness) and /readyz (the store answers) need no key.',
    'Keys: opsdeck api-key create --name NAME --scope read|operate. Runs no jobs: workers do.',
    'It binds 127.0.0.1 by default. Another address serves plain HTTP beyond this machine, where keys travel',
    'readable on the wire: put a TLS proxy in front and say so with --allow-remote.',
    'Prometheus metrics: GET /metrics with any API key (a read key will do) as a Bearer. Logs go to stderr.',
  ].join('\n'),
  options: {
    port: { type: 'string', value: 'N', description: `port (default ${DEFAULT_API_PORT}; 0 for any free one)` },
    host: { type: 'string', value: 'ADDR', description: 'address to bind (default 127.0.0.1)' },
    'allow-remote': { type: 'boolean', description: 'allow an address other than loopback' },
    ...LOG_OPTIONS,
  },
  async run(inv) {
    positionals(inv, []);
    // Loaded on demand: the other commands never pay for the HTTP host.
    const { isLoopback, startRestServer } = await import('../../rest/server.ts');
    const { createRestHandler } = await import('../../rest/handler.ts');
    const host = str(inv.values, 'host') ?? '127.0.0.1';
    const port = int(inv.values, 'port', 0, 65535) ?? DEFAULT_API_PORT;
    if (!isLoopback(host) && !flag(inv.values, 'allow-remote')) {
      throw new UsageError(
        `--host ${host} would serve the API beyond this machine over plain HTTP, where API keys are readable on the wire; put a TLS proxy in front and add --allow-remote`,
      );
    }
    const io = inv.io;
    const { logger, secrets } = await hostLogger(inv, { destination: { write: (line) => io.err(line) }, tty: process.stderr.isTTY === true });
    const { createMetrics } = await import('../../metrics/metrics.ts');
    const metrics = createMetrics();
    const rt = await createRuntime({ words: REST_WORDS, db: inv.common.db, registryPath: inv.common.registry ?? null, env: io.env, execute: false, log: logger, logSecrets: secrets, answeredBy: 'api', watchStore: true });
    try {
      assertRegistryLoaded(rt);
      const { RefusalAudit } = await import('../../rest/refusalAudit.ts');
      const refusals = new RefusalAudit((entry) => rt.ctx.store.audit(entry));
      const server = await startRestServer({ host, port, handler: createRestHandler({ context: () => rt.ctx, metrics: () => metrics.render(rt.ctx), refusals }) });
      io.out(`opsdeck api: ${server.url}/v1 (OpenAPI at ${server.url}/v1/openapi.json; /healthz, /readyz; Prometheus at /metrics)`);
      const keys = await rt.ctx.store.listApiKeys();
      io.out(`store: ${redactLocation(rt.ctx.store.location)} (${rt.ctx.store.dialect}), registry: ${rt.ctx.registry.path ?? 'none'}, ${keys.length} API key(s). Ctrl+C stops.`);
      // Its REST answers about services, workflows and rate limits would each say so: said once, at start.
      if (rt.ctx.registry.loadedAt === null) io.out(`${NO_REGISTRY}; the API's answers about services, workflows, rate limits and breaker settings say none is known`);
      if (keys.length === 0) io.out('no API key yet: every request gets 401 until you make one with opsdeck api-key create --name NAME --scope read|operate');
      await new Promise<void>((resolveStop) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolveStop();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      // The refusals held back in the last minute, written before the store closes.
      await refusals.flush();
      return 0;
    } finally {
      await rt.close();
    }
  },
};
