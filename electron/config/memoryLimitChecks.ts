import type { ServiceConfig } from '../../shared/registry.ts';
import { RUNTIME_STARTUP_MB, reservingRuntime } from '../runners/addressSpace.ts';
import type { RawProblem } from './checks.ts';
import type { PathKey } from './locate.ts';

/**
 * A shell service's memory_mb below what its runtime reserves to start: every job would die at once (a
 * runbook's memory_mb: 256 on a node service did). A warning, since the runtime is known only by its
 * program's name and what it needs varies with version and machine. Said on memory_mb itself.
 */
export function memoryLimitChecks(s: Extract<ServiceConfig, { execution_type: 'shell' }>, at: PathKey[]): RawProblem[] {
  const memoryMb = s.security_policy.resource_limits?.memory_mb;
  const runtime = reservingRuntime(s.runner_config.command[0] ?? '');
  if (memoryMb === undefined || runtime === null || memoryMb >= RUNTIME_STARTUP_MB) return [];
  return [
    {
      path: [...at, 'security_policy', 'resource_limits', 'memory_mb'],
      message:
        `memory_mb caps the address space, not resident memory: ${runtime} reserves about ${RUNTIME_STARTUP_MB} MB of it to start, ` +
        `so under ${memoryMb} MB every job fails at once; give it ${RUNTIME_STARTUP_MB} or more, or cap its heap with the runtime's own option`,
      severity: 'warning',
    },
  ];
}
