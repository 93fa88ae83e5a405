import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ServiceConfig } from '../../shared/registry.ts';
import { serviceSettings } from './serviceSettings.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const settingsOf = (service: unknown) => Object.fromEntries(serviceSettings(ServiceConfig.parse(service)));

describe("services NAME: the runner's settings an operator checks, secrets by their variables' names only", () => {
  it("a shell service's command, allowlist, working directory, user, variables, timeout and limits", () => {
    const shell = settingsOf({
      name: 'backup',
      execution_type: 'shell',
      runner_config: { command: ['/usr/local/bin/backup', '--target', 'two words'], env: ['BACKUP_KEY'], timeout: 90 },
      security_policy: { allowed_commands: ['/usr/bin/backup'], allowed_roots: ['/srv/backups'], resource_limits: { memory_mb: 512, cpu_seconds: 60 } },
    });
    assert.equal(shell.command, "/usr/local/bin/backup --target 'two words'");
    assert.equal(shell.allowed_commands, '/usr/bin/backup (command[0] /usr/local/bin/backup is not among them as written: its jobs fail as allowlist unless it is a link to one)');
    assert.equal(shell.working_directory, 'not set: /srv/backups');
    assert.equal(shell.user, "the worker's own");
    assert.equal(shell.env, 'BACKUP_KEY');
    assert.equal(shell.timeout, '90s an attempt (runner_config.timeout)');
    assert.equal(shell.resource_limits, 'memory 512 MB, CPU 60s');
    const none = settingsOf({ name: 'bare', execution_type: 'shell', runner_config: { command: ['/bin/true'] } });
    assert.equal(none.allowed_commands, 'none: every command is refused (allowlist)');
    assert.equal(none.working_directory, "not set: the worker's temp folder");
    assert.equal(none.timeout, '300s an attempt (timeout)');
  });

  it("an HTTP service's request and auth without a secret's value: a URL's password and the headers' values are left out", () => {
    const http = settingsOf({
      name: 'api',
      execution_type: 'http',
      runner_config: { base_url: 'https://bot:hunter2@api.example.com/v1/', path: '/charges', auth_type: 'bearer', auth_config: { token_env_var: 'API_TOKEN' }, headers: { 'X-Api-Key': 'sk_live_123456' } },
    });
    // The runner sends base_url's origin and path, never its user and password: said, not shown as sent.
    assert.equal(http.request, "POST https://api.example.com/v1/charges (base_url's user and password not sent)");
    assert.equal(http.auth, 'bearer from API_TOKEN');
    assert.equal(http.headers, 'X-Api-Key');
    assert.doesNotMatch(JSON.stringify(http), /hunter2|sk_live/);
  });

  it('a shell service as the runner decides it: a relative command[0] or allowed command, a working directory outside allowed_roots or relative', () => {
    const relative = settingsOf({
      name: 'backup',
      execution_type: 'shell',
      runner_config: { command: ['backup'], working_directory: '/tmp/elsewhere' },
      security_policy: { allowed_commands: ['backup', '/usr/bin/tar', 'tar'], allowed_roots: ['/srv/jobs'] },
    });
    assert.equal(relative.allowed_commands, 'backup, /usr/bin/tar, tar (command[0] backup is not an absolute path: the runner refuses every job as allowlist; tar is not an absolute path: it allows nothing)');
    assert.equal(relative.working_directory, '/tmp/elsewhere (outside allowed_roots as written: its jobs fail as allowlist unless a link leads inside one)');
    const inside = settingsOf({ name: 'in', execution_type: 'shell', runner_config: { command: ['/usr/bin/tar'], working_directory: '/srv/jobs/daily' }, security_policy: { allowed_commands: ['/usr/bin/tar'], allowed_roots: ['relative', '/srv/jobs'] } });
    assert.equal(inside.allowed_commands, '/usr/bin/tar');
    assert.equal(inside.working_directory, '/srv/jobs/daily');
    assert.equal(settingsOf({ name: 'first', execution_type: 'shell', runner_config: { command: ['/bin/true'] }, security_policy: { allowed_roots: ['relative', '/srv/jobs'] } }).working_directory, 'not set: /srv/jobs', 'the first absolute root, as the runner starts there');
    assert.equal(settingsOf({ name: 'rel', execution_type: 'shell', runner_config: { command: ['/bin/true'], working_directory: 'jobs' } }).working_directory, 'jobs (not an absolute path: its jobs fail as config)');
  });

  it("an HTTP service's request as the runner makes it: base_url's query is not sent, and a path without its / is refused", () => {
    const query = settingsOf({ name: 'q', execution_type: 'http', runner_config: { base_url: 'https://api.example.com/v1?region=eu', path: '/hook', method: 'GET' } });
    assert.equal(query.request, "GET https://api.example.com/v1/hook (base_url's query not sent)");
    const slashless = settingsOf({ name: 's', execution_type: 'http', runner_config: { base_url: 'https://api.example.com/v1/', path: 'charges' } });
    assert.equal(slashless.request, "POST https://api.example.com/v1/: path must start with a single '/': 'charges', so a job fails unless its payload gives a path");
  });

  it("cuts a secret from a command and a request as a job's argv and text are cut: a password option, a MySQL client's -p, curl's -u, a URL's password, a token in a query", () => {
    const dump = settingsOf({ name: 'dump', execution_type: 'shell', runner_config: { command: ['/usr/bin/mysqldump', '-u', 'etl', '-phunter2', '--password=hunter3', 'db'] } });
    assert.equal(dump.command, "/usr/bin/mysqldump -u etl '-p[redacted]' '--password=[redacted]' db");
    const curl = settingsOf({ name: 'hook', execution_type: 'shell', runner_config: { command: ['/usr/bin/curl', '-u', 'ops:hunter4', 'https://bot:hunter5@example.com/x', '--token', 'hunter6'] } });
    assert.equal(curl.command, "/usr/bin/curl -u 'ops:[redacted]' 'https://bot:[redacted]@example.com/x' --token '[redacted]'");
    const psql = settingsOf({ name: 'pg', execution_type: 'docker', runner_config: { image: 'postgres:16', command: ['psql', 'postgres://u:hunter7@db/x'] }, security_policy: { allowed_images: ['postgres:16'] } });
    assert.equal(psql.command, "psql 'postgres://u:[redacted]@db/x'");
    const api = settingsOf({ name: 'api', execution_type: 'http', runner_config: { base_url: 'https://api.example.com/v1?api_key=hunter8', path: '/hook?token=hunter9&x=1' } });
    assert.equal(api.request, "POST https://api.example.com/v1/hook?token=[redacted]&x=1 (base_url's query not sent)");
    const fn = settingsOf({ name: 'fn', execution_type: 'serverless', runner_config: { provider: 'http_function', url: 'https://fn.example.com/run?access_token=hunter10' } });
    assert.equal(fn.function, 'http_function https://fn.example.com/run?access_token=[redacted]');
    for (const shown of [dump, curl, psql, api, fn]) assert.doesNotMatch(JSON.stringify(shown), /hunter/);
  });

  it("a Docker service's image against its allowlist, and its volumes", () => {
    const docker = settingsOf({ name: 'etl', execution_type: 'docker', runner_config: { image: 'python:3.12', volumes: [{ host_path: '/data', container_path: '/in' }] }, security_policy: { allowed_images: ['python:3.11-slim'] } });
    assert.equal(docker.image, 'python:3.12 (not in allowed_images: its jobs fail as allowlist)');
    assert.equal(docker.volumes, '/data:/in:ro');
    assert.equal(settingsOf({ name: 'etl', execution_type: 'docker', runner_config: { image: 'python:3.12' }, security_policy: { allowed_images: ['python:*'] } }).image, 'python:3.12');
  });

  it('services NAME prints them under its row, and --json has them; the list of every service does not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-service-settings-'));
    try {
      const registry = join(dir, 'registry.yaml');
      await writeFile(registry, [
        'services:',
        '  - name: executor',
        '    execution_type: shell',
        '    runner_config: { command: ["/bin/sleep", "5"], working_directory: /srv/jobs, env: [API_TOKEN] }',
        '    security_policy: { allowed_commands: ["/bin/sleep"] }',
        '  - name: other',
        '    execution_type: noop',
        '',
      ].join('\n'));
      const one = ok(await opsdeck(['services', 'executor', '--registry', registry]));
      assert.match(one, /^executor +shell /m);
      assert.match(one, /^command: +\/bin\/sleep 5$/m);
      assert.match(one, /^allowed_commands: +\/bin\/sleep$/m);
      assert.match(one, /^working_directory: +\/srv\/jobs$/m);
      assert.match(one, /^env: +API_TOKEN$/m);
      assert.match(one, /^timeout: +300s an attempt \(timeout\)$/m);
      const Json = z.object({ settings: z.record(z.string(), z.string()) });
      assert.equal(Json.parse(JSON.parse(ok(await opsdeck(['services', 'executor', '--json', '--registry', registry])))).settings.allowed_commands, '/bin/sleep');
      assert.doesNotMatch(ok(await opsdeck(['services', '--registry', registry])), /allowed_commands/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
