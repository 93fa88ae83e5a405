import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryHolder } from '../config/holder.ts';
import { LOG_LEVELS, parseLogLevel } from './logger.ts';
import { createLogger, defaultLogFormat, parseLogFormat } from './pinoLogger.ts';
import { LogSecrets, secretVariables } from './secrets.ts';

const SECRET = 'tok_Very$ecret"42';

function collector(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(...line.split('\n').filter((l) => l !== '')) };
}

describe('the hosts\' logger', () => {
  it('writes JSON lines with the level by name, the message and the fields, at and above its level only', async () => {
    const out = collector();
    const log = await createLogger({ level: 'warn', format: 'json', destination: out });
    log.debug('hidden');
    log.info('hidden too');
    log.warn('attempt failed', { job_id: 7, service: 'billing' });
    log.error('dead letter', { job_id: 8 });
    assert.equal(out.lines.length, 2);
    const [warn, error] = out.lines.map((l) => JSON.parse(l));
    assert.equal(warn.level, 'warn');
    assert.equal(warn.msg, 'attempt failed');
    assert.equal(warn.job_id, 7);
    assert.equal(warn.service, 'billing');
    assert.match(warn.time, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(error.level, 'error');
    assert.equal(log.enabled('debug'), false);
    assert.equal(log.enabled('warn'), true);
  });

  it('at debug writes every level, in text for a terminal: time with its offset, level, message, fields on one line', async () => {
    const out = collector();
    const log = await createLogger({ level: 'debug', format: 'text', destination: out });
    for (const level of LOG_LEVELS) log[level](`a ${level} line`, { job_id: 1 });
    assert.equal(out.lines.length, 4, out.lines.join('\n'));
    for (const [i, level] of LOG_LEVELS.entries()) {
      assert.match(out.lines[i] ?? '', new RegExp(`^\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}(?:[+-]\\d{2}:\\d{2}|Z)\\] ${level.toUpperCase()}: a ${level} line \\{"job_id":1\\}$`));
    }
  });

  it('a child logger adds its fields to every line', async () => {
    const out = collector();
    const log = await createLogger({ level: 'info', format: 'json', destination: out });
    log.child({ worker: 'w-1' }).info('worker started', { concurrency: 4 });
    const line = JSON.parse(out.lines[0] ?? '{}');
    assert.deepEqual([line.worker, line.concurrency], ['w-1', 4]);
  });

  it('never writes a secret value, a secret-named field or a URL password, at any level, in either format', async () => {
    const env = { PAYMENTS_BEARER: SECRET, OPSDECK_DB: 'postgres://ops:dbpass-991@db:5432/jobs', HOME: '/home/ops' };
    const secrets = new LogSecrets(env, [env.OPSDECK_DB]);
    const holder = new RegistryHolder(env);
    secrets.follow(holder);
    assert.ok(!secrets.values.includes(SECRET), 'a variable whose name says nothing of a secret is not one, until a registry names it');
    // Named by the registry only, and taken as it reloads.
    const loaded = holder.loadText(
      'services:\n  - name: payments\n    execution_type: http\n    runner_config:\n      base_url: https://api.example.com\n      auth_type: bearer\n      auth_config: { token_env_var: PAYMENTS_BEARER }\n',
    );
    assert.ok(loaded.ok, JSON.stringify(loaded.problems));
    assert.ok(secrets.values.includes(SECRET));
    for (const format of ['json', 'text'] as const) {
      const out = collector();
      const log = await createLogger({ level: 'debug', format, destination: out, secrets });
      for (const level of LOG_LEVELS) {
        log[level](`upstream answered 401 for Bearer ${SECRET}`, { error: `auth failed: ${SECRET}`, url: 'https://user:hunter22@api.example.com/v1', nested: { deep: [SECRET] } });
        log[level]('calling', { headers: { Authorization: 'Bearer anything-at-all' }, api_key: 'k-123456', password: 'pw-7788' });
        log.child({ token: 'child-token-1' })[level]('bound');
      }
      assert.equal(out.lines.length, 12, out.lines.join('\n'));
      const all = out.lines.join('\n');
      for (const leaked of [SECRET, JSON.stringify(SECRET).slice(1, -1), 'hunter22', 'dbpass-991', 'anything-at-all', 'k-123456', 'pw-7788', 'child-token-1']) {
        assert.ok(!all.includes(leaked), `${format}: ${leaked} in\n${all}`);
      }
      assert.match(all, /\[redacted\]/);
      assert.match(all, /api\.example\.com/, 'the rest of the line stays');
    }
  });

  it('finds every secret variable a registry names, at any depth', () => {
    const names = secretVariables({ services: [{ runner_config: { auth_config: { token_env_var: 'A', password_env_var: 'B' }, env: ['C'] } }, { x: [{ secret_key_env_var: 'D' }] }] });
    assert.deepEqual([...names].sort(), ['A', 'B', 'D']);
  });

  it('checks its level and format words, and picks text for a terminal and JSON otherwise', () => {
    assert.equal(parseLogLevel(undefined), 'info');
    assert.equal(parseLogLevel('DEBUG'), 'debug');
    assert.throws(() => parseLogLevel('verbose'), /log level "verbose" is not one of error, warn, info, debug/);
    assert.equal(parseLogFormat('json'), 'json');
    assert.throws(() => parseLogFormat('xml'), /log format "xml" is not one of text, json/);
    assert.equal(defaultLogFormat(true), 'text');
    assert.equal(defaultLogFormat(false), 'json');
  });
});
