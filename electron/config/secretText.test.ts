import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactArgs, redactSecretsInText, redactSecretText } from './secretText.ts';

test('an argv keeps its flags and loses the value after a secret-named one, and each --name=value', () => {
  assert.deepEqual(redactArgs(['--password', 'hunter2', '--user', 'ops']), ['--password', '[redacted]', '--user', 'ops']);
  assert.deepEqual(redactArgs(['--token=abc123', '--limit=5']), ['--token=[redacted]', '--limit=5']);
  assert.deepEqual(redactArgs(['-token', 'x', '-p', '5432', '--api-key', 'k', '--db-password', 'pw']), ['-token', '[redacted]', '-p', '5432', '--api-key', '[redacted]', '--db-password', '[redacted]']);
  assert.deepEqual(redactArgs(['https://user:pass@host/x', 'https://host/x?token=t1&page=2']), ['https://user:[redacted]@host/x', 'https://host/x?token=[redacted]&page=2']);
  assert.deepEqual(redactArgs(['-H', 'Authorization: Bearer abc', '-H', 'X-Api-Key: k9', '-H', 'Accept: application/json']), ['-H', 'Authorization: Bearer [redacted]', '-H', 'X-Api-Key: [redacted]', '-H', 'Accept: application/json']);
});

test("an argv's next flag is no secret value, nor is what is no string; a variable's name stays", () => {
  assert.deepEqual(redactArgs(['--no-password', '--verbose', 'file.csv']), ['--no-password', '--verbose', 'file.csv']);
  assert.deepEqual(redactArgs(['--token', 7, '--password', '']), ['--token', 7, '--password', '']);
  assert.deepEqual(redactArgs(['--token_env_var', 'API_TOKEN', 'token_env_var=API_TOKEN']), ['--token_env_var', 'API_TOKEN', 'token_env_var=API_TOKEN']);
  assert.deepEqual(redactArgs(['--password', '[redacted]']), ['--password', '[redacted]'], 'cut once, it reads the same');
});

test('text loses what is assigned to a secret name, however it is written', () => {
  const cases: [string, string][] = [
    ['connect failed: password=hunter2 user=etl', 'connect failed: password=[redacted] user=etl'],
    ['token: abc123', 'token: [redacted]'],
    ['api_key="sk live 99" and more', 'api_key="[redacted]" and more'],
    ["secret='s3' next", "secret='[redacted]' next"],
    ['{"password":"hunter2","user":"etl"}', '{"password":"[redacted]","user":"etl"}'],
    ['{"msg": "retry with token=abc"}', '{"msg": "retry with token=[redacted]"}'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic [redacted]'],
    ['authorization=Bearer eyJhbGciOi.x.y; next', 'authorization=Bearer [redacted]; next'],
    ['401 from upstream: bearer eyJhbGciOi.x.y refused', '401 from upstream: bearer [redacted] refused'],
    ['export PGPASSWORD=pw1 DB_TOKEN=t2', 'export PGPASSWORD=[redacted] DB_TOKEN=[redacted]'],
    ['Set-Cookie: session=abc; Path=/', 'Set-Cookie: [redacted]; Path=/'],
    ['GET https://svc:pw9@api.example/v1?access_token=zz&x=1', 'GET https://svc:[redacted]@api.example/v1?access_token=[redacted]&x=1'],
    ['password: "unclosed secret', 'password: "[redacted] secret'],
    ['running etl --password hunter2 --limit 5 -token t1', 'running etl --password [redacted] --limit 5 -token [redacted]'],
    ['the calls of etl (open: password=pw)) fail [token=t9]', 'the calls of etl (open: password=[redacted])) fail [token=[redacted]]'],
  ];
  for (const [text, cut] of cases) assert.equal(redactSecretText(text), cut, text);
});

test('text with no secret assigned stays as it is', () => {
  for (const text of [
    'exited with code 1: FATAL: password authentication failed for user "etl"',
    'token_env_var: API_TOKEN is not set',
    'at 2026-12-07T03:52:32Z the run took 1:02',
    'password:\n  on the next line is a heading, not a value',
    'dial tcp 10.0.0.1:5432: connection refused',
    'http://localhost:5173/@vite/client',
    'usage: etl --no-password --verbose, --limit 5',
  ]) {
    assert.equal(redactSecretText(text), text);
  }
  for (const text of ['token=abc', '(--password pw)', 'Authorization: Bearer abc', '"api_key": "k"', "secret='s'"]) {
    const cut = redactSecretText(text);
    assert.equal(redactSecretText(cut), cut, `${text}: cut once, it reads the same`);
  }
});

// Linear, or these never finish: a backtracking pattern would take hours over 200 000 characters, so the
// test's timeout decides, whatever the machine's speed.
test('a long run of name characters, or of closing brackets, is read in linear time', { timeout: 60_000 }, () => {
  const long = 'a'.repeat(200_000);
  assert.equal(redactSecretText(`${long} token=x ${long}`), `${long} token=[redacted] ${long}`);
  assert.equal(redactSecretText(`${'a='.repeat(50_000)} token=x`), `${'a='.repeat(50_000)} token=[redacted]`, 'a chain of assignments, however long');
  const brackets = ')'.repeat(200_000);
  assert.equal(redactSecretText(`password=a${brackets}x`), 'password=[redacted]');
  assert.equal(redactSecretText(`--verbose a${brackets}x`), `--verbose a${brackets}x`);
  assert.equal(redactSecretText(`(password=hunter2${brackets}`), `(password=[redacted]${brackets}`, 'the brackets closing the text stay');
});

test('a value is walked whole: strings as text, arrays as an argv, at any depth', () => {
  const given = { args: ['--password', 'p1'], body: { note: 'token=t1', nested: [{ args: ['--secret', 's1'] }] }, n: 3, ok: true, none: null };
  assert.deepEqual(redactSecretsInText(given), {
    args: ['--password', '[redacted]'],
    body: { note: 'token=[redacted]', nested: [{ args: ['--secret', '[redacted]'] }] },
    n: 3,
    ok: true,
    none: null,
  });
});

test("a MySQL client's -p and curl's -u user:pass lose their password once the program is named, and nowhere else", () => {
  assert.deepEqual(redactArgs(['mysql', '-u', 'etl', '-phunter2', 'sales']), ['mysql', '-u', 'etl', '-p[redacted]', 'sales']);
  assert.deepEqual(redactArgs(['/usr/bin/mysqldump', '-p', 'hunter2', '--all-databases']), ['/usr/bin/mysqldump', '-p', '[redacted]', '--all-databases']);
  assert.deepEqual(redactArgs(['-u', 'etl', '-phunter2'], 'mysql'), ['-u', 'etl', '-p[redacted]'], "a service's command names the program its payload.args go to");
  assert.deepEqual(redactArgs(['curl', '-u', 'ops:pw1', '--user', 'ops:pw2', '--user=ops:pw3', '-uops:pw4', 'https://h/x']), ['curl', '-u', 'ops:[redacted]', '--user', 'ops:[redacted]', '--user=ops:[redacted]', '-uops:[redacted]', 'https://h/x']);
  assert.deepEqual(redactArgs(['curl', '-u', 'ops', '-p', 'x']), ['curl', '-u', 'ops', '-p', 'x'], 'a user alone is asked its password; curl has no -p value');
  assert.deepEqual(redactArgs(['psql', '-p', '5432', '-U', 'etl']), ['psql', '-p', '5432', '-U', 'etl'], "psql's -p is a port");
  assert.deepEqual(redactArgs(['docker', 'run', '-u', '1000:1000', '-p', '8080:80']), ['docker', 'run', '-u', '1000:1000', '-p', '8080:80'], "docker's -u is uid:gid");
  assert.deepEqual(redactArgs(['mysql', '-p', '--host', 'db']), ['mysql', '-p', '--host', 'db'], 'a flag after -p is the next flag');
  assert.deepEqual(redactArgs(['mysql', '-p[redacted]', '-p', '[redacted]']), ['mysql', '-p[redacted]', '-p', '[redacted]'], 'cut once, it reads the same');
  const cases: [string, string][] = [
    ['+ mysql -u root -phunter2 sales', '+ mysql -u root -p[redacted] sales'],
    ["running: mysqldump -p'hunter2' db", "running: mysqldump -p'[redacted]' db"],
    ['$ curl -sS -u ops:s3cret https://api.example/x', '$ curl -sS -u ops:[redacted] https://api.example/x'],
    ['curl --user "ops:s3cret" --proxy-user p:pw https://h', 'curl --user "ops:[redacted]" --proxy-user p:[redacted] https://h'],
    ['curl --user=ops:s3cret https://h\nssh -p 22 host', 'curl --user=ops:[redacted] https://h\nssh -p 22 host'],
  ];
  for (const [text, cut] of cases) assert.equal(redactSecretText(text), cut, text);
  assert.equal(redactSecretText('mkdir -p /srv/out && cp -pr a b'), 'mkdir -p /srv/out && cp -pr a b', 'no MySQL client named: -p is no password');
});

test("curl's -u and a MySQL client's -p ending a group of short options, or joined after one, lose their password as the program reads them", () => {
  assert.deepEqual(redactArgs(['curl', '-ku', 'ops:hunter2', 'x']), ['curl', '-ku', 'ops:[redacted]', 'x']);
  assert.deepEqual(redactArgs(['curl', '-fsSLu', 'ops:hunter2', '-kU', 'p:pw', 'x']), ['curl', '-fsSLu', 'ops:[redacted]', '-kU', 'p:[redacted]', 'x']);
  assert.deepEqual(redactArgs(['curl', '-kuops:pw', '-sUp:pw2', 'x']), ['curl', '-kuops:[redacted]', '-sUp:[redacted]', 'x'], 'a value joined after the group');
  assert.deepEqual(redactArgs(['curl', '-Huser:agent', '-ou:v', 'x']), ['curl', '-Huser:agent', '-ou:v', 'x'], "a header's or an output file's value is theirs, not a -u");
  assert.deepEqual(redactArgs(['mysql', '-vphunter2', '-Bp', 'pw2', 'db']), ['mysql', '-vp[redacted]', '-Bp', '[redacted]', 'db']);
  assert.deepEqual(redactArgs(['mysql', '-uphil', '-hprod-db', '-P3306', 'db']), ['mysql', '-uphil', '-hprod-db', '-P3306', 'db'], "a user's, a host's, a port's value is theirs, not a -p");
  assert.deepEqual(redactArgs(['mkdir', '-pv', '/srv/out']), ['mkdir', '-pv', '/srv/out'], 'no MySQL client named');
  const cases: [string, string][] = [
    ['curl -ku ops:hunter2 x', 'curl -ku ops:[redacted] x'],
    ['curl -fsSLu ops:hunter2 x', 'curl -fsSLu ops:[redacted] x'],
    ['curl -kuops:hunter2 x', 'curl -kuops:[redacted] x'],
    ['+ mysql -vphunter2 sales', '+ mysql -vp[redacted] sales'],
    ['mkdir -pv /srv/out && cp -rp a b', 'mkdir -pv /srv/out && cp -rp a b'],
  ];
  for (const [text, cut] of cases) assert.equal(redactSecretText(text), cut, text);
});

test('a program named at the start of a quoted command, a backtick or a command substitution is still its name', () => {
  const cases: [string, string][] = [
    ['exec: "curl -u ops:hunter2 https://x"', 'exec: "curl -u ops:[redacted] https://x"'],
    ["exec: 'curl -u ops:hunter2 https://x'", "exec: 'curl -u ops:[redacted] https://x'"],
    ['ran `curl -u ops:hunter2 https://x`', 'ran `curl -u ops:[redacted] https://x`'],
    ['out=$(curl -u ops:hunter2 https://x)', 'out=$(curl -u ops:[redacted] https://x)'],
    ['echo $(curl -u ops:hunter2 https://x)', 'echo $(curl -u ops:[redacted] https://x)'],
    ['(mysql -phunter2 db)', '(mysql -p[redacted] db)'],
    ['cmd: "/usr/bin/mysqldump -phunter2 db"', 'cmd: "/usr/bin/mysqldump -p[redacted] db"'],
  ];
  for (const [text, cut] of cases) assert.equal(redactSecretText(text), cut, text);
  assert.equal(redactSecretText('"mkdir -p /srv/out"'), '"mkdir -p /srv/out"', 'a quoted program that is no client');
});

test("a client's options end with its command: at &&, ||, ;, | and & as words or ending one, outside the quotes of its arguments", () => {
  const cases: [string, string][] = [
    ['mysql -e x && mkdir -p /srv/out', 'mysql -e x && mkdir -p /srv/out'],
    ['mysql -e x; mkdir -p /srv/out', 'mysql -e x; mkdir -p /srv/out'],
    ['mysql -e x || mkdir -p /srv/out', 'mysql -e x || mkdir -p /srv/out'],
    ['mysql -e x | mkdir -p /srv/out', 'mysql -e x | mkdir -p /srv/out'],
    ['mysql -e x& mkdir -p /srv/out', 'mysql -e x& mkdir -p /srv/out'],
    ['curl -u ops:pw https://x|| cp -u a:b c', 'curl -u ops:[redacted] https://x|| cp -u a:b c'],
    ['mkdir -p /srv/out; mysql -p secret db', 'mkdir -p /srv/out; mysql -p [redacted] db'],
    ['mysql -e x; mysql -p secret db', 'mysql -e x; mysql -p [redacted] db'],
    ['true && mysql -phunter2 db', 'true && mysql -p[redacted] db'],
    ['mysql -phunter2; mkdir -p /srv/out', 'mysql -p[redacted]; mkdir -p /srv/out'],
    ['mysql -p hunter2&& mkdir -p /srv/out', 'mysql -p [redacted]&& mkdir -p /srv/out'],
    ['mysql -p; mkdir -p /srv/out', 'mysql -p; mkdir -p /srv/out'],
    ['mysql -p ; mkdir -p /srv/out', 'mysql -p ; mkdir -p /srv/out'],
    ['sh -c "mysql -e x && mkdir -p /srv/out"', 'sh -c "mysql -e x && mkdir -p /srv/out"'],
    ['exec: "mysql -e x"; mkdir -p /srv/out', 'exec: "mysql -e x"; mkdir -p /srv/out'],
    ['sh -c "mysql -e \'select 1; select 2\' -phunter2 && mkdir -p /srv/out"', 'sh -c "mysql -e \'select 1; select 2\' -p[redacted] && mkdir -p /srv/out"'],
  ];
  for (const [text, cut] of cases) assert.equal(redactSecretText(text), cut, text);
  // A separator inside the quotes of the client's own arguments ends nothing: the password after it still goes.
  assert.equal(redactSecretText('mysql -e "select 1; select 2" -phunter2 db'), 'mysql -e "select 1; select 2" -p[redacted] db');
  assert.equal(redactSecretText('{"cmd": "mysql -e \\"delete from t; optimize table t\\" -phunter2"}'), '{"cmd": "mysql -e \\"delete from t; optimize table t\\" -p[redacted]"}', 'escaped quotes in JSON');
  assert.equal(redactSecretText('mysql -e x 2>&1 -phunter2'), 'mysql -e x 2>&1 -p[redacted]', 'a redirection is no separator');
  // In an argv a separator is a word the program is given: the client's options go on after it.
  assert.deepEqual(redactArgs(['mysql', '-e', 'select 1;', '-phunter2']), ['mysql', '-e', 'select 1;', '-p[redacted]']);
});

test("a quote the text opened before the client is named (an apostrophe, 3.5\") ends nothing: its command runs to the end of the line", () => {
  const cases: [string, string][] = [
    ["can't connect: mysql -u etl -e 'show tables' -phunter2 db", "can't connect: mysql -u etl -e 'show tables' -p[redacted] db"],
    ["it's mysql -e 'select 1' -phunter2", "it's mysql -e 'select 1' -p[redacted]"],
    ["job's curl -H 'X-Trace: 1' -u ops:pw https://x", "job's curl -H 'X-Trace: 1' -u ops:[redacted] https://x"],
    ["Don't: mysql --execute='x' -phunter2", "Don't: mysql --execute='x' -p[redacted]"],
    ["it's mysql -e 'select 1; select 2' -phunter2", "it's mysql -e 'select 1; select 2' -p[redacted]"],
    ['a 3.5" disk: mysql -e "select 1; select 2" -phunter2', 'a 3.5" disk: mysql -e "select 1; select 2" -p[redacted]'],
  ];
  for (const [text, cut] of cases) assert.equal(redactSecretText(text), cut, text);
});

test('a count or a flag under a secret-like name stays; a value that may be a secret goes', () => {
  const given = { tokens: 5, max_tokens: 4096, tokenCount: 12, token_ttl: 3600, password_length: 16, use_token: true, token: 5, password: 123456, tokens_left: 'abc' };
  assert.deepEqual(redactSecretsInText(given), given, 'text rules alone touch no typed value');
  const cases: [string, string][] = [
    ['usage: prompt_tokens=812 completion_tokens: 90 (max_tokens=4096)', 'usage: prompt_tokens=812 completion_tokens: 90 (max_tokens=4096)'],
    ['{"tokens": 5, "token": "abc"}', '{"tokens": 5, "token": "[redacted]"}'],
    ['token=123456 tokens=abc', 'token=[redacted] tokens=[redacted]'],
    ['run --max-tokens 100 --token 42', 'run --max-tokens 100 --token [redacted]'],
  ];
  for (const [text, cut] of cases) assert.equal(redactSecretText(text), cut, text);
  assert.deepEqual(redactArgs(['--max-tokens', '100', '--password', '1234']), ['--max-tokens', '100', '--password', '[redacted]']);
});

test("a program's line and a count's brackets are read in linear time too", { timeout: 60_000 }, () => {
  const words = 'a '.repeat(100_000);
  assert.equal(redactSecretText(`mysql ${words}-phunter2`), `mysql ${words}-p[redacted]`);
  const slashes = '/a'.repeat(100_000);
  assert.equal(redactSecretText(`curl${slashes} -u u:p`), `curl${slashes} -u u:p`, 'a path that is no program');
  const group = 'k'.repeat(200_000);
  assert.equal(redactSecretText(`curl -${group}u ops:pw`), `curl -${group}u ops:[redacted]`, 'a long group of short options');
  const openers = '"$('.repeat(100_000);
  assert.equal(redactSecretText(`${openers}curl -u ops:pw`), `${openers}curl -u ops:[redacted]`, 'a long run of openers before the name');
  const commands = 'mysql -e x && '.repeat(20_000);
  assert.equal(redactSecretText(`${commands}mysql -phunter2`), `${commands}mysql -p[redacted]`, 'many commands on one line');
  const statements = 'delete from t; '.repeat(20_000);
  assert.equal(redactSecretText(`mysql -e "${statements}" -phunter2`), `mysql -e "${statements}" -p[redacted]`, 'a long quoted script');
  const separators = ';'.repeat(200_000);
  assert.equal(redactSecretText(`mysql -e x${separators}a -phunter2`), `mysql -e x${separators}a -p[redacted]`, 'a long run of separators inside a word');
  assert.equal(redactSecretText(`mysql -e x${separators} mkdir -p /srv/out`), `mysql -e x${separators} mkdir -p /srv/out`, 'a long run of separators ending a word');
  const brackets = ')'.repeat(200_000);
  assert.equal(redactSecretText(`tokens=5${brackets}x`), `tokens=[redacted]`);
  assert.equal(redactSecretText(`tokens=5${brackets}`), `tokens=5${brackets}`);
});
