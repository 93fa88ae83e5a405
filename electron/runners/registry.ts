import { EXECUTION_TYPES, type ExecutionType } from '../../shared/domain.ts';
import type { Registry } from '../../shared/registry.ts';
import { DockerRunner } from './docker.ts';
import { HttpRunner } from './http.ts';
import { NoopRunner, type RandomSource } from './noop.ts';
import { errorMessage } from './result.ts';
import type { CheckedIn, Runner } from './runner.ts';
import { ServerlessRunner } from './serverless.ts';
import { ShellRunner } from './shell.ts';

export interface RunnerOptions {
  /** Shell: how long a process group has between SIGTERM and SIGKILL (default 2000 ms). */
  killGraceMs?: number;
  /** Shell and docker: bytes of output kept, the tail (default 64 KiB). */
  outputCapBytes?: number;
  /** Noop: the random source behind fail_rate. */
  random?: RandomSource;
}

/** One runner per execution type. */
export function createRunners(opts: RunnerOptions = {}): Map<ExecutionType, Runner> {
  const runners: Runner[] = [
    new ShellRunner({ killGraceMs: opts.killGraceMs, outputCapBytes: opts.outputCapBytes }),
    new HttpRunner(),
    new DockerRunner({ outputCapBytes: opts.outputCapBytes }),
    new ServerlessRunner(),
    new NoopRunner({ random: opts.random }),
  ];
  return new Map(runners.map((r) => [r.kind, r]));
}

export interface RunnerHealth {
  kind: ExecutionType;
  services: string[];
  healthy: boolean;
  /** Healthy, yet worth a look (HealthResult.warning). */
  warning?: boolean;
  detail: string;
  checked_at: string;
}

/**
 * Health of every kind: what the kind needs (the Docker daemon, the base URLs, the Lambda endpoint)
 * answers for the services that use it. A kind without services is healthy ("no services"); a kind with
 * services but no runner is not, since its jobs would wait forever.
 */
export async function probeRunners(
  runners: ReadonlyMap<ExecutionType, Runner>,
  registry: Registry,
  env: Readonly<Record<string, string | undefined>>,
  checkedIn: CheckedIn,
): Promise<RunnerHealth[]> {
  return Promise.all(
    EXECUTION_TYPES.map(async (kind): Promise<RunnerHealth> => {
      const services = registry.services.filter((s) => s.execution_type === kind);
      const names = services.map((s) => s.name);
      const checked = () => new Date().toISOString();
      if (services.length === 0) return { kind, services: names, healthy: true, detail: 'no services', checked_at: checked() };
      const runner = runners.get(kind);
      if (!runner) return { kind, services: names, healthy: false, detail: `no ${kind} runner registered`, checked_at: checked() };
      try {
        const health = await runner.probe(services, env, checkedIn);
        return { kind, services: names, healthy: health.ok, ...(health.warning ? { warning: true } : {}), detail: health.detail, checked_at: checked() };
      } catch (error) {
        return { kind, services: names, healthy: false, detail: `probe failed: ${errorMessage(error)}`, checked_at: checked() };
      }
    }),
  );
}
