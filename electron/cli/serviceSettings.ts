import { effectiveTimeout, type HttpRunnerConfig, type SecurityPolicy, type ServiceConfig, type ShellRunnerConfig } from '../../shared/registry.ts';
import { redactArgs, redactSecretText } from '../config/secretText.ts';
import { targetUrl } from '../runners/http.ts';
import { imageAllowed } from '../runners/imageAllowlist.ts';
import { insideAny, shellAsWritten } from '../runners/shellPolicy.ts';
import { shellWord } from '../../shared/shellWord.ts';

/**
 * What `opsdeck services NAME` shows of a service's runner: the runbooks' "check permissions" (what runs,
 * where, as whom, what it is allowed, how long it may take), as the runner reads the registry. A secret is
 * shown by the name of the variable that holds it, never its value: a header's value is left out, and a
 * command's and a URL's are cut as a job's are (`--password …`, `-phunter2`, `-u user:pass`, `token=…`, a
 * URL's password).
 */
export type Setting = [name: string, value: string];

const listOr = (items: readonly string[] | undefined, none: string) => (items === undefined || items.length === 0 ? none : items.join(', '));

/** An argv as a shell would read it back, its secrets cut as a job's argv is (redactArgs). */
const words = (argv: readonly string[]) => redactArgs(argv).map((word) => shellWord(String(word))).join(' ');

function timeoutText(service: ServiceConfig): string {
  const where = service.runner_config.timeout === undefined ? 'timeout' : 'runner_config.timeout';
  return `${effectiveTimeout(service)}s an attempt (${where})`;
}

function limitsText(policy: SecurityPolicy): string {
  const limits = policy.resource_limits ?? {};
  const parts = [...(limits.memory_mb === undefined ? [] : [`memory ${limits.memory_mb} MB`]), ...(limits.cpu_seconds === undefined ? [] : [`CPU ${limits.cpu_seconds}s`])];
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/**
 * Whether command[0] is allowed as the runner compares it (shellAsWritten): an absolute path listed; a
 * relative one is refused whatever the list says, and a relative entry allows nothing. A link to an allowed
 * command is only told on the worker, as its jobs run.
 */
function commandsText(c: ShellRunnerConfig, policy: SecurityPolicy): string {
  const written = shellAsWritten(c, policy);
  const listed = policy.allowed_commands ?? [];
  if (listed.length === 0) return 'none: every command is refused (allowlist)';
  const ignored = listed.filter((entry) => !written.allowed.includes(entry) && entry !== written.requested);
  const notes = [
    ...(written.commandRefused !== null
      ? [`command[0] ${written.requested} is not an absolute path: the runner refuses every job as allowlist`]
      : written.allowed.includes(written.requested)
        ? []
        : [`command[0] ${written.requested} is not among them as written: its jobs fail as allowlist unless it is a link to one`]),
    ...(ignored.length === 0 ? [] : [ignored.length === 1 ? `${ignored.join('')} is not an absolute path: it allows nothing` : `${ignored.join(', ')} are not absolute paths: they allow nothing`]),
  ];
  return `${listed.join(', ')}${notes.length === 0 ? '' : ` (${notes.join('; ')})`}`;
}

/** Where its jobs start, and why they would not there: a relative folder, or one outside allowed_roots as written. */
function workingDirectoryText(c: ShellRunnerConfig, policy: SecurityPolicy): string {
  const written = shellAsWritten(c, policy);
  const where = c.working_directory ?? `not set: ${written.cwd ?? "the worker's temp folder"}`;
  if (written.cwdRefused !== null) return `${where} (not an absolute path: its jobs fail as config)`;
  if (written.cwd !== null && written.roots.length > 0 && !insideAny(written.cwd, written.roots)) {
    return `${where} (outside allowed_roots as written: its jobs fail as allowlist unless a link leads inside one)`;
  }
  return where;
}

/**
 * The request its jobs make, as the runner builds it (targetUrl): base_url's origin and path and the
 * service's path, never base_url's user, password or query, which are said to be left out; a secret in it cut.
 */
function requestText(c: HttpRunnerConfig): string {
  const url = targetUrl(c.base_url, c.path, undefined);
  if (typeof url === 'string') return `${c.method} ${redactSecretText(c.base_url)}: ${redactSecretText(url)}, so a job fails unless its payload gives a path`;
  const base = new URL(c.base_url);
  const unsent = [...(base.username !== '' || base.password !== '' ? ['user and password'] : []), ...(base.search !== '' ? ['query'] : [])];
  return `${c.method} ${redactSecretText(url.href)}${unsent.length === 0 ? '' : ` (base_url's ${unsent.join(' and ')} not sent)`}`;
}

function runnerSettings(service: ServiceConfig): Setting[] {
  const policy = service.security_policy;
  switch (service.execution_type) {
    case 'shell': {
      const c = service.runner_config;
      return [
        ['command', words(c.command)],
        ['payload_args', c.payload_args ? "yes: a job's payload.args are appended to the command" : 'no'],
        ['allowed_commands', commandsText(c, policy)],
        ['allowed_roots', listOr(policy.allowed_roots, 'any')],
        ['working_directory', workingDirectoryText(c, policy)],
        ['user', c.user ?? "the worker's own"],
        ['env', listOr(c.env, 'none passed')],
        ...(c.output_limit_bytes === undefined ? [] : [['output_limit_bytes', String(c.output_limit_bytes)] satisfies Setting]),
      ];
    }
    case 'http': {
      const c = service.runner_config;
      const auth = Object.values(c.auth_config ?? {});
      return [
        ['request', requestText(c)],
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
      const target = c.provider === 'aws_lambda' ? `${c.function_name ?? '(no function_name)'}${c.region ? ` in ${c.region}` : ''}${c.endpoint ? ` at ${redactSecretText(c.endpoint)}` : ''}` : redactSecretText(c.url ?? '(no url)');
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
