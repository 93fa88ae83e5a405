import type { ExecutionType, ServiceLack } from '../../shared/domain.ts';
import type { Registry, RegistryProblem, ServiceConfig } from '../../shared/registry.ts';
import { errorMessage } from '../runners/result.ts';
import type { CheckedIn, HealthResult, Runner } from '../runners/runner.ts';
import { variablesUnset } from '../runners/variablesUnset.ts';

type Env = Readonly<Record<string, string | undefined>>;

const HERE: CheckedIn = { process: 'this worker', runsJobs: true, upstreams: false };

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

/** What one look found: each service's lack, and the Docker sockets no daemon is certainly behind. */
export interface Look {
  lacks: ServiceLack[];
  /** Sockets whose daemon is certainly unreachable: missing, refusing, not permitted. */
  unreachable: Set<string>;
}

/**
 * The services a worker's jobs would fail on before they start: the registry's own check says every job
 * will (a command off the allowlist), a variable a job reads is not set here, or its runner's health
 * probe (the one health-check makes, upstreams left alone: the program, the Docker daemon, AWS credentials)
 * fails or warns. Each kind is probed once with all its services, so each Docker socket is pinged once a
 * look. `problems`: what loading `registry` found.
 */
export async function serviceLacks(registry: Registry, problems: readonly RegistryProblem[], runners: ReadonlyMap<ExecutionType, Runner>, env: Env): Promise<Look> {
  const kinds = [...new Set(registry.services.map((s) => s.execution_type))];
  const probed = new Map(await Promise.all(kinds.map(async (kind) => [kind, await probeKind(kind, registry, runners, env)] as const)));
  const lacks: ServiceLack[] = [];
  const unreachable = new Set<string>();
  for (const [i, service] of registry.services.entries()) {
    const found = whyNot(service, failingChecks(problems, i), probed.get(service.execution_type) ?? null, env);
    if (found === null) continue;
    lacks.push(found.lack);
    if (found.unreachable && service.execution_type === 'docker') unreachable.add(service.runner_config.socket_path);
  }
  return { lacks, unreachable };
}

type Probed = HealthResult | { error: string };

async function probeKind(kind: ExecutionType, registry: Registry, runners: ReadonlyMap<ExecutionType, Runner>, env: Env): Promise<Probed | null> {
  const runner = runners.get(kind);
  if (!runner) return null;
  try {
    return await runner.probe(registry.services.filter((s) => s.execution_type === kind), env, HERE);
  } catch (error) {
    return { error: errorMessage(error) };
  }
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

function whyNot(service: ServiceConfig, failing: string[], probed: Probed | null, env: Env): { lack: ServiceLack; unreachable: boolean } | null {
  const other: string[] = [...failing];
  let docker: string | null = null;
  let unreachable = false;
  const unset = variablesUnset(service, env);
  if (probed === null) other.push(`no ${service.execution_type} runner`);
  else if ('error' in probed) other.push(`its ${service.execution_type} probe failed: ${probed.error}`);
  else {
    // A variable said above is not said again in the probe's words.
    const said = (text: string) => unset.some((name) => text.includes(name));
    const why = probeSays(service, probed).filter((text) => !said(text));
    if (service.execution_type === 'docker' && why.length > 0) {
      docker = why.join('; ');
      unreachable = probed.certain?.includes(service.name) === true;
    } else other.push(...why);
  }
  if (unset.length === 0 && docker === null && other.length === 0) return null;
  // What fails every job for certain and is this worker's alone: the claims leave the service to workers that can run it.
  return { lack: { service: service.name, execution_type: service.execution_type, unset, docker, other, declined: unset.length > 0 || unreachable }, unreachable };
}
