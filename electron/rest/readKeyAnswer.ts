import { redactText } from '../config/redaction.ts';
import { redactValue } from '../config/secrets.ts';
import { programAfter, type Program } from '../config/programArgs.ts';
import { redactSecretsInText, redactSecretText } from '../config/secretText.ts';
import type { Registry } from '../../shared/registry.ts';
import type { ApiContext } from '../api/context.ts';
import { supportSecrets } from '../api/supportBundle.ts';

/**
 * The fields of an answer that hold what a job, a run or a schedule was given: a job's, run's or
 * schedule's `payload`, and a job's `security_context`, where a shell or Docker job's payload.args are
 * repeated as the `payload_args` it ran with.
 */
const GIVEN = new Set(['payload', 'security_context']);

/**
 * The fields that hold what a job printed or failed with, as its worker stored them: a job's, an attempt's and
 * a workflow task's `error_message`, an attempt's `output_tail`, the `sample_error` of a dead-letter group and
 * of a recent-failures group, a breaker's `last_error`, and a check's or runner's `detail`, where the runner
 * check quotes the last error of a service whose breaker is open; and what a worker says it cannot run a
 * service for (`cannot_run.services[].docker` and `.other`), the Docker daemon's and a program's own words.
 */
const PRINTED = new Set(['error_message', 'output_tail', 'sample_error', 'last_error', 'detail', 'docker', 'other']);

function printedText(field: string, secrets: () => readonly string[]): string {
  return redactSecretText(redactText(field, secrets()));
}

/**
 * The program a job's or a schedule's payload.args go to, the last its service's command names: after
 * `command: [mysqldump, …]`, a `-phunter2` among them is a password (programArgs.ts).
 */
function programOfService(registry: Registry, value: object): Program | null {
  const name = Reflect.get(value, 'service_name') ?? Reflect.get(value, 'service');
  const service = registry.services.find((s) => s.name === name);
  if (service?.execution_type === 'shell' || service?.execution_type === 'docker') return programAfter(service.runner_config.command ?? []);
  return null;
}

function readKeyView(value: unknown, secrets: () => readonly string[], registry: Registry): unknown {
  if (Array.isArray(value)) return value.map((v) => readKeyView(v, secrets, registry));
  if (value === null || typeof value !== 'object') return value;
  const program = programOfService(registry, value);
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => {
      if (GIVEN.has(key)) return [key, redactSecretsInText(redactValue(field, secrets()), program)];
      if (PRINTED.has(key) && typeof field === 'string') return [key, printedText(field, secrets)];
      if (PRINTED.has(key) && Array.isArray(field)) return [key, field.map((item: unknown) => (typeof item === 'string' ? printedText(item, secrets) : readKeyView(item, secrets, registry)))];
      return [key, readKeyView(field, secrets, registry)];
    }),
  );
}

/**
 * An answer as a read key gets it. Whatever a job was given: the value of each secret-named key (password,
 * token, api_key, authorization, …) at any depth, a URL's password and every secret value the support bundle
 * cuts, as the support bundle keeps them, and what is written into its text or argv under a secret's name
 * (`--password hunter2`, `--token=abc`, `Authorization: Bearer abc`, a MySQL client's `-phunter2` and curl's
 * `-u user:pass`, its service's command saying which program its payload.args go to). What a job printed or failed with: the
 * same secret values and what its text assigns to a secret's name (`password=…`, `token: …`), beyond the
 * service's own secrets the engine cut before storing it. Each replaced by [redacted]; the rest stays, so a
 * dashboard still tells one job from another. An operate key gets it whole, as the console does.
 */
export function asReadKeySees(result: unknown, ctx: ApiContext): unknown {
  let secrets: readonly string[] | null = null;
  // Worked out once per answer, and only for one holding a payload or a job's text (a health check's detail counts).
  const known = () => (secrets ??= supportSecrets({ env: ctx.env, registry: ctx.registry.registry, fileText: null, values: ctx.store.connectionSecrets() }));
  return readKeyView(result, known, ctx.registry.registry);
}
