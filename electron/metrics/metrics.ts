import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ApiContext } from '../api/context.ts';
import type { Engine } from '../engine/engine.ts';
import { EngineMetrics } from './engineMetrics.ts';
import { storeGauges } from './storeGauges.ts';

export interface Metrics {
  /** Counts this engine's events from now on: give it each engine as it is made, before it starts. */
  follow(engine: Engine): void;
  /** The exposition (Prometheus text format 0.0.4), the store read afresh for the host's context. */
  render(ctx: ApiContext): Promise<{ contentType: string; body: string }>;
}

/**
 * The Prometheus metrics of one process: the fleet's state read from the store at each scrape, this
 * process's engine counted from its events, and Node's own process metrics. One per process (Node's
 * default metrics register once per registry, and a registry per process is what a scrape expects).
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const engine = new EngineMetrics(registry);
  const store = storeGauges(registry);
  return {
    follow: (e) => engine.follow(e),
    async render(ctx) {
      // The engine the host runs now: none after local execution was turned off.
      engine.show(ctx.engine);
      const fleet = await store.read(ctx);
      return { contentType: registry.contentType, body: `${fleet}${await registry.metrics()}` };
    },
  };
}
