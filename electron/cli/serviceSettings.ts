import path from 'node:path';
import { effectiveTimeout, type SecurityPolicy, type ServiceConfig } from '../../shared/registry.ts';
import { redactUrl } from '../config/secrets.ts';
import { imageAllowed } from '../runners/imageAllowlist.ts';
import { shellWord } from '../../shared/shellWord.ts';

/**
 * What `opsdeck services NAME` shows of a service's runner: the runbooks' "check permissions" (what runs,
 * where, as whom, what it is allowed, how long it may take). A secret is shown by the name of the variable
 * that holds it, never its value: a header's value and a URL's password are left out, as they may hold one.
 */
export type Setting = [name: string, value: string];

const listOr = (items: readonly string[] | undefined, none: string) => (items === undefined || items.length === 0 ? none : items.join(', '));

const words = (argv: readonly string[]) => argv.map(shellWord).join(' ');

function timeoutText(service: ServiceConfig): string {
  const where = service.runner_config.timeout === undefined ? 'timeout' : 'runner_config.timeout';
  return `${effectiveTimeout(service)}s an attempt (${where})`;
}

function limitsText(policy: SecurityPolicy): string {
  const limits = policy.resource_limits ?? {};
  const parts = [...(limits.memory_mb === undefined ? [] : [`memory ${limits.memory_mb} MB`]), ...(limits.cpu_seconds === undefined ? [] : [`CPU ${limits.cpu_seconds}s`])];
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** Whether command[0] is allowed as written; a link to an allowed command is only told on the worker, as its jobs run. */
function commandsText(program: string, allowed: readonly string[] | undefined): string {
  if (allowed === undefined || allowed.length === 0) return 'none: every command is refused (allowlist)';
  const listed = allowed.join(', ');
  return allowed.includes(program) ? listed : `${listed} (command[0] ${program} is not among them as written: its jobs fail as allowlist unless it is a link to one)`;
}

function runnerSettings(service: ServiceConfig): Setting[] {
  const policy = service.security_policy;
  switch (service.execution_type) {
    case 'shell': {
      const c = service.runner_config;
      return [
        ['command', words(c.command)],
        ['payload_args', c.payload_args ? "yes: a job's payload.args are appended to the command" : 'no'],
        ['allowed_commands', commandsText(c.command[0] ?? '', policy.allowed_commands)],
        ['allowed_roots', listOr(policy.allowed_roots, 'any')],
        ['working_directory', c.working_directory ?? `not set: ${(policy.allowed_roots ?? []).find((root) => path.isAbsolute(root)) ?? "the worker's temp folder"}`],
        ['user', c.user ?? "the worker's own"],
        ['env', listOr(c.env, 'none passed')],
        ...(c.output_limit_bytes === undefined ? [] : [['output_limit_bytes', String(c.output_limit_bytes)] satisfies Setting]),
      ];
    }
    case 'http': {
      const c = service.runner_config;
      const auth = Object.values(c.auth_config ?? {});
      return [
        ['request', `${c.method} ${redactUrl(`${c.base_url.replace(/\/+$/, '')}/${c.path.replace(/^\/+/, '')}`)}`],
        ['auth', c.auth_type === 'none' ? 'none' : `${c.auth_type}${auth.length === 0 ? '' : ` from ${auth.join(', ')}`}`],
        ['headers', listOr(Object.keys(c.headers ?? {}), 'none')],
        ['idempotent', c.idempotent ? 'yes: a read timeout may be retried' : 'no'],
        ['max_retry_after', `${c.max_retry_after}s`],
      ];
    }
    case 'docker': {
      const c = service.runner_config;
      const allowed = imageAllowed(c.image, policy.allowed_images);
      return [
        ['image', allowed ? c.image : `${c.image} (not in allowed_images: its jobs fail as allowlist)`],
        ['allowed_images', listOr(policy.allowed_images, 'none: every image is refused (allowlist)')],
        ...(c.command === undefined ? [] : [['command', words(c.command)] satisfies Setting]),
        ['payload_args', c.payload_args ? "yes: a job's payload.args are appended to the command" : 'no'],
        ['working_dir', c.working_dir ?? "the image's"],
        ['volumes', listOr(c.volumes?.map((v) => `${v.host_path}:${v.container_path}:${v.mode}`), 'none')],
        ['env', listOr(c.env, 'none passed')],
        ['pull_policy', c.pull_policy],
        ...(c.registry_auth === undefined ? [] : [['registry_auth', `${c.registry_auth.username_env_var}, ${c.registry_auth.password_env_var}`] satisfies Setting]),
      ];
    }
    case 'serverless': {
      const c = service.runner_config;
      const target = c.provider === 'aws_lambda' ? `${c.function_name ?? '(no function_name)'}${c.region ? ` in ${c.region}` : ''}${c.endpoint ? ` at ${redactUrl(c.endpoint)}` : ''}` : redactUrl(c.url ?? '(no url)');
      const keys = [c.access_key_env_var, c.secret_key_env_var].filter((name): name is string => name !== undefined);
      return [
        ['function', `${c.provider} ${target}`],
        ['credentials', keys.length === 0 ? "the worker's own (its environment or instance role)" : keys.join(', ')],
      ];
    }
    case 'noop':
      return [['noop', service.runner_config.fail ? 'fails every job on purpose' : `sleeps ${service.runner_config.sleep_ms} ms${service.runner_config.fail_rate > 0 ? `, fails ${service.runner_config.fail_rate * 100}% on purpose` : ''}`]];
  }
}

/** A service's runner settings and limits, in the order an operator checks them. */
export function serviceSettings(service: ServiceConfig): Setting[] {
  return [
    ...runnerSettings(service),
    ['timeout', timeoutText(service)],
    ['resource_limits', limitsText(service.security_policy)],
    ['on_interrupt', service.on_interrupt === 'fail' ? 'fail: an emergency stop sends its running jobs to the dead-letter queue' : 'requeue: an emergency stop sends its running jobs back to pending'],
  ];
}
