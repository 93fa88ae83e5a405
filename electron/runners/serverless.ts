import type * as LambdaSdk from '@aws-sdk/client-lambda';
import type { JsonObject } from '../../shared/domain.ts';
import type { ServerlessRunnerConfig, ServiceConfig } from '../../shared/registry.ts';
import { addEndpoint, probeUrls } from './http.ts';
import { isJobsOwnUrl } from './jobsOwnUrl.ts';
import { httpCall, safeUrl } from './httpCall.ts';
import { aborted, abortReason, attemptSignal, configError, elapsed, errorMessage, failure, success, unsetVariables, wrongKind } from './result.ts';
import { notSetHere, unsetIn } from './notSetHere.ts';
import type { CheckedIn, HealthResult, Runner, RunError, RunRequest, RunResult } from './runner.ts';
import { within } from './within.ts';

type Env = Readonly<Record<string, string | undefined>>;

const EXCERPT = 2048;

/**
 * The Lambda client is loaded by the first invocation, not with the runner: most hosts never invoke
 * one, and loading it would cost every CLI command and every worker start about 8 MB and 70 ms.
 */
let lambdaSdk: Promise<typeof LambdaSdk> | undefined;
const loadLambdaSdk = (): Promise<typeof LambdaSdk> => (lambdaSdk ??= import('@aws-sdk/client-lambda'));

function regionOf(cfg: ServerlessRunnerConfig, env: Env): string {
  return cfg.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/**
 * The key variables a Lambda job reads that `env` lacks or holds empty: both named, or the SDK's usual
 * sources are used and none is read. An http_function job reads none.
 */
export function unsetKeys(cfg: ServerlessRunnerConfig, env: Env): string[] {
  if (cfg.provider !== 'aws_lambda' || !cfg.access_key_env_var || !cfg.secret_key_env_var) return [];
  return [cfg.access_key_env_var, cfg.secret_key_env_var].filter((name) => !env[name]);
}

function credentials(cfg: ServerlessRunnerConfig, env: Env): { value?: { accessKeyId: string; secretAccessKey: string }; missing?: string } {
  const [missing] = unsetKeys(cfg, env);
  if (missing !== undefined) return { missing };
  const accessKeyId = cfg.access_key_env_var ? env[cfg.access_key_env_var] : undefined;
  const secretAccessKey = cfg.secret_key_env_var ? env[cfg.secret_key_env_var] : undefined;
  return accessKeyId && secretAccessKey ? { value: { accessKeyId, secretAccessKey } } : {};
}

function noCredentials(fn: string): string {
  return `no AWS credentials for ${fn}: set access_key_env_var/secret_key_env_var or the SDK's usual sources`;
}

/** How long the probe waits for the SDK to look for credentials (a credential_process, a web identity). */
const CREDENTIALS_LOOKUP_MS = 5000;

/**
 * Whether the SDK finds credentials from this process, where an invocation without named variables looks:
 * its environment variables, its files, instance metadata. Asked as a client would, never invoking.
 */
async function sdkCredentials(region: string): Promise<'found' | 'none' | 'slow' | { error: string }> {
  const { LambdaClient } = await loadLambdaSdk();
  const client = new LambdaClient({ region });
  try {
    return (await within(client.config.credentials(), CREDENTIALS_LOOKUP_MS)) === undefined ? 'slow' : 'found';
  } catch (error) {
    return error instanceof Error && error.name === 'CredentialsProviderError' ? 'none' : { error: errorMessage(error) };
  } finally {
    client.destroy();
  }
}

function field(error: unknown, key: string): unknown {
  return error !== null && typeof error === 'object' ? Reflect.get(error, key) : undefined;
}

/** How a failed Invoke call is treated; the function's own errors are handled apart (FunctionError). */
function invokeError(error: unknown, fn: string): RunError {
  const name = error instanceof Error ? error.name : '';
  const meta = field(error, '$metadata');
  const status = Number(field(meta, 'httpStatusCode')) || null;
  const text = errorMessage(error);
  if (name === 'TooManyRequestsException' || status === 429) {
    const seconds = Number(field(error, 'retryAfterSeconds'));
    return {
      message: `Lambda throttled ${fn}: ${text}`,
      error_class: 'throttled',
      retryable: true,
      ...(Number.isFinite(seconds) && seconds > 0 ? { retry_after_ms: seconds * 1000 } : {}),
    };
  }
  if (name === 'ResourceNotFoundException' || status === 404) {
    return { message: `Function not found: ${fn}`, error_class: 'function_not_found', retryable: false };
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(text) && status === null) {
    return { message: noCredentials(fn), error_class: 'config', retryable: false };
  }
  if (status !== null && status >= 400 && status < 500) {
    return { message: `Lambda refused ${fn} (HTTP ${status} ${name}): ${text}`, error_class: `lambda_${status}`, retryable: false };
  }
  return { message: `Lambda invoke of ${fn} failed: ${name ? `${name}: ` : ''}${text}`, error_class: status ? `lambda_${status}` : 'connection', retryable: true };
}

/**
 * Serverless functions: AWS Lambda through the SDK's Invoke (the endpoint may point at a local stack), or a
 * function behind an HTTP trigger. A function that reports an error it handled failed for a reason of its
 * own (bad input, a business rule): retrying sends the same event into the same error, so it is final. An
 * Unhandled error is a crash or a runtime timeout, like a non-zero exit: retried. Throttling is retried
 * after the time Lambda names. Timeouts are retried: Lambda functions are expected to be idempotent, since
 * Lambda itself retries asynchronous invocations.
 */
export class ServerlessRunner implements Runner {
  readonly kind = 'serverless';

  async run(request: RunRequest): Promise<RunResult> {
    const { service } = request;
    if (service.execution_type !== 'serverless') return wrongKind('serverless', service.execution_type);
    const cfg = service.runner_config;
    if (cfg.provider === 'http_function') return this.#http(request, cfg);
    return this.#lambda(request, cfg);
  }

  async #http(request: RunRequest, cfg: ServerlessRunnerConfig): Promise<RunResult> {
    if (!cfg.url) return configError("http_function provider requires 'url' in config");
    const url = new URL(cfg.url);
    return httpCall({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': request.identifier, 'user-agent': 'opsdeck-runner' },
      body: JSON.stringify(request.payload ?? null),
      signal: request.signal,
      timeoutSeconds: request.timeoutSeconds,
      idempotent: false,
      maxRetryAfter: 300,
      securityContext: { runner: 'serverless', provider: 'http_function', url: safeUrl(url) },
    });
  }

  async #lambda(request: RunRequest, cfg: ServerlessRunnerConfig): Promise<RunResult> {
    const fn = cfg.function_name;
    if (!fn) return configError("aws_lambda provider requires 'function_name' in config");
    const region = regionOf(cfg, request.env);
    const context: JsonObject = { runner: 'serverless', provider: 'aws_lambda', function_name: fn, region, endpoint: cfg.endpoint ?? null };
    const creds = credentials(cfg, request.env);
    if (creds.missing) return unsetVariables([creds.missing], { security_context: context });
    // Where the credential comes from, by the names of its variables: never a sentence under this key, which
    // redaction (config/secrets.ts) cannot tell from a secret and cuts; an object's parts it reads one by one.
    context.credentials =
      creds.value && cfg.access_key_env_var && cfg.secret_key_env_var
        ? { source: 'env_vars', access_key_env_var: cfg.access_key_env_var, secret_key_env_var: cfg.secret_key_env_var }
        : { source: 'sdk_default_chain' };

    const { InvokeCommand, LambdaClient } = await loadLambdaSdk();
    const client = new LambdaClient({
      region,
      maxAttempts: 1,
      ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
      ...(creds.value ? { credentials: creds.value } : {}),
    });
    const started = process.hrtime.bigint();
    const deadline = attemptSignal(request.signal, request.timeoutSeconds);
    try {
      const out = await client.send(
        new InvokeCommand({
          FunctionName: fn,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(request.payload ?? null)),
        }),
        { abortSignal: deadline.signal },
      );
      const body = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
      const excerpt = body.slice(0, EXCERPT);
      const extras = {
        output_tail: excerpt,
        resource_usage: { duration_ms: elapsed(started), http_status: out.StatusCode ?? 200, response_bytes: body.length },
        security_context: { ...context, executed_version: out.ExecutedVersion ?? null },
      };
      if (!out.FunctionError) return success(extras);
      const handled = out.FunctionError === 'Handled';
      return failure(
        {
          message: `function ${fn} failed (${out.FunctionError}): ${functionErrorText(body)}`,
          error_class: handled ? 'function_error' : 'function_crash',
          retryable: !handled,
        },
        extras,
      );
    } catch (error) {
      const usage = { duration_ms: elapsed(started) };
      if (deadline.signal.aborted) return aborted(abortReason(deadline.signal), request.timeoutSeconds, { resource_usage: usage, security_context: context });
      return failure(invokeError(error, fn), { resource_usage: usage, security_context: context });
    } finally {
      deadline.dispose();
      client.destroy();
    }
  }

  /**
   * The endpoints answer, and every Lambda service has credentials from here: an endpoint that answers is
   * no use to a service whose every job fails for want of them. Each service that cannot start is named,
   * as the shell runner's check does, in the words its jobs would fail with; a variable by name only.
   * Credentials missing only from a process that runs no job (a console or a command on a laptop, while
   * the workers have an instance role) are a warning: nothing fails for it, the workers' are not known.
   */
  async probe(services: ServiceConfig[], env: Env, checkedIn: CheckedIn): Promise<HealthResult> {
    const urls = new Map<string, string[]>();
    const jobsOwn = new Set<string>();
    const problems: string[] = [];
    // Problems of this process's own environment: only its own jobs would fail for them.
    const missingHere: string[] = [];
    const cannotStart: Record<string, string[]> = {};
    const failsHere = (service: string, why: string) => {
      cannotStart[service] = [...(cannotStart[service] ?? []), why];
    };
    const slow: string[] = [];
    // The SDK's usual sources are this process's, the same for every service: looked at once.
    let usual: ReturnType<typeof sdkCredentials> | undefined;
    for (const s of services) {
      if (s.execution_type !== 'serverless') continue;
      const cfg = s.runner_config;
      if (cfg.provider === 'http_function' && cfg.url) {
        const origin = new URL(cfg.url).origin;
        addEndpoint(urls, origin, s.name);
        // Its jobs POST cfg.url: a GET of the same URL could do their work.
        if (isJobsOwnUrl(new URL(origin), new URL(cfg.url))) jobsOwn.add(origin);
      }
      if (cfg.provider !== 'aws_lambda') continue;
      const region = regionOf(cfg, env);
      addEndpoint(urls, cfg.endpoint ?? `https://lambda.${region}.amazonaws.com`, s.name);
      const fn = cfg.function_name ?? s.name;
      const named = credentials(cfg, env);
      if (named.missing) {
        missingHere.push(`${s.name}: ${notSetHere(named.missing, checkedIn.process)}`);
        if (checkedIn.runsJobs) failsHere(s.name, unsetIn(named.missing, checkedIn.process));
      }
      if (named.missing || named.value) continue;
      const found = await (usual ??= sdkCredentials(region));
      if (found === 'none') {
        missingHere.push(`${s.name}: ${noCredentials(fn)} (none found in ${checkedIn.process})`);
        if (checkedIn.runsJobs) failsHere(s.name, `${noCredentials(fn)} (none found in ${checkedIn.process})`);
      } else if (found === 'slow') slow.push(s.name);
      else if (found !== 'found') {
        const why = `AWS credentials for ${fn} cannot be loaded in ${checkedIn.process}: ${found.error}`;
        problems.push(`${s.name}: ${why}`);
        failsHere(s.name, why);
      }
    }
    const endpoints = checkedIn.upstreams === false ? { ok: true, detail: 'endpoints not reached' } : await probeUrls(urls, jobsOwn);
    const unsure = slow.length > 0 ? `; cannot tell whether ${slow.join(', ')} have AWS credentials: the SDK's lookup took over ${CREDENTIALS_LOOKUP_MS / 1000}s` : '';
    // This process's own jobs would fail for what it lacks; a process that runs none says so and no more.
    const failing = checkedIn.runsJobs ? [...problems, ...missingHere] : problems;
    const onlyHere = checkedIn.runsJobs || missingHere.length === 0
      ? ''
      : `${missingHere.length} of ${services.length} service(s) lack AWS credentials in ${checkedIn.process}, which runs no job, so whether the workers have them is not known: ${missingHere.join('; ')}; `;
    if (failing.length > 0) return { ok: false, detail: `${failing.length} of ${services.length} service(s) cannot start: ${failing.join('; ')}; ${onlyHere}${endpoints.detail}${unsure}`, cannotStart };
    const detail = `${onlyHere}${endpoints.detail}${unsure}`;
    return endpoints.ok && onlyHere !== '' ? { ok: true, warning: true, detail } : { ...endpoints, detail };
  }
}

/** `errorType: errorMessage` from a Lambda error body, or the body's start. */
function functionErrorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const type = field(parsed, 'errorType');
    const message = field(parsed, 'errorMessage');
    if (typeof message === 'string') return typeof type === 'string' ? `${type}: ${message}` : message;
  } catch {
    // Not JSON: quote it as it came.
  }
  return body.slice(0, 300);
}
