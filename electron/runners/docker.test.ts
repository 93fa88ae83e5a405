import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DockerRunner } from './docker.ts';
import { startFakeDocker, type FakeDocker } from './testing/fakeDocker.ts';
import { runRequest, service } from './testing/request.ts';

const runner = new DockerRunner();

async function fake(t: { after(fn: () => Promise<void>): void }, opts: Parameters<typeof startFakeDocker>[0] = {}): Promise<FakeDocker> {
  const docker = await startFakeDocker(opts);
  t.after(() => docker.close());
  return docker;
}

function dockerService(docker: FakeDocker, extra: Record<string, unknown> = {}, policy: Record<string, unknown> = {}) {
  return service({
    execution_type: 'docker',
    runner_config: { image: 'python:3.11-slim', socket_path: docker.socketPath, ...extra },
    security_policy: { allowed_images: ['python:*'], ...policy },
  });
}

test('runs a container with command, args, env, binds and limits, then removes it (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t, { images: ['python:3.11-slim'] });
  const svc = dockerService(
    docker,
    { command: ['python', 'job.py'], payload_args: true, env: ['REPORT_BUCKET'], working_dir: '/app', volumes: [{ host_path: '/data', container_path: '/data' }, { host_path: '/out', container_path: '/out', mode: 'rw' }] },
    { resource_limits: { memory_mb: 256 } },
  );
  const result = await runner.run(runRequest(svc, { payload: { args: ['--day', '2026-01-01'] }, env: { REPORT_BUCKET: 'b1', API_TOKEN: 'secret' } }));
  assert.equal(result.ok, true, JSON.stringify(result.error));
  assert.equal(result.output_tail, 'python job.py --day 2026-01-01\n');
  assert.equal(result.resource_usage.exit_code, 0);
  const create = docker.calls.find((c) => c.path === '/containers/create');
  assert.ok(create);
  assert.deepEqual(Reflect.get(Object(create.body), 'Cmd'), ['python', 'job.py', '--day', '2026-01-01']);
  assert.deepEqual(Reflect.get(Object(create.body), 'Env'), ['REPORT_BUCKET=b1']);
  assert.equal(Reflect.get(Object(create.body), 'WorkingDir'), '/app');
  const host = Object(Reflect.get(Object(create.body), 'HostConfig'));
  assert.deepEqual(Reflect.get(host, 'Binds'), ['/data:/data:ro', '/out:/out:rw']);
  assert.equal(Reflect.get(host, 'Memory'), 256 * 1024 * 1024);
  assert.ok([...docker.containers.values()].every((c) => c.removed));
  assert.ok(!docker.calls.some((c) => c.path === '/images/create'), 'present image is not pulled');
});

test('an image outside the allowlist is refused before any call (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t);
  for (const image of ['alpine:3.19', 'pythonx:1', 'evil/python:3']) {
    const result = await runner.run(runRequest(dockerService(docker, { image })));
    assert.equal(result.error?.error_class, 'allowlist', image);
    assert.equal(result.error?.retryable, false);
    assert.equal(result.error?.message, `Image '${image}' is not allowed`);
  }
  assert.equal(docker.calls.length, 0);
});

test('a job cannot append arguments to the command of a service that does not take payload.args (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t, { images: ['python:3.11-slim'] });
  const result = await runner.run(runRequest(dockerService(docker, { command: ['python', 'job.py'] }), { payload: { args: ['-c', 'import os'] } }));
  assert.equal(result.error?.error_class, 'payload');
  assert.match(result.error?.message ?? '', /takes no payload\.args/);
  assert.equal(docker.calls.length, 0, 'no container was made');
});

test('pull policies: if_not_present pulls a missing image, never refuses, always pulls (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t);
  const pulled = await runner.run(runRequest(dockerService(docker)));
  assert.equal(pulled.ok, true, JSON.stringify(pulled.error));
  assert.deepEqual(docker.calls.find((c) => c.path === '/images/create')?.query, { fromImage: 'python', tag: '3.11-slim' });

  const other = await fake(t);
  const never = await runner.run(runRequest(dockerService(other, { pull_policy: 'never' })));
  assert.equal(never.error?.error_class, 'config');
  assert.match(never.error?.message ?? '', /pull_policy is never/);

  const third = await fake(t, { images: ['python:3.11-slim'] });
  await runner.run(runRequest(dockerService(third, { pull_policy: 'always' })));
  assert.ok(third.calls.some((c) => c.path === '/images/create'));
});

test('a pull of an image that does not exist fails without retry (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t, { pullable: () => false });
  const result = await runner.run(runRequest(dockerService(docker)));
  assert.equal(result.error?.error_class, 'image_pull');
  assert.equal(result.error?.retryable, false);
  // The engine's words, without dockerode's "(HTTP code 404) unexpected - " and trailing space.
  assert.equal(result.error?.message, 'pulling image python:3.11-slim failed: pull access denied for python, repository does not exist (or may require docker login: runner_config.registry_auth)');
  const withLogin = await runner.run(
    runRequest(dockerService(docker, { registry_auth: { username_env_var: 'DOCKER_USERNAME', password_env_var: 'DOCKER_PASSWORD' } }), { env: { DOCKER_USERNAME: 'me', DOCKER_PASSWORD: 'pw' } }),
  );
  assert.equal(withLogin.error?.message, 'pulling image python:3.11-slim failed: pull access denied for python, repository does not exist (or the account in registry_auth may not reach it)');
});

test('a non-zero exit is retryable and quotes stderr; the container is removed (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t, { images: ['python:3.11-slim'] });
  const result = await runner.run(runRequest(dockerService(docker, { command: ['exit', '2', 'no', 'such', 'table'] })));
  assert.equal(result.error?.error_class, 'exit_code');
  assert.equal(result.error?.retryable, true);
  assert.equal(result.error?.message, 'exited with code 2: no such table');
  assert.ok([...docker.containers.values()].every((c) => c.removed));
});

test('an abort kills and removes the container and reports the reason (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t, { images: ['python:3.11-slim'] });
  const controller = new AbortController();
  const running = runner.run(runRequest(dockerService(docker, { command: ['sleep', '60'] }), { signal: controller.signal }));
  while (![...docker.containers.values()].some((c) => c.state === 'running')) await new Promise((r) => setTimeout(r, 10));
  controller.abort('interrupt');
  const result = await running;
  assert.equal(result.aborted, 'interrupt');
  const [container] = docker.containers.values();
  assert.ok(container);
  assert.equal(container.killed, true);
  assert.equal(container.removed, true);
  assert.ok(docker.calls.some((c) => c.method === 'POST' && c.path === `/containers/${container.id}/kill`));
  assert.ok(docker.calls.some((c) => c.method === 'DELETE' && c.path === `/containers/${container.id}`));
});

test('a timeout kills the container (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t, { images: ['python:3.11-slim'] });
  const result = await runner.run(runRequest(dockerService(docker, { command: ['sleep', '60'] }), { timeoutSeconds: 0.3 }));
  assert.equal(result.aborted, 'timeout');
  assert.equal(result.error?.error_class, 'timeout');
  assert.ok([...docker.containers.values()].every((c) => c.killed && c.removed));
});

test('a missing registry credential variable is a config error naming it (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t);
  const svc = dockerService(docker, { registry_auth: { username_env_var: 'DOCKER_USERNAME', password_env_var: 'DOCKER_PASSWORD' } });
  const result = await runner.run(runRequest(svc, { env: { DOCKER_USERNAME: 'me' } }));
  assert.equal(result.error?.message, 'environment variable DOCKER_PASSWORD is not set on this worker: set it where the workers run, then restart them');
  assert.equal(docker.calls.length, 0);
});

test('a listed variable missing on the worker fails the job as configuration before any container is made (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t, { images: ['python:3.11-slim'] });
  const result = await runner.run(runRequest(dockerService(docker, { env: ['REPORT_BUCKET', 'REPORT_TOKEN'] }), { env: { REPORT_BUCKET: 'b1' } }));
  assert.equal(result.ok, false);
  assert.equal(result.error?.error_class, 'config');
  assert.equal(result.error?.retryable, false);
  assert.equal(result.error?.message, 'environment variable REPORT_TOKEN is not set on this worker: set it where the workers run, then restart them');
  assert.deepEqual(result.security_context.env_missing, ['REPORT_TOKEN']);
  assert.equal(docker.containers.size, 0);
});

test('the probe pings the daemon; an absent socket is unhealthy and a run is retryable (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t);
  assert.equal((await runner.probe([dockerService(docker)])).ok, true);
  assert.ok(docker.calls.some((c) => c.path === '/_ping'));
  const gone = service({ execution_type: 'docker', runner_config: { image: 'python:3', socket_path: '/nonexistent/docker.sock' }, security_policy: { allowed_images: ['python:*'] } });
  const probe = await runner.probe([gone]);
  assert.equal(probe.ok, false);
  assert.match(probe.detail, /nonexistent/);
  const result = await runner.run(runRequest(gone));
  assert.equal(result.error?.error_class, 'docker_unavailable');
  assert.equal(result.error?.retryable, true);
});

test('a daemon certainly away before any container was made is what this machine lacks: nothing ran, another worker may run the job (fake Docker Engine API on a unix socket)', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-no-daemon-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // A socket path with nothing there (ENOENT), and a file that is no socket, which refuses (ECONNREFUSED).
  const refusing = path.join(dir, 'refusing.sock');
  await writeFile(refusing, '');
  for (const [socket, code] of [[path.join(dir, 'missing.sock'), 'ENOENT'], [refusing, 'ECONNREFUSED']] as const) {
    const away = service({ execution_type: 'docker', runner_config: { image: 'python:3', socket_path: socket }, security_policy: { allowed_images: ['python:*'] } });
    const result = await runner.run(runRequest(away));
    assert.equal(result.lacksHere, true, code);
    assert.equal(result.error?.error_class, 'docker_unavailable');
    assert.equal(result.error?.message, `Docker daemon at ${socket} not answering (${code}) while inspecting image python:3`);
  }
  // A daemon that answers and refuses the image is no lack of this machine's: every worker would fail it.
  const refused = await runner.run(runRequest(dockerService(await fake(t, { pullable: () => false }))));
  assert.deepEqual([refused.error?.error_class, refused.lacksHere], ['image_pull', undefined]);
});

test('the probe fails only the services whose daemon does not answer, counted like the shell check, in the words their jobs fail with (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t);
  const on = (name: string, socket: string) => service({ name, execution_type: 'docker', runner_config: { image: 'python:3', socket_path: socket }, security_policy: { allowed_images: ['python:*'] } });
  const services = [on('etl', docker.socketPath), on('nodocker', '/nonexistent/nodocker.sock'), on('report', docker.socketPath)];
  const probe = await runner.probe(services);
  assert.equal(probe.ok, false, 'a service whose every job would fail fails the check, as in the shell check');
  assert.equal(probe.detail, `1 of 3 service(s) cannot start: nodocker: Docker daemon at /nonexistent/nodocker.sock not answering (ENOENT); Docker daemon answering at ${docker.socketPath}`);
  const job = await runner.run(runRequest(on('nodocker', '/nonexistent/nodocker.sock')));
  assert.match(job.error?.message ?? '', /^Docker daemon at \/nonexistent\/nodocker\.sock not answering \(ENOENT\) while /, 'the same words as its jobs');
  assert.deepEqual(await runner.probe(services.filter((s) => s.name !== 'nodocker')), { ok: true, detail: `Docker daemon answering at ${docker.socketPath}` });
});

test('services on the same daemon that does not answer are named together, its words once, each daemon apart', async () => {
  const on = (name: string, socket: string) => service({ name, execution_type: 'docker', runner_config: { image: 'python:3', socket_path: socket }, security_policy: { allowed_images: ['python:*'] } });
  const services = [on('etl', '/nonexistent/a.sock'), on('report', '/nonexistent/a.sock'), on('thumbs', '/nonexistent/b.sock'), on('resize', '/nonexistent/a.sock')];
  const probe = await runner.probe(services);
  assert.equal(probe.ok, false);
  assert.equal(
    probe.detail,
    '4 of 4 service(s) cannot start: etl, report, resize: Docker daemon at /nonexistent/a.sock not answering (ENOENT); thumbs: Docker daemon at /nonexistent/b.sock not answering (ENOENT)',
  );
  assert.deepEqual(probe.cannotStart?.['report'], ['Docker daemon at /nonexistent/a.sock not answering (ENOENT)'], "each service's own reason is still its own");
});

test('a daemon that never confirms the kill does not hold the job (fake Docker Engine API on a unix socket)', async (t) => {
  const docker = await fake(t, { images: ['python:3.11-slim'], wedged: true });
  const patient = new DockerRunner({ abortWaitMs: 200 });
  const controller = new AbortController();
  const running = patient.run(runRequest(dockerService(docker, { command: ['sleep', '60'] }), { signal: controller.signal }));
  while (![...docker.containers.values()].some((c) => c.state === 'running')) await new Promise((r) => setTimeout(r, 10));
  controller.abort('interrupt');
  const result = await running;
  assert.equal(result.aborted, 'interrupt');
  assert.ok(docker.calls.some((c) => c.path.endsWith('/kill')));
});
