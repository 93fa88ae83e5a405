import type { ExecutionType, ServiceLack } from '../../shared/domain.ts';
import type { Registry, RegistryProblem, ServiceConfig } from '../../shared/registry.ts';
import { lackText } from '../../shared/cannotRunText.ts';
import { errorMessage } from '../runners/result.ts';
import type { CheckedIn, Runner } from '../runners/runner.ts';
import { variablesNamed } from './jobSecrets.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** A service this worker cannot run as it stands, and why, in the words its jobs would fail with. */
export interface Unrunnable {
  service: string;
  why: string;
}

const HERE: CheckedIn = { process: 'this worker', runsJobs: true, upstreams: false };

/** How validate-config ends a warning that every job of the service fails on (an allowlist, allowed_roots). */
const JOBS_WILL_FAIL = ': its jobs will fail';

/**
 * The services a worker's jobs would fail on before they start: the registry's own check says every job
 * will (a command off the allowlist), a variable the service names is not set here, or its runner's health
 * probe (the one health-check makes, upstreams left alone: the program, the Docker daemon, AWS credentials)
 * fails or warns. Each service alone, so each warning names one service. Without this a worker said only "worker
 * started", and the first job was the first to know. `problems`: what loading `registry` found.
 */
export async function unrunnableServices(registry: Registry, problems: readonly RegistryProblem[], runners: ReadonlyMap<ExecutionType, Runner>, env: Env): Promise<Unrunnable[]> {
  return (await serviceLacks(registry, problems, runners, env)).map((lack) => ({ service: lack.service, why: lackText(lack) }));
}

/** The same, each service's lack split by what it is, as the worker records it on its row. */
export async function serviceLacks(registry: Registry, problems: readonly RegistryProblem[], runners: ReadonlyMap<ExecutionType, Runner>, env: Env): Promise<ServiceLack[]> {
  const found = await Promise.all(registry.services.map((service, i) => whyNot(service, failingChecks(problems, i), runners, env)));
  return found.filter((u): u is ServiceLack => u !== null);
}

/** The registry's warnings about the i-th service that say its every job fails. */
function failingChecks(problems: readonly RegistryProblem[], i: number): string[] {
  const at = `services[${i}]`;
  return problems.filter((p) => p.severity === 'warning' && (p.path === at || p.path.startsWith(`${at}.`)) && p.message.endsWith(JOBS_WILL_FAIL)).map((p) => p.message);
}

async function whyNot(service: ServiceConfig, failing: string[], runners: ReadonlyMap<ExecutionType, Runner>, env: Env): Promise<ServiceLack | null> {
  const other: string[] = [...failing];
  let docker: string | null = null;
  const unset = variablesNamed(service).filter((name) => env[name] === undefined);
  const runner = runners.get(service.execution_type);
  if (!runner) other.push(`no ${service.execution_type} runner`);
  else {
    try {
      const health = await runner.probe([service], env, HERE);
      // A variable said above is not said again in the probe's words.
      const said = (text: string) => unset.some((name) => text.includes(name));
      const why = (health.cannotStart?.[service.name] ?? (!health.ok || health.warning === true ? [health.detail] : [])).filter((text) => !said(text));
      if (service.execution_type === 'docker' && why.length > 0) docker = why.join('; ');
      else other.push(...why);
    } catch (error) {
      other.push(`its ${service.execution_type} probe failed: ${errorMessage(error)}`);
    }
  }
  if (unset.length === 0 && docker === null && other.length === 0) return null;
  // What fails every job for certain and is this worker's alone: the claims leave the service to workers that can run it.
  return { service: service.name, execution_type: service.execution_type, unset, docker, other, declined: unset.length > 0 || docker !== null };
}
