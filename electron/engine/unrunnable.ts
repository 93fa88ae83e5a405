import type { ExecutionType } from '../../shared/domain.ts';
import type { Registry, ServiceConfig } from '../../shared/registry.ts';
import { errorMessage, unsetVariables } from '../runners/result.ts';
import type { CheckedIn, Runner } from '../runners/runner.ts';
import { variablesNamed } from './jobSecrets.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** A service this worker cannot run as it stands, and why, in the words its jobs would fail with. */
export interface Unrunnable {
  service: string;
  why: string;
}

const HERE: CheckedIn = { process: 'this worker', runsJobs: true };

/**
 * The services a worker's jobs would fail on before they start: a variable the service names is not set
 * here, or its runner's health probe (the one health-check makes: the program, the Docker daemon, AWS
 * credentials, the upstream) fails or warns. Each service alone, so each warning names one service. Without
 * this a worker said only "worker started", and the first job was the first to know.
 */
export async function unrunnableServices(registry: Registry, runners: ReadonlyMap<ExecutionType, Runner>, env: Env): Promise<Unrunnable[]> {
  const found = await Promise.all(registry.services.map((service) => whyNot(service, runners, env)));
  return found.filter((u): u is Unrunnable => u !== null);
}

async function whyNot(service: ServiceConfig, runners: ReadonlyMap<ExecutionType, Runner>, env: Env): Promise<Unrunnable | null> {
  const reasons: string[] = [];
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
