import type { EnqueueItem } from '../../shared/contract.ts';
import { effectiveRetry, RetryConfig } from '../../shared/registry.ts';
import type { NewJob } from '../store/store.ts';
import { payloadArgs } from '../runners/payloadArgs.ts';
import type { ApiContext } from './context.ts';
import { ApiFailure } from './errors.ts';
import { notInRegistry } from './noRegistry.ts';

/**
 * Turns what an operator asked for into store jobs. With a registry loaded, the service must be in it and
 * lends its queue, execution type and attempts; with none loaded (a bare `opsdeck enqueue demo`), the job
 * is a noop on the default queue, so a fresh store can be tried without writing a registry first.
 */
export function toNewJobs(ctx: ApiContext, service: string, items: EnqueueItem[]): NewJob[] {
  const loaded = ctx.registry.loadedAt !== null;
  const config = ctx.registry.service(service);
  if (loaded && !config) {
    const known = ctx.registry.registry.services.map((s) => s.name);
    throw new ApiFailure('not_found', notInRegistry(ctx, `service ${service}`, known, service));
  }
  // A job its runner would refuse for its args is refused here, where the caller still hears why.
  if (config && (config.execution_type === 'shell' || config.execution_type === 'docker')) {
    items.forEach((item, index) => {
      const appended = payloadArgs(config, item.payload);
      if ('problem' in appended) {
        const path = items.length > 1 ? `jobs[${index}].payload.args` : 'payload.args';
        throw new ApiFailure('invalid_input', appended.problem, [{ path, message: appended.problem }]);
      }
    });
  }
  const maxAttempts = (config ? effectiveRetry(config) : RetryConfig.parse({})).max_retries + 1;
  return items.map((item) => ({
    identifier: item.identifier,
    queue: item.queue ?? config?.queue ?? 'default',
    service_name: service,
    execution_type: config?.execution_type ?? 'noop',
    payload: item.payload,
    priority: item.priority ?? config?.priority ?? 0,
    max_attempts: maxAttempts,
    run_at: item.run_at,
  }));
}
