import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok, opsdeck } from './testing/opsdeck.ts';

const ESC = String.fromCharCode(27);
/** What a hostile upstream or program writes to make its failure read as healthy on a terminal. */
const DISGUISE = `${ESC}[2K\rok ${ESC}[8mall healthy`;
/** A raw control character a terminal would obey: anything below a space but newline and tab. */
const rawControl = (text: string) => [...text].some((c) => c < ' ' && c !== '\n' && c !== '\t');

describe('text from jobs and upstreams on the operator\'s terminal', () => {
  let dir: string;
  let common: string[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-terminal-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: disguised',
        '    execution_type: shell',
        '    runner_config:',
        "      command: ['/bin/sh', '-c', 'printf \"%b\" \"$DISGUISE\" >&2; exit 3']",
        '      env: [DISGUISE]',
        '    retry_config: { max_retries: 0 }',
        '    security_policy:',
        "      allowed_commands: ['/bin/sh']",
        '',
      ].join('\n'),
    );
    common = ['--db', join(dir, 'store.db'), '--registry', registry];
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the control characters of an error as escapes, in job, jobs, dlq and the worker log, and keeps them in JSON', async () => {
    ok(await opsdeck(['enqueue', 'disguised', '--identifier', 'evil1', ...common]));
    const worker = await opsdeck(['worker', '--until-empty', '--log-format', 'text', ...common], { DISGUISE: DISGUISE.replaceAll(ESC, '\\033').replaceAll('\r', '\\r') });
    assert.equal(worker.code, 0, worker.stderr);
    const shown = 'exited with code 3: \\u001b[2K\\rok \\u001b[8mall healthy';
    for (const args of [['job', 'evil1'], ['jobs', '--status', 'failed'], ['dlq', 'list'], ['dlq', 'groups']]) {
      const text = ok(await opsdeck([...args, ...common]));
      assert.equal(rawControl(text), false, `${args.join(' ')} wrote a raw control character`);
      assert.ok(text.includes(shown) || text.includes('\\u001b[2K'), `${args.join(' ')}:\n${text}`);
    }
    assert.equal(rawControl(worker.stdout), false, 'the worker log');
    const json = JSON.parse(ok(await opsdeck(['job', 'evil1', '--json', ...common]))) as { error_message: string };
    assert.equal(json.error_message, `exited with code 3: ${DISGUISE}`, 'JSON keeps the text as it was');
  });

  it('refuses an identifier or queue with control characters, naming what and where', async () => {
    const run = await opsdeck(['enqueue', 'disguised', '--identifier', `evil${ESC}[31mRED\n2nd line`, ...common]);
    assert.equal(run.code, 2, run.stdout);
    assert.match(run.stderr, /identifier.*control character.*\\u001b at character 5/);
    const queued = await opsdeck(['enqueue', 'disguised', '--queue', 'a\rb', ...common]);
    assert.equal(queued.code, 2, queued.stdout);
    assert.match(queued.stderr, /queue.*control character.*\\r at character 2/);
  });
});
