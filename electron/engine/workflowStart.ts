import { closest } from '../../shared/closestWord.ts';
import type { Actor, JsonObject } from '../../shared/domain.ts';
import { effectiveRetry } from '../../shared/registry.ts';
import type { Registry } from '../../shared/registry.ts';
import { stuckAfterMs, WORKFLOW_PAYLOAD_KEY } from '../../shared/workflow.ts';
import { payloadArgs } from '../runners/payloadArgs.ts';
import { generatedIdentifier } from '../store/newJobs.ts';
import type { Store } from '../store/store.ts';
import type { NewWorkflowRun, WorkflowRunStarted } from '../store/workflowTypes.ts';

/** Why a run could not start: no such workflow, or a payload the workflow cannot take. */
export class WorkflowStartError extends Error {
  readonly kind: 'not_found' | 'invalid';

  constructor(kind: 'not_found' | 'invalid', message: string) {
    super(message);
    this.name = 'WorkflowStartError';
    this.kind = kind;
  }
}

/**
 * A run of the registry's workflow `name`, as the store takes it. Each task's job is its service's (queue,
 * type, priority, attempts from the registry) with the task's payload, the run's payload laid over it, and
 * `workflow: { run, name, task }`, to which a release adds `upstream` (what upstream tasks pass on).
 */
export function workflowRunOf(registry: Registry, name: string, payload: JsonObject, identifier: string): NewWorkflowRun {
  const workflow = registry.workflows?.find((w) => w.name === name);
  if (!workflow) {
    const known = (registry.workflows ?? []).map((w) => w.name);
    const meant = closest(name, known);
    throw new WorkflowStartError('not_found', `workflow ${name} is not in the registry (${meant ? `did you mean ${meant}? ` : ''}known: ${known.length > 0 ? known.join(', ') : 'none'})`);
  }
  if (Object.hasOwn(payload, WORKFLOW_PAYLOAD_KEY)) {
    throw new WorkflowStartError('invalid', `the payload key '${WORKFLOW_PAYLOAD_KEY}' is reserved for what the workflow passes its tasks`);
  }
  const services = new Map(registry.services.map((s) => [s.name, s]));
  return {
    identifier,
    workflow: name,
    payload,
    stuckAfterMs: stuckAfterMs(workflow.stuck_after),
    tasks: workflow.tasks.map((task) => {
      const service = services.get(task.service);
      if (!service) throw new WorkflowStartError('invalid', `task ${task.name} of workflow ${name} names service ${task.service}, which is not in the registry`);
      const taskPayload = { ...task.payload, ...payload };
      // What the task's runner would refuse for its args, refused before any task of the run starts.
      if (service.execution_type === 'shell' || service.execution_type === 'docker') {
        const appended = payloadArgs(service, taskPayload);
        if ('problem' in appended) throw new WorkflowStartError('invalid', `task ${task.name} of workflow ${name}: ${appended.problem}`);
      }
      return {
        name: task.name,
        depends_on: task.depends_on,
        pass_output: task.pass_output ?? null,
        job: {
          identifier: `${identifier}/${task.name}`,
          queue: service.queue,
          service_name: service.name,
          execution_type: service.execution_type,
          priority: service.priority,
          max_attempts: effectiveRetry(service).max_retries + 1,
          payload: { ...taskPayload, [WORKFLOW_PAYLOAD_KEY]: { run: identifier, name, task: task.name } },
        },
      };
    }),
  };
}

/**
 * Starts a run of a workflow: the one entry point for the console, the CLI, the REST API and schedules.
 * Idempotent by `identifier` (a schedule's fire passes one of its own, so a retried fire starts one run);
 * without one, a fresh identifier is made.
 */
export function startWorkflowRun(
  store: Store,
  registry: Registry,
  name: string,
  payload: JsonObject,
  actor: Actor,
  identifier?: string,
): Promise<WorkflowRunStarted> {
  const run = workflowRunOf(registry, name, payload, identifier ?? generatedIdentifier(name));
  return store.startWorkflowRun(run, actor);
}
