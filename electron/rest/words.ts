import type { ControlHold, InterfaceWords } from '../api/interfaceWords.ts';
import { ROUTES } from './routes.ts';

/** A route's path with its parameters filled from `input` (those not given stay `{name}`). */
function filled(path: string, input: Readonly<Record<string, string>>): string {
  return path.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = input[name];
    return value === undefined ? whole : encodeURIComponent(value);
  });
}

function release(hold: ControlHold): string {
  if (hold.kind === 'emergency_stop') return 'POST /v1/control/resume releases it';
  if (hold.kind === 'safe_mode') return 'POST /v1/control/safe-mode with {"enabled": false}';
  return `POST ${filled('/v1/control/queues/{queue}/unpause', { queue: hold.queue })}`;
}

/** REST's words for what to do next: a field of the JSON body, an endpoint. */
export const REST_WORDS: InterfaceWords = {
  input: (_call, field, value) => `${JSON.stringify(field)}: ${JSON.stringify(value)} in the body`,
  call: (call, input = {}) => {
    const route = ROUTES.find((r) => r.call === call);
    return route ? `${route.method} ${filled(route.path, input)}` : `the endpoint of ${call} (GET /v1/openapi.json lists them)`;
  },
  // REST loads no registry: the host serving it is given one when it starts.
  loadRegistry: () => 'start this host with --registry FILE (or OPSDECK_REGISTRY)',
  release,
  // One route of breakers.setMode per mode: the first found would be another mode's.
  resetBreaker: (service) => `POST ${filled('/v1/breakers/{service}/reset', { service })}`,
  // No endpoint starts one: a worker is a process on a server.
  startWorker: () => 'opsdeck worker on a server',
};
