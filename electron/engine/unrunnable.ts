import type { ExecutionType } from '../../shared/domain.ts';
import type { Registry, RegistryProblem, ServiceConfig } from '../../shared/registry.ts';
import { errorMessage, unsetVariables } from '../runners/result.ts';
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
  const found = await Promise.all(registry.services.map((service, i) => whyNot(service, failingChecks(problems, i), runners, env)));
  return found.filter((u): u is Unrunnable => u !== null);
}

/** The registry's warnings about the i-th service that say its every job fails. */
function failingChecks(problems: readonly RegistryProblem[], i: number): string[] {
  const at = `services[${i}]`;
  return problems.filter((p) => p.severity === 'warning' && (p.path === at || p.path.startsWith(`${at}.`)) && p.message.endsWith(JOBS_WILL_FAIL)).map((p) => p.message);
}

async function whyNot(service: ServiceConfig, failing: string[], runners: ReadonlyMap<ExecutionType, Runner>, env: Env): Promise<Unrunnable | null> {
  const reasons: string[] = [...failing];
  const unset = variablesNamed(service).filter((name) => env[name] === undefined);
  const unsetWhy = unset.length > 0 ? unsetVariables(unset).error?.message : undefined;
  if (unsetWhy !== undefined) reasons.push(unsetWhy);
  const runner = runners.get(service.execution_type);
  if (!runner) reasons.push(`no ${service.execution_type} runner`);
  else {
    try {
      const health = await runner.probe([service], env, HERE);
      // A variable said above is not said again in the probe's words.
      if ((!health.ok || health.warning === true) && !unset.some((name) => health.detail.includes(name))) reasons.push(health.detail);
    } catch (error) {
      reasons.push(`its ${service.execution_type} probe failed: ${errorMessage(error)}`);
    }
  }
  return reasons.length === 0 ? null : { service: service.name, why: reasons.join('; ') };
}
