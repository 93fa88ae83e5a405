import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tar from 'tar';
import { BIN, opsdeck } from './testing/opsdeck.ts';

/** A token whose variable's name says nothing of a secret: only the registry says it is one. */
const SECRET = 'pk_live_9Qx7-very-secret';

interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

function jsonLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const parsed: unknown = JSON.parse(l);
      assert.ok(parsed !== null && typeof parsed === 'object' && 'level' in parsed && 'msg' in parsed, l);
      return { ...parsed, level: String(parsed.level), msg: String(parsed.msg) };
    });
}

/**
 * A worker's logs as an operator reads them: each job's life at debug, a failed attempt at warn, a dead
 * letter at error; JSON lines when stdout is not a terminal; and never the token a service sends, even
 * when the upstream echoes it back into the error.
 */
describe('opsdeck worker logs', () => {
  let dir: string;
  let upstream: Server;
  let common: string[];
  const env = { UPSTREAM_BEARER: SECRET };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-logs-'));
    upstream = createServer((req, res) => {
      req.resume();
      const said = `refused Authorization: ${req.headers.authorization ?? 'none'}`;
      if (req.url === '/ok') res.writeHead(200).end('fine');
      else if (req.url === '/echo') res.writeHead(500, { 'Content-Type': 'text/plain' }).end(said);
      else res.writeHead(403, { 'Content-Type': 'text/plain' }).end(said);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const address = upstream.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    const registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: payments',
        '    execution_type: http',
        '    runner_config:',
        `      base_url: "http://127.0.0.1:${port}"`,
        '      method: POST',
        '      auth_type: bearer',
        '      auth_config: { token_env_var: UPSTREAM_BEARER }',
        '    retry_config: { max_retries: 1, backoff_factor: 1, max_backoff: 0.01 }',
        '    circuit_breaker: { failure_threshold: 100, recovery_timeout: 60 }',
        '',
      ].join('\n'),
    );
    common = ['--db', join(dir, 'logs.db'), '--registry', registry];
  });

  after(async () => {
    await new Promise<void>((r) => upstream.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  const enqueue = async (path: string) => {
    const run = await opsdeck(['enqueue', 'payments', ...common, '--json', '--payload', JSON.stringify({ path, body: { api_token: SECRET } })], env);
    assert.equal(run.code, 0, run.stderr);
    return Number(JSON.parse(run.stdout).id);
  };

  /** Runs what is due, twice: the retry after the first failure is due a few ms after the first pass. */
  const work = async (args: string[], runEnv: Record<string, string | undefined> = env): Promise<string> => {
    let out = '';
    for (let pass = 0; pass < 2; pass++) {
      const run = await opsdeck(['worker', '--until-empty', ...common, ...args], runEnv);
      assert.equal(run.code, 0, run.stderr);
      out += run.stdout + run.stderr;
      await new Promise((r) => setTimeout(r, 50));
    }
    return out;
  };

  it('OPSDECK_LOG_LEVEL=debug shows each job\'s life as JSON lines, and no line carries the token', async () => {
    const ok = [await enqueue('/ok'), await enqueue('/ok')];
    const echoed = await enqueue('/echo');
    const denied = await enqueue('/deny');
    const out = await work([], { ...env, OPSDECK_LOG_LEVEL: 'debug' });
    assert.ok(!out.includes(SECRET), `the token leaked:\n${out}`);
    const lines = jsonLines(out);
    const of = (id: number, msg: string) => lines.filter((l) => l.job_id === id && l.msg === msg);
    for (const id of ok) {
      assert.equal(of(id, 'job claimed')[0]?.level, 'debug');
      assert.equal(of(id, 'job completed')[0]?.level, 'debug');
    }
    const retried = of(echoed, 'attempt failed; the job will be retried')[0];
    assert.ok(retried, out);
    assert.equal(retried.level, 'warn');
    assert.deepEqual([retried.service, retried.attempt, retried.error_class], ['payments', 1, 'http_500']);
    // The HTTP runner cuts the whole header it sent before the error is stored; the logger would cut the token anyway.
    assert.match(String(retried.error), /^HTTP 500 from POST http:\/\/127\.0\.0\.1:\d+\/echo: refused Authorization: \[redacted\]$/);
    const dead = of(echoed, 'job failed: moved to the dead-letter queue')[0];
    assert.deepEqual([dead?.level, dead?.attempt, dead?.error_class], ['error', 2, 'http_500']);
    const refused = of(denied, 'job failed: moved to the dead-letter queue')[0];
    assert.deepEqual([refused?.level, refused?.attempt, refused?.error_class], ['error', 1, 'http_403']);
    assert.ok(lines.some((l) => l.level === 'info' && l.msg === 'worker started'));
  });

  it('--log-format text prints readable lines; --log-level warn keeps only warnings and errors; neither leaks', async () => {
    await enqueue('/ok');
    await enqueue('/echo');
    const text = await work(['--log-format', 'text', '--verbose']);
    assert.ok(!text.includes(SECRET), text);
    const lines = text.split('\n').filter((l) => l !== '');
    for (const line of lines) assert.match(line, /^\[\d{4}-\d{2}-\d{2} [\d:.]+[+-]\d{2}:\d{2}\] (DEBUG|INFO|WARN|ERROR): /, line);
    assert.ok(lines.some((l) => / DEBUG: job claimed \{"job_id":\d+/.test(l)));
    assert.ok(lines.some((l) => / WARN: attempt failed; the job will be retried \{.*"error_class":"http_500"/.test(l)));

    await enqueue('/echo');
    const quiet = jsonLines(await work(['--log-level', 'warn']));
    assert.ok(quiet.length >= 2);
    assert.deepEqual([...new Set(quiet.map((l) => l.level))].sort(), ['error', 'warn']);
  });

  it('a wrong level or format is a usage error naming the right words', async () => {
    const level = await opsdeck(['worker', ...common, '--log-level', 'loud'], env);
    assert.equal(level.code, 2);
    assert.match(level.stderr, /log level "loud" is not one of error, warn, info, debug/);
    const format = await opsdeck(['worker', ...common], { ...env, OPSDECK_LOG_FORMAT: 'xml' });
    assert.equal(format.code, 2);
    assert.match(format.stderr, /log format "xml" is not one of text, json/);
  });
});

describe('the desktop log file, from the command line', () => {
  it('a support bundle holds its end, secret values cut; opsdeck logs prints it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-bundle-log-'));
    try {
      const logs = join(dir, 'data', 'opsdeck', 'logs');
      await mkdir(logs, { recursive: true });
      const old = JSON.stringify({ level: 'info', msg: 'an old line' });
      const recent = JSON.stringify({ level: 'warn', msg: `upstream said ${SECRET}`, job_id: 3 });
      // Longer than the tail taken: the bundle starts at a whole line and ends with the newest.
      await writeFile(join(logs, 'opsdeck.log'), `${`${old}\n`.repeat(8000)}${recent}\n`);
      const out = join(dir, 'bundle.tar.gz');
      const env = { XDG_DATA_HOME: join(dir, 'data'), PAYMENTS_TOKEN: SECRET };
      assert.equal((await opsdeck(['migrate', '--db', join(dir, 'b.db')], env)).code, 0);
      const run = await opsdeck(['support-bundle', '--output', out, '--db', join(dir, 'b.db')], env);
      assert.equal(run.code, 0, run.stderr);
      const extracted = join(dir, 'x');
      await mkdir(extracted);
      await tar.x({ file: out, cwd: extracted });
      const tail = await readFile(join(extracted, 'opsdeck.log'), 'utf8');
      assert.ok(!tail.includes(SECRET));
      const lines = tail.trimEnd().split('\n');
      assert.ok(lines.length < 8000, 'a tail, not the whole file');
      for (const line of lines) JSON.parse(line);
      assert.deepEqual(JSON.parse(lines.at(-1) ?? '{}'), { level: 'warn', msg: 'upstream said [redacted]', job_id: 3 });

      // opsdeck logs shows the same file's end, as it is on this machine.
      const shown = await opsdeck(['logs', '--lines', '2'], env);
      assert.equal(shown.code, 0, shown.stderr);
      const workers = 'a worker (opsdeck worker) logs on its stdout, opsdeck serve and opsdeck api on their stderr: their terminal, or the journal under systemd (journalctl -u opsdeck-worker)';
      assert.deepEqual(shown.stdout.trimEnd().split('\n'), [`${join(logs, 'opsdeck.log')} (last 2 line(s)):`, old, recent.replace(SECRET, '[redacted]'), '', `the desktop app's log; ${workers}`]);
      const none = await opsdeck(['logs', '--json'], { XDG_DATA_HOME: join(dir, 'elsewhere') });
      assert.deepEqual(JSON.parse(none.stdout), { file: join(dir, 'elsewhere', 'opsdeck', 'logs', 'opsdeck.log'), exists: false, lines: [] });
      const noneText = await opsdeck(['logs'], { XDG_DATA_HOME: join(dir, 'elsewhere') });
      assert.match(noneText.stdout, /^no log file at .*: the desktop app writes it once it has run on this machine; a worker \(opsdeck worker\) logs on its stdout, opsdeck serve and opsdeck api on their stderr/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A running `opsdeck logs --follow`: what it has printed so far, and a wait for more. */
function following(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'logs', ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const seen = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (seen.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (seen.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  async function until(what: 'stdout' | 'stderr', pattern: RegExp): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!pattern.test(seen[what])) {
      assert.ok(Date.now() < deadline, `waited for ${pattern} on ${what}; got:\n${seen[what]}\nstderr:\n${seen.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { child, seen, exited, until };
}

describe('opsdeck logs --follow and --level: tail -f … | grep ERROR as one command', () => {
  let dir: string;
  let file: string;
  let env: Record<string, string>;
  const line = (level: string, msg: string) => `${JSON.stringify({ level, msg })}\n`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-follow-'));
    const logs = join(dir, 'data', 'opsdeck', 'logs');
    await mkdir(logs, { recursive: true });
    file = join(logs, 'opsdeck.log');
    env = { XDG_DATA_HOME: join(dir, 'data'), PAYMENTS_TOKEN: SECRET };
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the lines at the level or above as they are written, across a rotation, cut of secrets, until Ctrl-C (exit 0)', async () => {
    await writeFile(file, line('info', 'old info') + line('error', 'old error') + line('warn', 'old warn'));
    const run = following(['-f', '--level', 'warn', '--lines', '1'], env);
    await run.until('stderr', /^following .*opsdeck\.log at warn or above; Ctrl-C stops/);
    await run.until('stdout', /old warn/);

    await appendFile(file, line('info', 'new info') + line('debug', 'new debug') + line('warn', 'new warn') + '{"level":"error","msg":"half');
    await run.until('stdout', /new warn/);
    await appendFile(file, ` done: upstream said ${SECRET}"}\n`);
    await run.until('stdout', /half done/);
    // The logger's rotation: the file moves to opsdeck.log.1 and a new one starts.
    await appendFile(file, line('error', 'last of the old file'));
    await rename(file, `${file}.1`);
    await writeFile(file, line('info', 'first of the new file') + line('error', 'error in the new file'));
    await run.until('stdout', /error in the new file/);

    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0, run.seen.stderr);
    assert.deepEqual(run.seen.stdout.trimEnd().split('\n'), [
      line('warn', 'old warn'),
      line('warn', 'new warn'),
      line('error', 'half done: upstream said [redacted]'),
      line('error', 'last of the old file'),
      line('error', 'error in the new file'),
    ].map((l) => l.trimEnd()));
  });

  it('waits for a file not there yet, and the short -f is --follow', async () => {
    const elsewhere = { ...env, XDG_DATA_HOME: join(dir, 'later') };
    const run = following(['--follow', '--level', 'error'], elsewhere);
    await run.until('stderr', /\(not there yet: waiting for it\)/);
    const logs = join(dir, 'later', 'opsdeck', 'logs');
    await mkdir(logs, { recursive: true });
    await writeFile(join(logs, 'opsdeck.log'), line('warn', 'a warning') + line('error', 'the first error'));
    await run.until('stdout', /the first error/);
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0);
    assert.equal(run.seen.stdout, line('error', 'the first error'));
  });

  it('--level without --follow keeps the last lines at that level; a wrong level names the right ones', async () => {
    await writeFile(file, line('error', 'e1') + line('info', 'i1') + line('warn', 'w1') + line('info', 'i2'));
    const shown = await opsdeck(['logs', '--level', 'warn', '--json'], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout).lines, [line('error', 'e1').trimEnd(), line('warn', 'w1').trimEnd()]);
    const text = await opsdeck(['logs', '--level', 'error'], env);
    assert.match(text.stdout, /\(last 1 line\(s\) at error\):\n\{"level":"error","msg":"e1"\}\n/);
    const wrong = await opsdeck(['logs', '--level', 'loud'], env);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /^opsdeck: --level: log level "loud" is not one of error, warn, info, debug/);
    const both = await opsdeck(['logs', '-f', '--json'], env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--follow prints the log's own JSON lines/);
  });
});
