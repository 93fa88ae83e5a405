import { calls } from '../../shared/contract.ts';
import type { ApiContext } from '../api/context.ts';

/** What a note beside the failed jobs says, as the OpenAPI document describes the field. */
export const EXECUTIONS_NOTE_DOC =
  "Beside the first page of GET /v1/executions?status=failed on a host with workflows: these are jobs, and a workflow's executions are its runs (GET /v1/workflow-runs?status=failed), as runbook 004 means them.";

/** Whether this host has workflows to speak of: the registry loaded here names some, or the store kept a run. */
async function hasWorkflows(ctx: ApiContext): Promise<boolean> {
  if ((ctx.registry.registry.workflows ?? []).length > 0) return true;
  return (await ctx.store.listWorkflowRuns({}, { limit: 1 })).items.length > 0;
}

/**
 * Runbook 004's "list recent failed executions" (GET /v1/executions?status=failed&limit=10) means a workflow
 * system's executions, which are opsdeck's workflow runs, not its jobs: said beside the jobs, as the CLI's
 * `executions` hint says it, for a request that asks just that (failed, no other filter, its first page) on a
 * host with workflows. Null for any other.
 */
export async function executionsNote(input: unknown, ctx: ApiContext): Promise<string | null> {
  const asked = calls['jobs.list'].input.safeParse(input);
  if (!asked.success) return null;
  const { filter, limit, after } = asked.data;
  const { status, ...others } = filter;
  const failedOnly = status?.length === 1 && status[0] === 'failed' && Object.values(others).every((value) => value === undefined);
  if (!failedOnly || (after ?? null) !== null || !(await hasWorkflows(ctx))) return null;
  return `these are jobs, each one execution of a service; a workflow's executions are its runs: GET /v1/workflow-runs?status=failed&limit=${limit} lists the failed ones, GET /v1/workflow-runs/{run} shows one with its tasks`;
}
