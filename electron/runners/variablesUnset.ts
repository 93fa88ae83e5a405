import type { ServiceConfig } from '../../shared/registry.ts';
import { unsetForContainer } from './docker.ts';
import { unsetCredentials } from './http.ts';
import { unsetKeys } from './serverless.ts';
import { unsetForShell } from './shellPolicy.ts';

/**
 * The variables a job of this service would read that `env` lacks, each by its runner's own check: the
 * ones its runner_config makes it read (not a `*_env_var` its auth_type or provider leaves unused), and
 * missing as that runner means it (an empty bearer token or AWS key is missing; an empty `env:` variable
 * is passed). Each of them fails the job as a configuration error before it starts. No I/O: a worker asks
 * it at every claim.
 */
export function variablesUnset(service: ServiceConfig, env: Readonly<Record<string, string | undefined>>): string[] {
  switch (service.execution_type) {
    case 'shell':
      return unsetForShell(service.runner_config, env);
    case 'http':
      return unsetCredentials(service.runner_config, env);
    case 'docker':
      return unsetForContainer(service.runner_config, env);
    case 'serverless':
      return unsetKeys(service.runner_config, env);
    case 'noop':
      return [];
  }
}
