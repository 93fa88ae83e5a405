import { fileURLToPath } from 'node:url';
import type { EnqueueItem } from '../../../shared/contract.ts';
import type { ServiceConfig } from '../../../shared/registry.ts';
import { ensureDemoEndpoint } from '../demoEndpoint.ts';
import { ApiFailure } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { toNewJobs } from '../toNewJobs.ts';

/** The example registry that ships with opsdeck, found from this file rather than the working directory. */
export const DEMO_REGISTRY_PATH = fileURLToPath(new URL('../../../examples/registry.yaml', import.meta.url));

/** Most of a burst is healthy work, so the console shows throughput and not only failures. */
function weight(service: ServiceConfig): number {
  if (service.execution_type === 'shell') return 1;
  if (service.execution_type === 'noop' && service.runner_config.fail) return 1;
  return 3;
}

function payloadFor(service: ServiceConfig, n: number): EnqueueItem['payload'] {
  if (service.execution_type === 'shell') return { args: service.runner_config.command.includes('/bin/sleep') ? ['0'] : [`demo ${n}`] };
  if (service.execution_type === 'http') return { body: { demo: n } };
  return { demo: n };
}

export const demo: Handlers<'demo.start'> = {
  'demo.start': async (input, ctx) => {
    const loaded = await ctx.registry.loadFile(DEMO_REGISTRY_PATH);
    if (!loaded.ok) throw new ApiFailure('internal', `the example registry ${DEMO_REGISTRY_PATH} does not validate`);
    const services = ctx.registry.registry.services;
    const deck = services.flatMap((s) => Array.from({ length: weight(s) }, () => s));
    if (deck.length === 0) throw new ApiFailure('internal', 'the example registry has no services');
    const burst = `demo-${Date.now().toString(36)}`;
    const byService = new Map<string, EnqueueItem[]>();
    for (let i = 0; i < input.jobs; i++) {
      const service = deck[i % deck.length];
      if (!service) continue;
      const items = byService.get(service.name) ?? [];
      items.push({ identifier: `${burst}-${i + 1}`, payload: payloadFor(service, i + 1) });
      byService.set(service.name, items);
    }
    const jobs = [...byService].flatMap(([name, items]) => toNewJobs(ctx, name, items));
    const endpoint = await ensureDemoEndpoint();
    const results = await ctx.store.enqueue(jobs);
    const enqueued = results.filter((r) => r.created).length;
    await ctx.store.audit({
      actor: ctx.actor,
      action: 'demo.start',
      target: DEMO_REGISTRY_PATH,
      job_count: enqueued,
      details: { services: services.length, burst },
    });
    return { registry_path: DEMO_REGISTRY_PATH, enqueued, endpoint: endpoint.url, endpoint_problem: endpoint.problem };
  },
};
