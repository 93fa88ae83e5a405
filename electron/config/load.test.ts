import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { effectiveRetry, effectiveTimeout, type RegistryProblem } from '../../shared/registry.ts';
import { formatProblem, loadRegistryFile, parseRegistry } from './load.ts';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => loadRegistryFile(path.join(fixtures, name), {});

function find(problems: RegistryProblem[], pathText: string): RegistryProblem {
  const found = problems.find((p) => p.path === pathText);
  assert.ok(found, `no problem at ${pathText}; got ${JSON.stringify(problems)}`);
  return found;
}

test('execution_type "Shell" is refused with a hint and its line (runbook example)', async () => {
  const { registry, problems } = await fixture('execution_type_shell_capitalized.yaml');
  assert.equal(registry, null);
  const p = find(problems, 'services[0].execution_type');
  assert.equal(p.line, 4);
  assert.equal(p.col, 21);
  assert.match(p.message, /unknown execution type "Shell": did you mean "shell"\?/);
});

test('execution_type "HTTP" is refused with a hint and its line (runbook example)', async () => {
  const { registry, problems } = await fixture('execution_type_http_uppercase.yaml');
  assert.equal(registry, null);
  const p = find(problems, 'services[0].execution_type');
  assert.equal(p.line, 4);
  assert.match(p.message, /did you mean "http"\?/);
});

test('wrong indentation reports the YAML error and the stray key, each with its line', async () => {
  const { registry, problems } = await fixture('wrong_indentation.yaml');
  assert.equal(registry, null);
  const syntax = find(problems, '(syntax)');
  assert.equal(syntax.line, 4);
  assert.match(syntax.message, /same column/);
  const stray = find(problems, 'execution_type');
  assert.equal(stray.line, 4);
  assert.match(stray.message, /unknown key 'execution_type'.*indented/);
});

test('wrong indentation lists the YAML error first: it is the cause, what the schema then misses follows it', async () => {
  const { problems } = await fixture('wrong_indentation.yaml');
  assert.deepEqual(
    problems.map((p) => p.path),
    ['(syntax)', 'services[0].execution_type', 'execution_type'],
    'the syntax error, then the rest in file order (the missing execution_type at line 3 before the stray key at line 4)',
  );
});

test("missing base_url uses the runbook's message and points at runner_config", async () => {
  const { registry, problems } = await fixture('http_missing_base_url.yaml');
  assert.equal(registry, null);
  const p = find(problems, 'services[0].runner_config.base_url');
  assert.equal(p.message, "HTTP runner requires 'base_url' in config");
  assert.equal(p.line, 6);
});

test('every problem of a file is listed at once, in file order, with lines', async () => {
  const { registry, problems } = await fixture('many_problems.yaml');
  assert.equal(registry, null);
  const lines = (p: string) => find(problems, p).line;
  assert.equal(lines('services[0].timeout'), 5);
  assert.equal(lines('services[0].runner_config.working_directory'), 8);
  assert.equal(lines('services[0].security_policy.allowed_commands[0]'), 10);
  assert.equal(lines('services[0].security_policy.allowed_roots[0]'), 11);
  assert.equal(lines('services[1].runner_config.auth_config.token_env_var'), 18);
  assert.equal(lines('services[1].retries'), 19);
  assert.equal(lines('services[2].name'), 20);
  assert.match(find(problems, 'services[2].name').message, /duplicate service name 'report'/);
  assert.match(find(problems, 'services[1].runner_config.auth_config.token_env_var').message, /environment variable API_TOKEN is not set/);
  const order = problems.map((p) => p.line ?? 0);
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
});

test('a YAML syntax error is reported with its line', async () => {
  const { registry, problems } = await fixture('yaml_syntax_error.yaml');
  assert.equal(registry, null);
  assert.ok(problems.some((p) => p.path === '(syntax)' && p.line === 5), JSON.stringify(problems));
});

test('a command outside allowed_commands is a warning: the registry loads and its jobs fail at run time', () => {
  const text = [
    'services:',
    '  - name: cleanup',
    '    execution_type: shell',
    '    runner_config: { command: ["/usr/bin/rm", "-rf", "/tmp/x"] }',
    '    security_policy: { allowed_commands: ["/bin/echo"] }',
  ].join('\n');
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.ok(registry);
  assert.equal(registry.services[0]?.name, 'cleanup');
  const p = find(problems, 'services[0].runner_config.command[0]');
  assert.equal(p.severity, 'warning');
  assert.equal(p.line, 4);
  assert.match(p.message, /Command '\/usr\/bin\/rm' is not allowed/);
});

test("a shell service's working directory missing on this machine is a warning, in its jobs' words", () => {
  const text = [
    'services:',
    '  - name: nightly_report',
    '    execution_type: shell',
    '    runner_config:',
    '      command: ["/bin/sh", "-c", "true"]',
    '      working_directory: /app/scripts-nonexistent',
    '    security_policy: { allowed_commands: ["/bin/sh"] }',
    '  - name: here',
    '    execution_type: shell',
    '    runner_config: { command: ["/bin/sh"], working_directory: /tmp }',
    '    security_policy: { allowed_commands: ["/bin/sh"] }',
    '  - name: rooted',
    '    execution_type: shell',
    '    runner_config: { command: ["/bin/sh"] }',
    '    security_policy: { allowed_commands: ["/bin/sh"], allowed_roots: [/srv/jobs-nonexistent] }',
  ].join('\n');
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.ok(registry, 'it loads: the workers may have the folder');
  assert.deepEqual(
    problems.map((p) => [p.path, p.line, p.severity, p.message]),
    [
      ['services[0].runner_config.working_directory', 6, 'warning', "Working directory '/app/scripts-nonexistent' does not exist (on this machine; the workers' may differ)"],
      ['services[2].security_policy.allowed_roots[0]', 15, 'warning', "Working directory '/srv/jobs-nonexistent' does not exist: without a working_directory, jobs start in the first allowed root (on this machine; the workers' may differ)"],
    ],
  );
});

test('a first backoff longer than max_backoff is a warning with its line: every retry would wait the longest', () => {
  const text = [
    'services:',
    '  - name: sync',
    '    execution_type: noop',
    '    retry_config:',
    '      max_backoff: 5',
    '      initial_backoff: 100',
    '  - name: fine',
    '    execution_type: noop',
    '    retry_config: { initial_backoff: 2, max_backoff: 60 }',
  ].join('\n');
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.equal(registry?.services.length, 2, 'it loads');
  const p = find(problems, 'services[0].retry_config.initial_backoff');
  assert.deepEqual([p.severity, p.line, p.message], ['warning', 6, 'initial_backoff 100s is longer than max_backoff 5s: every retry waits up to 5s, and backoff_factor has no effect']);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  const defaulted = parseRegistry(['services:', '  - name: quick', '    execution_type: noop', '    runner_config:', '      retry_config: { max_backoff: 0.5 }'].join('\n'), 'r.yaml', {});
  assert.deepEqual(
    defaulted.problems.map((q) => [q.path, q.line]),
    [['services[0].runner_config.retry_config.max_backoff', 5]],
    'an initial_backoff left to its default is no key to point at: the max_backoff written is',
  );
});

test('a missing secret variable is named, never valued, and does not block loading', () => {
  const text = [
    'services:',
    '  - name: api',
    '    execution_type: http',
    '    runner_config:',
    '      base_url: http://127.0.0.1:9',
    '      auth_type: bearer',
    '      auth_config: { token_env_var: API_TOKEN }',
  ].join('\n');
  const missing = parseRegistry(text, 'r.yaml', {});
  assert.ok(missing.registry);
  const p = find(missing.problems, 'services[0].runner_config.auth_config.token_env_var');
  assert.equal(p.message, 'environment variable API_TOKEN is not set where this check ran; each worker reads its own environment', "whose environment it is: the console's is not the workers'");
  assert.equal(p.severity, 'warning');
  assert.equal(p.line, 7);
  const present = parseRegistry(text, 'r.yaml', { API_TOKEN: 's3cret-value' });
  assert.deepEqual(present.problems, []);
});

test("a shell service's passed-through variable not set here is a warning saying where it was looked for and who needs it", () => {
  const text = [
    'services:',
    '  - name: nightly_report',
    '    execution_type: shell',
    '    runner_config:',
    '      command: ["/bin/sh", "-c", "echo token=$REPORT_TOKEN"]',
    '      env: [REPORT_BUCKET, REPORT_TOKEN]',
    '    security_policy: { allowed_commands: ["/bin/sh"] }',
  ].join('\n');
  const { registry, problems } = parseRegistry(text, 'r.yaml', { REPORT_BUCKET: 'b1' });
  assert.ok(registry, 'it loads');
  assert.deepEqual(
    problems.map((p) => [p.path, p.line, p.severity, p.message]),
    [['services[0].runner_config.env[1]', 6, 'warning', 'environment variable REPORT_TOKEN is not set where this check ran; each worker reads its own environment']],
  );
});

test('bearer auth without a token variable is an error', () => {
  const text = 'services:\n  - name: api\n    execution_type: http\n    runner_config: { base_url: "http://x", auth_type: bearer }\n';
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.equal(registry, null);
  assert.match(find(problems, 'services[0].runner_config.auth_config').message, /token_env_var/);
});

test('wrong types and unknown keys deep inside runner_config are located', () => {
  const text = 'services:\n  - name: n\n    execution_type: noop\n    runner_config:\n      sleep_ms: soon\n      sleepms: 3\n';
  const { problems } = parseRegistry(text, 'r.yaml', {});
  assert.equal(find(problems, 'services[0].runner_config.sleep_ms').line, 5);
  const unknown = find(problems, 'services[0].runner_config.sleepms');
  assert.equal(unknown.line, 6);
  assert.equal(unknown.col, 7);
});

test('a priority the stores cannot keep is refused at its line, not left to sit unclaimed', () => {
  const text = 'services:\n  - name: urgent\n    execution_type: noop\n    priority: 3000000000\n';
  const problem = find(parseRegistry(text, 'r.yaml', {}).problems, 'services[0].priority');
  assert.equal(problem.line, 4);
  assert.match(problem.message, /2147483647/);
});

test('an empty file and a file without services say what is expected', () => {
  assert.match(parseRegistry('', 'r.yaml', {}).problems[0]?.message ?? '', /services/);
  const { problems } = parseRegistry('servces: []\n', 'r.yaml', {});
  assert.ok(problems.some((p) => /unknown key 'servces'/.test(p.message)));
  assert.ok(problems.some((p) => p.path === 'services'));
});

test('serverless providers require what they call', () => {
  const text = 'services:\n  - name: f\n    execution_type: serverless\n    runner_config: { provider: aws_lambda }\n';
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.equal(registry, null);
  assert.match(find(problems, 'services[0].runner_config').message, /function_name/);
});

test('a missing file is one clear problem', async () => {
  const { registry, problems } = await loadRegistryFile(path.join(fixtures, 'nope.yaml'), {});
  assert.equal(registry, null);
  assert.match(problems[0]?.message ?? '', /file not found/);
});

test('formatProblem gives file:line:col path: message', () => {
  const p: RegistryProblem = { line: 3, col: 5, path: 'services[0].name', message: 'bad' };
  assert.equal(formatProblem('reg.yaml', p), 'reg.yaml:3:5 services[0].name: bad');
  assert.equal(formatProblem('reg.yaml', { ...p, severity: 'warning' }), 'reg.yaml:3:5 services[0].name: warning: bad');
  assert.equal(formatProblem('reg.yaml', { ...p, line: null, col: null }), 'reg.yaml services[0].name: bad');
});

test('misspelled keys get a hint from the keys allowed at that place', () => {
  const text = [
    'services:',
    '  - name: api',
    '    execution_type: http',
    '    runner_cofig: {}',
    '  - name: api2',
    '    execution_type: http',
    '    runner_config: { base_url: "http://x", methd: GET }',
    '    security_policy: { allowed_command: [] }',
  ].join('\n');
  const { problems } = parseRegistry(text, 'r.yaml', {});
  assert.match(find(problems, 'services[0].runner_cofig').message, /did you mean 'runner_config'\?/);
  assert.match(find(problems, 'services[1].runner_config.methd').message, /did you mean 'method'\?/);
  assert.match(find(problems, 'services[1].security_policy.allowed_command').message, /did you mean 'allowed_commands'\?/);
});

test("the runbooks' own words for a setting say what opsdeck calls it", () => {
  const text = [
    'services:',
    '  - name: api',
    '    execution_type: noop',
    '    retry_config: { max_attempts: 5 }',
    '    circuit_breaker: { reset_timeout: 60 }',
  ].join('\n');
  const { problems } = parseRegistry(text, 'r.yaml', {});
  assert.equal(find(problems, 'services[0].retry_config.max_attempts').message, "unknown key 'max_attempts': opsdeck counts the retries after the first attempt: write max_retries (max_attempts 5 is max_retries 4)");
  assert.match(find(problems, 'services[0].circuit_breaker.reset_timeout').message, /opsdeck calls it recovery_timeout/);
});

test('a secret written into a header is flagged', () => {
  const text = 'services:\n  - name: api\n    execution_type: http\n    runner_config:\n      base_url: "http://x"\n      headers: { Authorization: "Bearer abc" }\n';
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.ok(registry);
  const p = find(problems, 'services[0].runner_config.headers.Authorization');
  assert.equal(p.severity, 'warning');
  assert.equal(p.line, 6);
  assert.ok(!p.message.includes('abc'));
});

test('an unknown execution_type does not hide the rest of the service: it is checked as the likely type', () => {
  const text = [
    'services:',
    '  - name: report',
    '    execution_type: Shell',
    '    runner_config:',
    '      command: ["bin/report.sh"]',
    '    security_policy:',
    '      allowed_commands: ["bin/report.sh"]',
    '    retry_config:',
    '      max_retries: -3',
    '    timeout: fast',
    '  - name: other',
    '    execution_type: bash',
    '    runner_config: { anything: 1 }',
    '    concurrency: many',
    '',
  ].join('\n');
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.equal(registry, null);
  assert.match(find(problems, 'services[0].execution_type').message, /did you mean "shell"\? \(the rest of this service is checked as shell\)/);
  assert.equal(find(problems, 'services[0].retry_config.max_retries').line, 9);
  assert.equal(find(problems, 'services[0].timeout').line, 10);
  assert.match(find(problems, 'services[0].security_policy.allowed_commands[0]').message, /absolute path: 'bin\/report.sh'/);
  assert.match(find(problems, 'services[1].execution_type').message, /checked without its runner_config/);
  assert.equal(find(problems, 'services[1].concurrency').line, 14);
  assert.equal(problems.filter((p) => p.path.startsWith('services[1].runner_config')).length, 0, 'no guess at an unknown runner');
});

test('a key put in the wrong section is sent to the one that holds it', () => {
  const text = ['services:', '  - name: report', '    execution_type: shell', '    runner_config:', '      command: ["/bin/echo"]', '      allowed_commands: ["/bin/echo"]', ''].join('\n');
  const { problems } = parseRegistry(text, 'r.yaml', {});
  const p = find(problems, 'services[0].runner_config.allowed_commands');
  assert.equal(p.line, 6);
  assert.match(p.message, /belongs under security_policy/);
});

test("an HTTP service's credential variable put straight under runner_config is sent to auth_config, with its auth_type", () => {
  const text = ['services:', '  - name: api', '    execution_type: http', '    runner_config:', '      base_url: https://api.example.com', '      token_env_var: API_TOKEN', ''].join('\n');
  const { problems } = parseRegistry(text, 'r.yaml', {});
  const p = find(problems, 'services[0].runner_config.token_env_var');
  assert.equal(p.line, 6);
  assert.match(p.message, /^unknown key 'token_env_var' here: it belongs under auth_config, beside auth_type: bearer/);
});

test("a shell service's program that cannot start here is a warning at command[0], naming why; the registry still loads", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-program-'));
  try {
    const script = path.join(dir, 'job.sh');
    await writeFile(script, '#!/bin/sh\necho ok\n');
    await chmod(script, 0o644);
    const service = (name: string, program: string) =>
      `  - name: ${name}\n    execution_type: shell\n    runner_config: { command: ["${program}"] }\n    security_policy: { allowed_commands: ["${program}"] }\n`;
    const text = `services:\n${service('gone', '/usr/bin/python-nonexistent')}${service('plain', script)}${service('fine', '/bin/sh')}`;
    const { registry, problems } = parseRegistry(text, 'r.yaml', {});
    assert.ok(registry, 'warnings refuse nothing');
    assert.deepEqual(problems.map((p) => formatProblem('r.yaml', p)), [
      "r.yaml:4:32 services[0].runner_config.command[0]: warning: command not found: /usr/bin/python-nonexistent does not exist here (on this machine; the workers' may differ)",
      `r.yaml:8:32 services[1].runner_config.command[0]: warning: permission denied: ${script} is not executable (mode 644; chmod +x it) (on this machine; the workers' may differ)`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a list given as one string, and a value none of its choices, are said in words with what to write', () => {
  const text = [
    'services:',
    '  - name: script',
    '    execution_type: shell',
    '    runner_config: { command: "python script.py" }',
    '  - name: gcf',
    '    execution_type: serverless',
    '    runner_config: { provider: gcp, url: "https://example.com/fn" }',
    '  - name: box',
    '    execution_type: docker',
    '    runner_config: { image: alpine, volumes: [{ host_path: /srv, container_path: /data, mode: xx }] }',
    '',
  ].join('\n');
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.equal(registry, null);
  assert.deepEqual(problems.map((p) => formatProblem('r.yaml', p)), [
    'r.yaml:4:31 services[0].runner_config.command: command is a list of arguments, the program first, not one string: write ["python", "script.py"] (each argument is passed as it is, with no shell to split it)',
    'r.yaml:7:32 services[1].runner_config.provider: provider takes aws_lambda or http_function, not "gcp": a Google Cloud, Azure or other function called at its URL is provider: http_function, with its url',
    'r.yaml:10:95 services[2].runner_config.volumes[0].mode: mode takes ro (read-only) or rw (read-write), not "xx"',
  ]);
});

test("a shell service's runner_config.user with no account here is a warning, in the words its jobs fail with", () => {
  const service = (name: string, user: string) =>
    `  - name: ${name}\n    execution_type: shell\n    runner_config: { command: ["/bin/sh"], user: ${user} }\n    security_policy: { allowed_commands: ["/bin/sh"] }\n`;
  const text = `services:\n${service('nobody_here', 'opsdeck-no-such-user')}${service('root_job', 'root')}`;
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.ok(registry, 'a warning refuses nothing');
  assert.deepEqual(problems.map((p) => formatProblem('r.yaml', p)), [
    "r.yaml:4:50 services[0].runner_config.user: warning: user 'opsdeck-no-such-user' does not exist (on this machine; the workers' may differ)",
  ]);
});

test('a timeout or retry setting written both at the service level and in runner_config warns, naming the value in force', () => {
  const text = [
    'services:',
    '  - name: twice',
    '    execution_type: noop',
    '    timeout: 30',
    '    retry_config: { max_retries: 1, backoff_factor: 2 }',
    '    runner_config: { timeout: 60, retry_config: { max_retries: 5, backoff_factor: 2 } }',
    '',
  ].join('\n');
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.ok(registry, 'warnings refuse nothing');
  assert.deepEqual(problems.map((p) => formatProblem('r.yaml', p)), [
    'r.yaml:4:14 services[0].timeout: warning: timeout is set twice: runner_config.timeout 60s is the one in force (runner_config wins), not this 30s; keep one',
    'r.yaml:5:34 services[0].retry_config.max_retries: warning: max_retries is set twice: runner_config.retry_config.max_retries 5 is the one in force (runner_config wins), not this 1; keep one',
  ]);
  const [service] = registry.services;
  assert.ok(service);
  assert.equal(effectiveTimeout(service), 60);
  assert.equal(effectiveRetry(service).max_retries, 5, 'the same place wins for both');
});
