import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { ServerlessRunner } from './serverless.ts';
import { startFakeLambda, type FakeLambda } from './testing/fakeLambda.ts';
import { listenLocal } from './testing/listen.ts';
import { runRequest, service } from './testing/request.ts';

const runner = new ServerlessRunner();
const ENV = { AWS_KEY: 'AKIDEXAMPLE', AWS_SECRET: 'wJalrXUtnFEMI' };
/** Where a probe runs: a worker runs jobs, the console on a laptop does not. */
const WORKER = { process: "this worker's process", runsJobs: true };
const CONSOLE = { process: "the console's process", runsJobs: false };

async function fake(t: { after(fn: () => Promise<void>): void }): Promise<FakeLambda> {
  const lambda = await startFakeLambda();
  t.after(() => lambda.close());
  return lambda;
}

function lambdaService(lambda: FakeLambda, fn: string) {
  return service({
    execution_type: 'serverless',
    runner_config: { provider: 'aws_lambda', function_name: fn, region: 'eu-west-1', endpoint: lambda.endpoint, access_key_env_var: 'AWS_KEY', secret_key_env_var: 'AWS_SECRET' },
  });
}

test('invokes a function with the payload as its event (fake Lambda Invoke API on 127.0.0.1)', async (t) => {
  const lambda = await fake(t);
  const result = await runner.run(runRequest(lambdaService(lambda, 'echo'), { payload: { account_id: 7 }, env: ENV }));
  assert.equal(result.ok, true, JSON.stringify(result.error));
  assert.equal(result.output_tail, '{"received":{"account_id":7}}');
  assert.deepEqual(lambda.invocations[0]?.payload, { account_id: 7 });
  assert.match(String(lambda.invocations[0]?.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d+\/eu-west-1\/lambda\//);
  assert.deepEqual(result.security_context.credentials, { source: 'env_vars', access_key_env_var: 'AWS_KEY', secret_key_env_var: 'AWS_SECRET' }, 'where the credential comes from, by name');
  assert.ok(!JSON.stringify(result).includes(ENV.AWS_SECRET));
});

test('a handled function error is final, an unhandled one is retried (fake Lambda Invoke API on 127.0.0.1)', async (t) => {
  const lambda = await fake(t);
  const handled = await runner.run(runRequest(lambdaService(lambda, 'handled-error'), { env: ENV }));
  assert.equal(handled.error?.error_class, 'function_error');
  assert.equal(handled.error?.retryable, false);
  assert.equal(handled.error?.message, "function handled-error failed (Handled): ValidationError: invalid payload: missing field 'account_id'");
  const unhandled = await runner.run(runRequest(lambdaService(lambda, 'unhandled-error'), { env: ENV }));
  assert.equal(unhandled.error?.error_class, 'function_crash');
  assert.equal(unhandled.error?.retryable, true);
});

test('throttling is retryable after the time Lambda names (fake Lambda Invoke API on 127.0.0.1)', async (t) => {
  const lambda = await fake(t);
  const result = await runner.run(runRequest(lambdaService(lambda, 'throttled'), { env: ENV }));
  assert.equal(result.error?.error_class, 'throttled');
  assert.equal(result.error?.retryable, true);
  assert.equal(result.error?.retry_after_ms, 2000);
  assert.equal(lambda.invocations.length, 1, 'the SDK does not retry behind the engine');
});

test('a missing function is final, with the runbook words (fake Lambda Invoke API on 127.0.0.1)', async (t) => {
  const lambda = await fake(t);
  const result = await runner.run(runRequest(lambdaService(lambda, 'nope'), { env: ENV }));
  assert.equal(result.error?.error_class, 'function_not_found');
  assert.equal(result.error?.retryable, false);
  assert.equal(result.error?.message, 'Function not found: nope');
});

test('an abort and a timeout end the invocation with their reason (fake Lambda Invoke API on 127.0.0.1)', async (t) => {
  const lambda = await fake(t);
  const controller = new AbortController();
  const running = runner.run(runRequest(lambdaService(lambda, 'slow'), { env: ENV, signal: controller.signal }));
  setTimeout(() => controller.abort('interrupt'), 150);
  const result = await running;
  assert.equal(result.aborted, 'interrupt');
  const timed = await runner.run(runRequest(lambdaService(lambda, 'slow'), { env: ENV, timeoutSeconds: 0.3 }));
  assert.equal(timed.aborted, 'timeout');
  assert.equal(timed.error?.retryable, true);
});

test('a missing credential variable is a config error naming it (fake Lambda Invoke API on 127.0.0.1)', async (t) => {
  const lambda = await fake(t);
  const result = await runner.run(runRequest(lambdaService(lambda, 'echo'), { env: { AWS_KEY: 'x' } }));
  assert.equal(result.error?.error_class, 'config');
  assert.equal(result.error?.message, 'environment variable AWS_SECRET is not set on this worker: set it where the workers run, then restart them');
  assert.equal(lambda.invocations.length, 0);
});

test('the probe checks the endpoint answers (fake Lambda Invoke API on 127.0.0.1)', async (t) => {
  const lambda = await fake(t);
  assert.equal((await runner.probe([lambdaService(lambda, 'echo')], ENV, WORKER)).ok, true);
  const down = service({ execution_type: 'serverless', runner_config: { function_name: 'f', endpoint: 'http://127.0.0.1:9', access_key_env_var: 'AWS_KEY', secret_key_env_var: 'AWS_SECRET' } });
  const probe = await runner.probe([down], ENV, WORKER);
  assert.equal(probe.ok, false);
  assert.match(probe.detail, /^1 of 1 service\(s\) not answering: svc at http:\/\/127\.0\.0\.1:9 \(/);
});

/** The SDK's usual sources, emptied for one test: no variables, no files, no instance metadata. */
function withoutSdkCredentials(t: { after(fn: () => void): void }, set: Record<string, string> = {}): void {
  const saved = { ...process.env };
  t.after(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) Reflect.deleteProperty(process.env, key);
    Object.assign(process.env, saved);
  });
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) Reflect.deleteProperty(process.env, key);
  Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config', AWS_EC2_METADATA_DISABLED: 'true' }, set);
}

test('the probe fails for each service whose credentials cannot be found from a process that runs jobs, in the words its jobs fail with (fake Lambda Invoke API on 127.0.0.1)', async (t) => {
  const lambda = await fake(t);
  withoutSdkCredentials(t);
  const usual = (name: string, fn: string) => service({ name, execution_type: 'serverless', runner_config: { provider: 'aws_lambda', function_name: fn, region: 'eu-west-1', endpoint: lambda.endpoint } });
  const named = { ...lambdaService(lambda, 'named'), name: 'named' };
  const services = [usual('lambda_echo', 'echo'), named, usual('lambda_other', 'other')];

  const job = await runner.run(runRequest(usual('lambda_echo', 'echo'), { env: process.env }));
  assert.equal(job.error?.message, "no AWS credentials for echo: set access_key_env_var/secret_key_env_var or the SDK's usual sources");

  const probe = await runner.probe(services, { AWS_KEY: 'AKIDEXAMPLE' }, WORKER);
  assert.equal(probe.ok, false);
  assert.equal(
    probe.detail,
    "3 of 3 service(s) cannot start: lambda_echo: no AWS credentials for echo: set access_key_env_var/secret_key_env_var or the SDK's usual sources (none found in this worker's process); " +
      "named: environment variable AWS_SECRET is not set in this worker's process; each worker reads its own environment; " +
      "lambda_other: no AWS credentials for other: set access_key_env_var/secret_key_env_var or the SDK's usual sources (none found in this worker's process); " +
      '1 endpoint(s) answering',
  );
  assert.ok(!probe.detail.includes('AKIDEXAMPLE'), 'a value is never shown');

  const partly = await runner.probe(services, ENV, WORKER);
  assert.equal(partly.ok, false);
  assert.match(partly.detail, /^2 of 3 service\(s\) cannot start: lambda_echo: .*; lambda_other: .*; 1 endpoint\(s\) answering$/);

  withoutSdkCredentials(t, { AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: 'from-env-secret' });
  const found = await runner.probe(services, ENV, WORKER);
  assert.deepEqual(found, { ok: true, detail: '1 endpoint(s) answering' });
  assert.equal(lambda.invocations.length, 0, 'the probe invokes nothing');
});

test("credentials missing only from a process that runs no job (a console, a command) are a warning naming that process, not a failure (fake Lambda Invoke API on 127.0.0.1)", async (t) => {
  const lambda = await fake(t);
  withoutSdkCredentials(t);
  const usual = (endpoint: string) => service({ name: 'lambda_echo', execution_type: 'serverless', runner_config: { provider: 'aws_lambda', function_name: 'echo', region: 'eu-west-1', endpoint } });
  const probe = await runner.probe([usual(lambda.endpoint)], ENV, CONSOLE);
  assert.deepEqual(probe, {
    ok: true,
    warning: true,
    detail:
      "1 of 1 service(s) lack AWS credentials in the console's process, which runs no job, so whether the workers have them is not known: " +
      "lambda_echo: no AWS credentials for echo: set access_key_env_var/secret_key_env_var or the SDK's usual sources (none found in the console's process); 1 endpoint(s) answering",
  });
  assert.ok(!probe.detail.includes('shell'));
  const down = await runner.probe([usual('http://127.0.0.1:9')], ENV, CONSOLE);
  assert.equal(down.ok, false, 'an endpoint that does not answer still fails');
});

test('an HTTP-triggered function gets the payload as JSON and is classified like http', async (t) => {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(req.url === '/fail' ? 502 : 200).end('done');
    });
  });
  const port = await listenLocal(server);
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const fn = (p: string) => service({ execution_type: 'serverless', runner_config: { provider: 'http_function', url: `http://127.0.0.1:${port}${p}` } });
  const ok = await runner.run(runRequest(fn('/run'), { payload: { a: 1 } }));
  assert.equal(ok.ok, true);
  assert.equal(bodies[0], '{"a":1}');
  const bad = await runner.run(runRequest(fn('/fail')));
  assert.equal(bad.error?.error_class, 'http_502');
  assert.equal(bad.error?.retryable, true);
});
