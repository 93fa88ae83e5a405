import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactText, secretsOf } from './redaction.ts';

describe('secretsOf and redactText', () => {
  it('finds values of registry-named, secret-looking and URL-password variables, and cuts them everywhere', () => {
    const env = {
      MY_TOKEN_VAR: 'tok-123456',
      PLAIN_NAME: 'named-by-registry',
      DB_PASSWORD: 'pw-abcdef',
      OPSDECK_DB: 'postgres://ops:urlpass99@db:5432/jobs',
      HOME: '/home/ops',
      PWD: '/srv/opsdeck/data',
      OLDPWD: '/srv/opsdeck',
      SHORT_KEY: 'ab',
    };
    const secrets = secretsOf(env, 'auth_config:\n  token_env_var: PLAIN_NAME\n');
    for (const s of ['tok-123456', 'named-by-registry', 'pw-abcdef', 'urlpass99']) assert.ok(secrets.includes(s), s);
    assert.ok(!secrets.includes('/home/ops'));
    assert.ok(!secrets.includes('/srv/opsdeck/data') && !secrets.includes('/srv/opsdeck'), 'the working directory is no secret: log lines name files under it');
    assert.ok(!secrets.includes('ab'), 'values too short to be secrets would mangle everything');
    const text = JSON.stringify({ msg: 'failed with tok-123456 at postgres://ops:urlpass99@db:5432/jobs; named-by-registry' });
    const out = redactText(text, secrets);
    for (const s of secrets) assert.ok(!out.includes(s), s);
    assert.ok(out.includes('/home/ops') === text.includes('/home/ops'));
    assert.match(out, /\[redacted\]/);
  });

  it('cuts a URL password that holds a / as the known value it is, and leaves ordinary URLs whole', () => {
    const secrets = secretsOf({ CONN: 'postgres://app:Pa/ss9Secret@db:5432/app' }, null);
    assert.ok(secrets.includes('Pa/ss9Secret'), JSON.stringify(secrets));
    assert.equal(redactText('connect postgres://app:Pa/ss9Secret@db:5432/app failed', secrets), 'connect postgres://app:[redacted]@db:5432/app failed');
    for (const line of ['dev server at http://localhost:5173/@vite/client', 'fetch https://registry.example.com:443/@scope/pkg failed']) {
      assert.equal(redactText(line, []), line);
    }
  });

  it('finds and cuts a password given in the query of a URL, where the PostgreSQL driver reads it', () => {
    const secrets = secretsOf({ WORKER_DB: 'postgres://ops@db:5432/jobs?sslmode=require&password=qpass77' }, null);
    assert.ok(secrets.includes('qpass77'), JSON.stringify(secrets));
    assert.equal(
      redactText('could not reach postgres://ops@db:5432/jobs?password=other99&sslmode=require', []),
      'could not reach postgres://ops@db:5432/jobs?password=[redacted]&sslmode=require',
      'a password in a URL no variable holds is cut by its place',
    );
  });

  it('also cuts the JSON-escaped form of a secret', () => {
    const secret = 'quo"te\\slash';
    const out = redactText(JSON.stringify({ v: `x ${secret} y` }), [secret]);
    assert.ok(!out.includes('quo\\"te'), out);
  });
});
