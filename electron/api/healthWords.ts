import type { InterfaceWords } from './interfaceWords.ts';

/** What healthWords needs of an interface: running a named health check, and testing an HTTP service's path. */
type HealthWords = Pick<InterfaceWords, 'healthCheck' | 'call'>;

/** Where a runbook's "connection pool exhausted" is answered: the store check, and each worker's row. */
function poolsAt(words: HealthWords): string {
  return `opsdeck's connection pools are checked with the store: ${words.healthCheck('store')} names each live worker whose pool was exhausted (callers waited for a connection) between its last two heartbeats, beside its own pool and the server's room for connections; ${words.call('workers.list')} gives every worker's pool`;
}

/**
 * The runbooks' names for the components a health check looks at, with opsdeck's: the check that covers
 * one (`database` is the store, `api_endpoints` the HTTP services' upstreams), or why none does, naming
 * what to run instead in the words of the interface that asked. A name here is never a typo to guess at.
 */
const RUNBOOK_CHECKS: Readonly<Record<string, { check: string } | { none: (words: HealthWords) => string }>> = {
  database: { check: 'store' },
  api_endpoints: { check: 'runner:http' },
  models: {
    none: (words) =>
      `opsdeck calls no models: the upstreams its jobs call are its services; ${words.healthCheck('runner')} probes each kind's (runner:http, runner:serverless), and ${words.call('runners.connectivity', { service: 'SERVICE' })} tests one of them`,
  },
  cache: { none: (words) => `opsdeck keeps no cache: the store holds all its state (${words.healthCheck('store')})` },
  redis: { none: (words) => `opsdeck uses no Redis: the store holds all its state, queues included (${words.healthCheck('store')})` },
  pool: { none: poolsAt },
  connections: { none: poolsAt },
  'connection-pool': { none: poolsAt },
  connection_pool: { none: poolsAt },
};

/** The check a runbook's name stands for, or the name itself. */
export function checkOf(name: string): string {
  const word = RUNBOOK_CHECKS[name.toLowerCase()];
  return word !== undefined && 'check' in word ? word.check : name;
}

/** Why no check has a runbook's name, and what to run instead; null for any other name. */
export function noCheckFor(name: string, words: HealthWords): string | null {
  const word = RUNBOOK_CHECKS[name.toLowerCase()];
  return word !== undefined && 'none' in word ? word.none(words) : null;
}
