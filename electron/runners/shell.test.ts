import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from './processTree.ts';
import { ShellRunner } from './shell.ts';
import { runRequest, service } from './testing/request.ts';

const runner = new ShellRunner({ killGraceMs: 300 });

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-shell-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function shellService(command: string[], policy: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return service({
    execution_type: 'shell',
    runner_config: { command, ...extra },
    security_policy: { allowed_commands: [command[0]], ...policy },
  });
}

test('runs an allowed program by argv with payload args and the payload on stdin', async () => {
  const svc = shellService(['/bin/sh', '-c', 'printf "%s|" "$@"; cat', 'sh'], {}, { payload_args: true });
  const result = await runner.run(runRequest(svc, { payload: { args: ['a b', '$(whoami)'], n: 1 } }));
  assert.equal(result.ok, true, JSON.stringify(result.error));
  assert.equal(result.output_tail, 'a b|$(whoami)|{"args":["a b","$(whoami)"],"n":1}');
  assert.equal(result.resource_usage.exit_code, 0);
  assert.equal(result.security_context.allowlist, 'allowed');
});

test("a command outside the allowlist fails, not retryable, in the runbook's words", async () => {
  const svc = service({
    execution_type: 'shell',
    runner_config: { command: ['/usr/bin/rm', '-rf', '/tmp/nothing-here'] },
    security_policy: { allowed_commands: ['/bin/echo'] },
  });
  const result = await runner.run(runRequest(svc));
  assert.equal(result.ok, false);
  assert.equal(result.error?.error_class, 'allowlist');
  assert.equal(result.error?.retryable, false);
  assert.equal(result.error?.message, "Command '/usr/bin/rm' is not allowed");
  assert.equal(result.security_context.allowlist, 'denied');
});

test('symlinks are resolved: a link named like an allowed command to another binary is refused', async (t) => {
  const dir = await tempDir(t);
  const disguised = path.join(dir, 'echo');
  await symlink('/bin/sh', disguised);
  const svc = service({
    execution_type: 'shell',
    runner_config: { command: [disguised, '-c', 'echo pwned'] },
    security_policy: { allowed_commands: ['/bin/echo', path.join(dir, 'other')] },
  });
  const refused = await runner.run(runRequest(svc));
  assert.equal(refused.error?.error_class, 'allowlist');
  assert.match(refused.error?.message ?? '', /is not allowed \(resolves to '.*sh'\)/);

  const honest = path.join(dir, 'my-echo');
  await symlink('/bin/echo', honest);
  const allowedViaLink = await runner.run(
    runRequest(service({ execution_type: 'shell', runner_config: { command: [honest, 'hi'] }, security_policy: { allowed_commands: ['/bin/echo'] } })),
  );
  assert.equal(allowedViaLink.ok, true, JSON.stringify(allowedViaLink.error));
  assert.equal(allowedViaLink.output_tail, 'hi\n');
});

test('a relative command is refused', async () => {
  const svc = service({ execution_type: 'shell', runner_config: { command: ['echo', 'x'] }, security_policy: { allowed_commands: ['echo'] } });
  const result = await runner.run(runRequest(svc));
  assert.equal(result.error?.error_class, 'allowlist');
});

test('a working directory outside allowed_roots is refused, also through a symlink', async (t) => {
  const dir = await tempDir(t);
  const root = path.join(dir, 'root');
  await mkdir(root);
  await symlink(os.tmpdir(), path.join(root, 'escape'));
  for (const wd of [os.tmpdir(), path.join(root, 'escape')]) {
    const svc = shellService(['/bin/pwd'], { allowed_roots: [root] }, { working_directory: wd });
    const result = await runner.run(runRequest(svc));
    assert.equal(result.error?.error_class, 'allowlist', wd);
    assert.match(result.error?.message ?? '', /outside allowed_roots/);
  }
  const inside = path.join(root, 'sub');
  await mkdir(inside);
  const ok = await runner.run(runRequest(shellService(['/bin/pwd'], { allowed_roots: [root] }, { working_directory: inside })));
  assert.equal(ok.ok, true);
  assert.match(ok.output_tail, /root\/sub\n$/);
});

test('the environment is scrubbed: only listed variables reach the child', async () => {
  const svc = shellService(['/usr/bin/env'], {}, { env: ['REPORT_BUCKET'] });
  const result = await runner.run(
    runRequest(svc, { env: { REPORT_BUCKET: 'bucket-1', API_TOKEN: 'very-secret-token', PATH: '/opt/evil:/usr/bin', HOME: '/home/x' } }),
  );
  assert.equal(result.ok, true);
  assert.match(result.output_tail, /^REPORT_BUCKET=bucket-1$/m);
  assert.match(result.output_tail, /^PATH=\/usr\/bin:\/bin$/m);
  assert.ok(!result.output_tail.includes('very-secret-token'));
  assert.ok(!result.output_tail.includes('API_TOKEN'));
  assert.deepEqual(result.security_context.env_passed, ['REPORT_BUCKET']);
});

test('a listed variable missing on the worker fails the job as configuration, naming it, and the program never runs', async (t) => {
  const dir = await tempDir(t);
  const marker = path.join(dir, 'ran');
  const svc = shellService(['/bin/sh', '-c', `echo token=$REPORT_TOKEN; touch ${marker}`], {}, { env: ['REPORT_BUCKET', 'REPORT_TOKEN'] });
  const result = await runner.run(runRequest(svc, { env: { REPORT_BUCKET: 'b1' } }));
  assert.equal(result.ok, false);
  assert.equal(result.error?.error_class, 'config');
  assert.equal(result.error?.retryable, false);
  assert.equal(result.error?.message, 'environment variable REPORT_TOKEN is not set on this worker: set it where the workers run, then restart them');
  assert.deepEqual(result.security_context.env_missing, ['REPORT_TOKEN']);
  assert.equal(existsSync(marker), false, 'the program did not run');

  const both = await runner.run(runRequest(svc, { env: {} }));
  assert.equal(both.error?.message, 'environment variables REPORT_BUCKET, REPORT_TOKEN are not set on this worker: set them where the workers run, then restart them');
  const empty = await runner.run(runRequest(svc, { env: { REPORT_BUCKET: 'b1', REPORT_TOKEN: '' } }));
  assert.equal(empty.ok, true, 'set, if empty, is what the operator chose');
});

test('the output cap keeps the tail and counts every byte', async () => {
  const svc = shellService(['/bin/sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done'], {}, { output_limit_bytes: 100 });
  const result = await runner.run(runRequest(svc));
  assert.equal(result.ok, true);
  assert.ok(result.output_tail.length <= 100);
  assert.match(result.output_tail, /line 1999\n$/);
  assert.ok(!result.output_tail.includes('line 0\n'));
  assert.ok(Number(result.resource_usage.bytes_out) > 10_000);
  assert.equal(result.resource_usage.output_truncated, true);
});

test('a non-zero exit is a retryable exit_code error quoting the last stderr line', async () => {
  const svc = shellService(['/bin/sh', '-c', 'echo starting; echo "disk full" >&2; exit 3']);
  const result = await runner.run(runRequest(svc));
  assert.equal(result.ok, false);
  assert.equal(result.error?.error_class, 'exit_code');
  assert.equal(result.error?.retryable, true);
  assert.equal(result.error?.message, 'exited with code 3: disk full');
  assert.equal(result.resource_usage.exit_code, 3);
});

function pidsOf(text: string): number[] {
  return [...text.matchAll(/pid:(\d+)/g)].map((m) => Number(m[1]));
}

async function treeService(dir: string) {
  // A tree: the shell, a background sleep ignoring SIGTERM, and a foreground sleep.
  const script = path.join(dir, 'tree.sh');
  await writeFile(script, '#!/bin/sh\n(trap "" TERM; exec sleep 60) &\necho "pid:$$"\necho "pid:$!"\nsleep 60 &\necho "pid:$!"\nwait\n');
  await chmod(script, 0o755);
  return shellService([script]);
}

test('a timeout kills the whole process tree, grandchildren that ignore SIGTERM included', async (t) => {
  const dir = await tempDir(t);
  const svc = await treeService(dir);
  const controller = new AbortController();
  const running = runner.run(runRequest(svc, { signal: controller.signal, timeoutSeconds: 60 }));
  await new Promise((r) => setTimeout(r, 300));
  controller.abort('timeout');
  const result = await running;
  assert.equal(result.aborted, 'timeout');
  assert.equal(result.error?.error_class, 'timeout');
  const pids = pidsOf(result.output_tail);
  assert.equal(pids.length, 3, result.output_tail);
  for (const pid of pids) assert.equal(await processAlive(pid), false, `pid ${pid} survived`);
});

test("the attempt's own deadline stops a run even when the caller sets no timer", async (t) => {
  const dir = await tempDir(t);
  const svc = await treeService(dir);
  const result = await runner.run(runRequest(svc, { timeoutSeconds: 0.4 }));
  assert.equal(result.aborted, 'timeout');
  for (const pid of pidsOf(result.output_tail)) assert.equal(await processAlive(pid), false);
});

test('an interrupt aborts with reason interrupt and leaves nothing running', async (t) => {
  const dir = await tempDir(t);
  const svc = await treeService(dir);
  const controller = new AbortController();
  const running = runner.run(runRequest(svc, { signal: controller.signal }));
  await new Promise((r) => setTimeout(r, 300));
  controller.abort('interrupt');
  const result = await running;
  assert.equal(result.ok, false);
  assert.equal(result.aborted, 'interrupt');
  for (const pid of pidsOf(result.output_tail)) assert.equal(await processAlive(pid), false);
});

test('an interrupted program is reaped by GNU time, which reports its usage, so no zombie is left to init', async () => {
  const svc = shellService(['/bin/sh', '-c', 'echo "pid:$$"; exec /bin/sleep 60']);
  const controller = new AbortController();
  const running = runner.run(runRequest(svc, { signal: controller.signal }));
  await new Promise((r) => setTimeout(r, 300));
  controller.abort('interrupt');
  const result = await running;
  assert.equal(result.aborted, 'interrupt');
  assert.equal(result.resource_usage.signal, 'SIGTERM');
  assert.equal(typeof result.resource_usage.peak_memory_kb, 'number', 'GNU time (Debian package time) must be installed');
  const [pid] = pidsOf(result.output_tail);
  assert.ok(pid, result.output_tail);
  assert.equal(existsSync(`/proc/${pid}`), false, `pid ${pid} is still in the process table`);
});

test('background processes left behind by a finished job are killed', async () => {
  const svc = shellService(['/bin/sh', '-c', 'sleep 60 & echo "pid:$!"']);
  const result = await runner.run(runRequest(svc));
  assert.equal(result.ok, true);
  const [pid] = pidsOf(result.output_tail);
  assert.ok(pid);
  assert.equal(await processAlive(pid), false);
});

test('CPU limits are applied through prlimit', async () => {
  const svc = shellService(['/bin/sh', '-c', 'while :; do :; done'], { resource_limits: { cpu_seconds: 1 } });
  const result = await runner.run(runRequest(svc));
  assert.equal(result.ok, false);
  assert.equal(result.security_context.limits_applied, true);
  assert.equal(result.error?.error_class, 'resource_limit');
  assert.equal(result.error?.retryable, false);
  // The runbook finds resource kills with error_message LIKE '%resource%'.
  assert.match(result.error?.message ?? '', /^resource limit exceeded: CPU limit of 1s/);
  // The evidence beside it is the figure the message gives, with why it may be short of the limit.
  const cpuMs = result.resource_usage.cpu_ms;
  assert.ok(cpuMs !== undefined, 'GNU time measured it');
  const seconds = (cpuMs / 1000).toFixed(2).replace('.', '\\.');
  assert.match(result.error?.message ?? '', new RegExp(`\\(killed by SIGXCPU after ${seconds}s of CPU time measured; the kernel counts the limit in clock ticks of user\\+system time, which can run ahead of the time measured\\)$`));
});

test('a program that ignores SIGXCPU is killed at the hard CPU limit, and that is the limit too, not a retryable signal', async () => {
  const svc = shellService(['/bin/sh', '-c', 'trap "" XCPU; while :; do :; done'], { resource_limits: { cpu_seconds: 1 } });
  const result = await runner.run(runRequest(svc));
  assert.equal(result.resource_usage.signal, 'SIGKILL', result.error?.message);
  assert.equal(result.error?.error_class, 'resource_limit', result.error?.message);
  assert.equal(result.error?.retryable, false);
  assert.match(result.error?.message ?? '', /^resource limit exceeded: CPU limit of 1s \(killed by SIGKILL at the hard limit of 2s after [12]\.\d\ds of CPU time measured; the kernel counts .*\)$/);
});

test('a program refused memory past its memory limit fails as a resource limit, in the runbook words', async () => {
  const svc = shellService(['/usr/bin/perl', '-e', 'my @a; push @a, "a" x 1000000 for 1..1000;'], { resource_limits: { memory_mb: 128 } });
  const result = await runner.run(runRequest(svc));
  assert.equal(result.ok, false);
  assert.equal(result.error?.error_class, 'resource_limit', result.error?.message);
  assert.equal(result.error?.retryable, false);
  assert.match(result.error?.message ?? '', /^resource limit exceeded: ran out of its memory limit of 128 MB \(Out of memory!\)$/);
  const unlimited = await runner.run(runRequest(shellService(['/bin/sh', '-c', 'echo "out of memory, says the log we print" >&2; exit 3'])));
  assert.equal(unlimited.error?.error_class, 'exit_code', 'without a memory limit the words alone prove nothing');
  const serverSaid = await runner.run(runRequest(shellService(['/bin/sh', '-c', 'echo "psql: ERROR: out of memory" >&2; exit 3'], { resource_limits: { memory_mb: 128 } })));
  assert.equal(serverSaid.error?.error_class, 'exit_code', "a server's out of memory is not this process refused memory");
});

/** Node itself, by the name the runtime check knows it by: the node running these tests. */
const node = process.execPath;

test('node under a memory limit too low to reserve what it needs fails as a resource limit, not retried, whichever way it dies', async () => {
  // 256 MB: V8 cannot reserve its code range or cage and stops with SIGTRAP after lines of '#'; 64 MB: it
  // dies before printing anything (SIGSEGV). Both were 'signal' failures, retried and counted by the breaker.
  for (const memory_mb of [256, 64]) {
    const result = await runner.run(runRequest(shellService([node, '-e', "console.log('hi')"], { resource_limits: { memory_mb } })));
    assert.equal(result.ok, false);
    assert.equal(result.error?.error_class, 'resource_limit', result.error?.message);
    assert.equal(result.error?.retryable, false);
    assert.match(result.error?.message ?? '', new RegExp(`^resource limit exceeded: ran out of its memory limit of ${memory_mb} MB \\(.*[a-z]`));
    assert.equal(typeof result.resource_usage.signal, 'string', `${memory_mb} MB: killed by a signal (${result.error?.message})`);
  }
});

test('node hanging as it starts under a memory limit far below what it needs fails at its timeout as a resource limit', async () => {
  // Node 24 under 128 MB deadlocks on its own threads before running a line: no output, no CPU.
  const result = await runner.run(runRequest(shellService([node, '-e', "console.log('hi')"], { resource_limits: { memory_mb: 128 } }), { timeoutSeconds: 2 }));
  assert.equal(result.error?.error_class, 'resource_limit', result.error?.message);
  assert.equal(result.error?.retryable, false);
  assert.match(result.error?.message ?? '', /^resource limit exceeded: ran out of its memory limit of 128 MB \(hung as it started, no output and \d+ ms of CPU before its timeout: node needs about/);
  const slow = await runner.run(runRequest(shellService([node, '-e', 'setTimeout(() => {}, 60000)'], { resource_limits: { memory_mb: 4096 } }), { timeoutSeconds: 2 }));
  assert.equal(slow.error?.error_class, 'timeout', 'a program that started and then outlived its timeout timed out');
});

test('under a memory limit it fits in, node runs, and its own failures keep their classes', async () => {
  const fits = { resource_limits: { memory_mb: 4096 } };
  const ran = await runner.run(runRequest(shellService([node, '-e', "console.log('hi')"], fits)));
  assert.equal(ran.ok, true, ran.error?.message);
  assert.equal(ran.output_tail, 'hi\n');
  const exited = await runner.run(runRequest(shellService([node, '-e', "console.error('#'); console.error('bad input'); console.error('#'); process.exit(3)"], fits)));
  assert.deepEqual([exited.error?.error_class, exited.error?.message], ['exit_code', 'exited with code 3: bad input'], "a line of '#' is not the summary");
  const crashed = await runner.run(runRequest(shellService([node, '-e', "process.kill(process.pid, 'SIGSEGV')"], fits)));
  assert.equal(crashed.error?.error_class, 'signal', 'a crash above what node needs to start is its own');
});

test('the same heap exhaustion is a resource limit under a memory limit and an exit code or signal without one', async () => {
  // A heap cap node enforces itself: it reports "JavaScript heap out of memory" and aborts.
  const grow = [node, '--max-old-space-size=16', '-e', 'const a = []; for (;;) a.push(new Array(1e5).fill(1))'];
  const limited = await runner.run(runRequest(shellService(grow, { resource_limits: { memory_mb: 4096 } })));
  assert.equal(limited.error?.error_class, 'resource_limit', limited.error?.message);
  assert.match(limited.error?.message ?? '', /^resource limit exceeded: ran out of its memory limit of 4096 MB \(.*JavaScript heap out of memory\)$/);
  const unlimited = await runner.run(runRequest(shellService(grow)));
  assert.notEqual(unlimited.error?.error_class, 'resource_limit', 'without a memory limit nothing changes');
});

test('without prlimit the run says limits were not applied', async () => {
  const bare = new ShellRunner({ prlimitPath: null, timePath: null });
  const svc = shellService(['/bin/echo', 'ok'], { resource_limits: { memory_mb: 64 } });
  const result = await bare.run(runRequest(svc));
  assert.equal(result.ok, true);
  assert.equal(result.security_context.limits_applied, false);
  assert.match(String(result.security_context.limits_note), /not applied/);
});

test('a job cannot append arguments to a program whose service does not take payload.args', async (t) => {
  const dir = await tempDir(t);
  const marker = path.join(dir, 'ran');
  const svc = shellService(['/usr/bin/find', dir, '-name', '*.log']);
  // find -exec would run any program: the allowlist names find, the arguments would choose the rest.
  const result = await runner.run(runRequest(svc, { payload: { args: ['-exec', '/bin/sh', '-c', `: > ${marker}`, '{}', ';'] } }));
  assert.equal(result.ok, false);
  assert.equal(result.error?.error_class, 'payload');
  assert.equal(result.error?.retryable, false);
  assert.match(result.error?.message ?? '', /takes no payload\.args.*payload_args: true/);
  assert.equal(existsSync(marker), false, 'nothing ran');
  const none = await runner.run(runRequest(svc, { payload: { args: [] } }));
  assert.equal(none.ok, true, 'an empty list appends nothing, so it is no reason to refuse');
  assert.equal(none.security_context.payload_args, undefined);
});

test('a service that takes payload.args records the arguments a job appended', async () => {
  const result = await runner.run(runRequest(shellService(['/bin/echo'], {}, { payload_args: true }), { payload: { args: ['a', 'b'] } }));
  assert.equal(result.output_tail, 'a b\n');
  assert.deepEqual(result.security_context.payload_args, ['a', 'b']);
});

test('payload.args must be strings', async () => {
  const result = await runner.run(runRequest(shellService(['/bin/echo'], {}, { payload_args: true }), { payload: { args: [1, 2] } }));
  assert.equal(result.error?.error_class, 'payload');
  assert.equal(result.error?.retryable, false);
});

test('runner_config.user runs the job as that account (root workers) or refuses clearly', async () => {
  const svc = shellService(['/usr/bin/id', '-u'], {}, { user: 'nobody' });
  const result = await runner.run(runRequest(svc));
  if (process.getuid?.() === 0) {
    assert.equal(result.ok, true, JSON.stringify(result.error));
    assert.equal(result.output_tail.trim(), '65534');
    assert.equal(result.security_context.user, 'nobody');
  } else {
    assert.equal(result.error?.error_class, 'config');
    assert.match(result.error?.message ?? '', /switching users needs root/);
  }
  const unknown = await runner.run(runRequest(shellService(['/usr/bin/id'], {}, { user: 'no-such-user-here' })));
  assert.equal(unknown.error?.message, "user 'no-such-user-here' does not exist on this worker");
});

/** A worker's process running one shell job that writes its pid to `pidFile`, then sleeps. */
async function workerRunning(pidFile: string, then: 'wait' | 'exit'): Promise<{ worker: ChildProcess; program: number }> {
  const script = `
    import { ShellRunner } from './electron/runners/shell.ts';
    import { runRequest, service } from './electron/runners/testing/request.ts';
    const svc = service({ execution_type: 'shell', runner_config: { command: ['/bin/sh', '-c', 'echo $$ > ${pidFile}; exec sleep 30'] }, security_policy: { allowed_commands: ['/bin/sh'] } });
    void new ShellRunner().run(runRequest(svc));
    process.stdin.once('data', () => ${then === 'exit' ? 'process.exit(130)' : 'undefined'});
  `;
  const worker = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: path.resolve(import.meta.dirname, '..', '..'), stdio: ['pipe', 'ignore', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    if (text.trim() !== '') return { worker, program: Number(text.trim()) };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  worker.kill('SIGKILL');
  throw new Error('the job never started');
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 25) {
    if (!(await processAlive(pid))) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

test("a job's program dies with its worker, whether the worker leaves at once or is killed outright", async (t) => {
  const dir = await tempDir(t);
  const leaving = await workerRunning(path.join(dir, 'leaving.pid'), 'exit');
  leaving.worker.stdin?.end('go');
  assert.ok(await goneWithin(leaving.program, 3000), 'a worker that exits takes its running programs with it');

  const killed = await workerRunning(path.join(dir, 'killed.pid'), 'wait');
  killed.worker.kill('SIGKILL');
  const gone = await goneWithin(killed.program, 3000);
  if (!gone) process.kill(killed.program, 'SIGKILL');
  assert.ok(gone, 'a worker killed outright takes them too (parent-death signal)');
});

test('a program that cannot be run fails at once as configuration, not as a retryable exit code', async (t) => {
  const dir = await tempDir(t);
  const script = path.join(dir, 'not-executable.sh');
  await writeFile(script, '#!/bin/sh\necho hi\n');
  await chmod(script, 0o644);
  const result = await runner.run(runRequest(shellService([script])));
  assert.equal(result.ok, false);
  assert.equal(result.error?.error_class, 'config');
  assert.equal(result.error?.retryable, false);
  // With the fix validate-config gives for it.
  assert.equal(result.error?.message, `cannot start '${script}': permission denied: ${script} is not executable (mode 644; chmod +x it)`);
});

test('the health probe names every shell service that cannot start, and why: missing, not executable, a folder', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-probe-'));
  try {
    const script = path.join(dir, 'job.sh');
    await writeFile(script, '#!/bin/sh\necho ok\n');
    await chmod(script, 0o644);
    const shellService = (name: string, program: string) => service({ name, execution_type: 'shell', runner_config: { command: [program] } });
    const fine = await runner.probe([shellService('fine', '/bin/sh')]);
    assert.equal(fine.ok, true, fine.detail);
    const probe = await runner.probe([shellService('fine', '/bin/sh'), shellService('missing', '/usr/bin/python-nonexistent'), shellService('plain', script), shellService('folder', dir)]);
    assert.equal(probe.ok, false);
    assert.equal(
      probe.detail,
      `3 of 4 service(s) cannot start: missing: command not found: /usr/bin/python-nonexistent does not exist here; plain: permission denied: ${script} is not executable (mode 644; chmod +x it); folder: ${dir} is a folder, not a program`,
    );
    await chmod(script, 0o755);
    assert.equal((await runner.probe([shellService('plain', script)])).ok, true, 'executable now');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the health probe names a shell service whose working directory is missing, in its jobs' words, and counts the services", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'plain.txt');
  await writeFile(file, 'not a folder');
  const withDir = (name: string, wd: string | undefined, roots?: string[]) =>
    service({ name, execution_type: 'shell', runner_config: { command: ['/bin/sh'], ...(wd ? { working_directory: wd } : {}) }, security_policy: { allowed_commands: ['/bin/sh'], ...(roots ? { allowed_roots: roots } : {}) } });
  const services = [withDir('fine', dir), withDir('scripts', '/app/scripts-nonexistent'), withDir('file', file), withDir('rooted', undefined, ['/srv/jobs-nonexistent']), withDir('tmp', undefined)];
  const probe = await runner.probe(services);
  assert.equal(probe.ok, false);
  assert.equal(
    probe.detail,
    `3 of 5 service(s) cannot start: scripts: Working directory '/app/scripts-nonexistent' does not exist; file: Working directory '${file}' is not a directory; rooted: Working directory '/srv/jobs-nonexistent' does not exist`,
  );
  const job = await runner.run(runRequest(withDir('scripts', '/app/scripts-nonexistent')));
  assert.equal(job.error?.message, "Working directory '/app/scripts-nonexistent' does not exist", 'the same words as the job');

  const both = await runner.probe([service({ name: 'both', execution_type: 'shell', runner_config: { command: ['/usr/bin/python-nonexistent'], working_directory: '/app/scripts-nonexistent' } })]);
  assert.equal(both.detail, "1 of 1 service(s) cannot start: both: command not found: /usr/bin/python-nonexistent does not exist here; both: Working directory '/app/scripts-nonexistent' does not exist");
});
