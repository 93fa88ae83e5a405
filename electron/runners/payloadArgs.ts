import { payloadObject } from './result.ts';

/**
 * The arguments a job's payload.args appends to its service's command. Only a service whose registry entry
 * says `payload_args: true` takes them: otherwise whoever may enqueue would choose the arguments of an
 * allowed program, and `find -exec`, `env` or `xargs` run any other program with them.
 */
export function payloadArgs(service: { name: string; runner_config: { payload_args: boolean } }, payload: unknown): { args: string[] } | { problem: string } {
  const args = payloadObject(payload)?.args;
  if (args === undefined) return { args: [] };
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return { problem: 'payload.args must be an array of strings' };
  if (args.length > 0 && !service.runner_config.payload_args) {
    return { problem: `service '${service.name}' takes no payload.args; its registry entry allows them with runner_config.payload_args: true` };
  }
  return { args };
}
