import type { ExecutionType, ServiceLack } from '../../shared/domain.ts';
import type { Registry, RegistryProblem, ServiceConfig } from '../../shared/registry.ts';
import { errorMessage } from '../runners/result.ts';
import type { CheckedIn, HealthResult, Runner } from '../runners/runner.ts';
import { variablesUnset } from '../runners/variablesUnset.ts';

type Env = Readonly<Record<string, string | undefined>>;

const HERE: CheckedIn = { process: 'this worker', runsJobs: true, upstreams: false };

/**
 * How long a look waits on one kind's probe. A look ends once every probe has answered, and the next waits
 * for it: a probe that never answers (a custom runner's, a credential lookup that hangs) would stop every
 * later look, and keep a Docker daemon that answers again marked away for ever.
 */
export const PROBE_WAIT_MS = 10_000;

/** How validate-config ends a warning that every job of the service fails on (an allowlist, allowed_roots). */
const JOBS_WILL_FAIL = ': its jobs will fail';

/**
 * The services of `registry` whose every job fails here for a variable `env` lacks (variablesUnset: the
 * runners' own checks). Pure and instant, so a claim asks it of the registry it claims under: a reload
 * must not claim, for want of a look, the jobs the worker left to others.
 */
export function declinedForUnset(registry: Registry, env: Env): string[] {
  return registry.services.filter((service) => variablesUnset(service, env).length > 0).map((service) => service.name);
}

/** A kind's probe as a look holds it once it answered: its health, how it failed, or null when this worker has no runner of the kind. */
export type Probed = HealthResult | { error: string } | null;
/** A probe that did not answer within the look's wait: its services are not known, neither said to fail nor declined. */
export const NOT_ANSWERED = 'not answered';

/** A kind's probe asked and not taken by a look yet, with the registry whose services it was asked of. */
export interface ProbeAsked {
  registry: Registry;
  /** Its answer, once it came with no look waiting: kept for the next look of the registry. */
  late?: { probed: Probed };
  /**
   * The looks waiting on its answer now, each woken by the one handler on it; a look whose wait runs out
   * leaves, so a probe that never answers holds no look's handler past its wait.
   */
  waiting: Set<(probed: Probed) => void>;
}

/** A kind's probe as a look waits on it: its answer within the look's wait; `late` when that answer came before the look, after an earlier look's wait ran out. */
export interface ProbeWait {
  answer: Promise<Probed | typeof NOT_ANSWERED>;
  late: boolean;
}

/**
 * Starts the probe of each kind the registry's services are of (the one health-check makes, upstreams
 * left alone: the program, the Docker daemon, AWS credentials), each with all its services, so each
 * Docker socket is pinged once a look. Each answers on its own: a daemon slow to answer holds up no other kind.
 * `asked`: the probes no look has taken the answer of yet, kept across looks. A probe cannot be cancelled,
 * so a kind whose probe has not answered is not asked again until it does: a look of the same registry
 * waits on that one and takes its answer. Otherwise a probe that never answers would be started again by
 * every look, and pile up for as long as the worker runs. A reloaded registry's probe is asked at once, not
 * behind the one before, which may never answer (an operator fixed the registry and sent SIGHUP): that
 * one's answer, should it come, is then the looks' already waiting on it only. So a kind has at most one
 * probe pending per registry loaded. One that answers after its look's wait ran out keeps its answer for
 * the next look of the registry, which takes it at once: asked afresh, a probe always slower than the wait
 * would never be heard.
 */
export function startProbes(
  registry: Registry,
  runners: ReadonlyMap<ExecutionType, Runner>,
  env: Env,
  asked: Map<ExecutionType, ProbeAsked>,
  waitMs = PROBE_WAIT_MS,
): Map<ExecutionType, ProbeWait> {
  const kinds = [...new Set(registry.services.map((s) => s.execution_type))];
  return new Map(
    kinds.map((kind): [ExecutionType, ProbeWait] => {
      const runner = runners.get(kind);
      if (runner === undefined) return [kind, { answer: Promise.resolve(null), late: false }];
      const probe = askOnce(kind, registry, runner, env, asked);
      return [kind, { answer: answeredWithin(probe, waitMs), late: probe.late !== undefined }];
    }),
  );
}

/**
 * The services a worker's jobs would fail on before they start, as far as a look knows yet: the registry's
 * own check says every job will (a command off the allowlist) and a variable a job reads is not set here,
 * known at once; each kind's runner probe once it answered (`answered`). `problems`: what loading
 * `registry` warned of. The Docker daemons the claims leave out are said by withAway.
 */
export function lacksSoFar(registry: Registry, problems: readonly RegistryProblem[], answered: ReadonlyMap<ExecutionType, Probed>, env: Env): ServiceLack[] {
  return registry.services.flatMap((service, i) => {
    const kind = service.execution_type;
    const lack = whyNot(service, failingChecks(problems, i), answered.has(kind) ? (answered.get(kind) ?? null) : NOT_ANSWERED, env);
    return lack === null ? [] : [lack];
  });
}

/**
 * `lacks` (of `registry`'s services, in its order) saying each Docker daemon as the claims take it: away
 * when its socket is in `away` (the socket, and the daemon's words), where the last Docker probe found it
 * so or a run met it so since. A probe's answer older than the run, or none yet, does not say it, and the
 * record must not claim the service runs here while the claims leave it to other workers.
 */
export function withAway(registry: Registry, lacks: readonly ServiceLack[], away: ReadonlyMap<string, string>): ServiceLack[] {
  const said = new Map(lacks.map((lack) => [lack.service, lack]));
  return registry.services.flatMap((service) => {
    const lack = said.get(service.name);
    const gone = service.execution_type === 'docker' ? away.get(service.runner_config.socket_path) : undefined;
    if (gone === undefined) return lack === undefined ? [] : [lack];
    return [{ service: service.name, execution_type: service.execution_type, unset: lack?.unset ?? [], docker: gone, other: lack?.other ?? [], declined: true }];
  });
}

/** The Docker sockets the registry's services name. */
export function dockerSockets(registry: Registry): Set<string> {
  return new Set(registry.services.flatMap((s) => (s.execution_type === 'docker' ? [s.runner_config.socket_path] : [])));
}

/** The sockets the Docker probe found no daemon certainly behind (missing, refusing, not permitted), each with the daemon's words. */
export function awayIn(registry: Registry, probed: Probed): Map<string, string> {
  const away = new Map<string, string>();
  if (probed === null || 'error' in probed) return away;
  for (const service of registry.services) {
    if (service.execution_type !== 'docker' || probed.certain?.includes(service.name) !== true) continue;
    away.set(service.runner_config.socket_path, (probed.cannotStart?.[service.name] ?? [probed.detail]).join('; '));
  }
  return away;
}

/** A kind's probe, asked unless one of the same registry asked before has not been taken yet (startProbes). Its answer is never a rejection: a probe that failed is its error. */
function askOnce(kind: ExecutionType, registry: Registry, runner: Runner, env: Env, asked: Map<ExecutionType, ProbeAsked>): ProbeAsked {
  const earlier = asked.get(kind);
  if (earlier?.registry === registry) {
    // Its answer came late: this look takes it, the next asks afresh.
    if (earlier.late !== undefined) asked.delete(kind);
    return earlier;
  }
  const services = registry.services.filter((s) => s.execution_type === kind);
  const ask = async (): Promise<Probed> => {
    try {
      return await runner.probe(services, env, HERE);
    } catch (error) {
      return { error: errorMessage(error) };
    }
  };
  // An earlier probe, of the registry before a reload, is replaced: its answer says nothing of this one's services.
  const entry: ProbeAsked = { registry, waiting: new Set() };
  asked.set(kind, entry);
  void ask().then((probed) => {
    if (entry.waiting.size === 0) {
      entry.late = { probed };
      return;
    }
    if (asked.get(kind) === entry) asked.delete(kind);
    for (const wake of entry.waiting) wake(probed);
    entry.waiting.clear();
  });
  return entry;
}

/**
 * A probe's answer within `waitMs`: one slower is not answered, so its services are not known and still
 * claimed. Not a race on its answer: each race would leave a handler on a probe that never answers, one a look.
 */
function answeredWithin(entry: ProbeAsked, waitMs: number): Promise<Probed | typeof NOT_ANSWERED> {
  if (entry.late !== undefined) return Promise.resolve(entry.late.probed);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      entry.waiting.delete(wake);
      resolve(NOT_ANSWERED);
    }, waitMs);
    function wake(probed: Probed): void {
      clearTimeout(timer);
      resolve(probed);
    }
    entry.waiting.add(wake);
  });
}

/** The registry's warnings about the i-th service that say its every job fails. */
function failingChecks(problems: readonly RegistryProblem[], i: number): string[] {
  const at = `services[${i}]`;
  return problems.filter((p) => p.severity === 'warning' && (p.path === at || p.path.startsWith(`${at}.`)) && p.message.endsWith(JOBS_WILL_FAIL)).map((p) => p.message);
}

/** Why the probe of its kind says this service's jobs would fail: its own reasons, or the kind's when it gave none per service. */
function probeSays(service: ServiceConfig, health: HealthResult): string[] {
  if (health.cannotStart) return health.cannotStart[service.name] ?? [];
  return !health.ok || health.warning === true ? [health.detail] : [];
}

/** What the probe of a service's kind says of its Docker daemon, and whether every job fails for it for certain. */
interface ProbeWords {
  docker: string | null;
  other: string[];
  away: boolean;
}

function probeWords(service: ServiceConfig, probed: Probed | typeof NOT_ANSWERED, unset: readonly string[]): ProbeWords {
  if (probed === NOT_ANSWERED) return { docker: null, other: [], away: false };
  if (probed === null) return { docker: null, other: [`no ${service.execution_type} runner`], away: false };
  if ('error' in probed) return { docker: null, other: [`its ${service.execution_type} probe failed: ${probed.error}`], away: false };
  // A variable said above is not said again in the probe's words.
  const why = probeSays(service, probed).filter((text) => !unset.some((name) => text.includes(name)));
  if (service.execution_type !== 'docker' || why.length === 0) return { docker: null, other: why, away: false };
  return { docker: why.join('; '), other: [], away: probed.certain?.includes(service.name) === true };
}

function whyNot(service: ServiceConfig, failing: string[], probed: Probed | typeof NOT_ANSWERED, env: Env): ServiceLack | null {
  const unset = variablesUnset(service, env);
  const said = probeWords(service, probed, unset);
  const other = [...failing, ...said.other];
  if (unset.length === 0 && said.docker === null && other.length === 0) return null;
  // What fails every job for certain and is this worker's alone: the claims leave the service to workers that can run it.
  return { service: service.name, execution_type: service.execution_type, unset, docker: said.docker, other, declined: unset.length > 0 || said.away };
}
