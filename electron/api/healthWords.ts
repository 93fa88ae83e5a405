/**
 * The runbooks' names for the components a health check looks at, with opsdeck's: the check that covers
 * one (`database` is the store, `api_endpoints` the HTTP services' upstreams), or why none does, naming
 * what to run instead. A name here is never a typo to guess at.
 */
const RUNBOOK_CHECKS: Readonly<Record<string, { check: string } | { none: string }>> = {
  database: { check: 'store' },
  api_endpoints: { check: 'runner:http' },
  models: {
    none: "opsdeck calls no models: the upstreams its jobs call are its services; health-check runner probes each kind's (runner:http, runner:serverless), opsdeck test-connectivity SERVICE one of them",
  },
  cache: { none: 'opsdeck keeps no cache: the store holds all its state (health-check store)' },
  redis: { none: 'opsdeck uses no Redis: the store holds all its state, queues included (health-check store)' },
};

/** The check a runbook's name stands for, or the name itself. */
export function checkOf(name: string): string {
  const word = RUNBOOK_CHECKS[name.toLowerCase()];
  return word !== undefined && 'check' in word ? word.check : name;
}

/** Why no check has a runbook's name, and what to run instead; null for any other name. */
export function noCheckFor(name: string): string | null {
  const word = RUNBOOK_CHECKS[name.toLowerCase()];
  return word !== undefined && 'none' in word ? word.none : null;
}
