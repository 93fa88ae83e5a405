import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandArgs } from './args.ts';
import type { Io } from './output.ts';
import { sameCommand } from './sameCommand.ts';

const io: Io = { out: () => undefined, err: () => undefined, tty: false, env: {} };
const options = { search: { type: 'string', description: '' }, stuck: { type: 'boolean', description: '' }, after: { type: 'string', description: '' } } as const;
const typed = (argv: string[]) => ({ ...parseCommandArgs(argv, options, {}), io });

test('the next page repeats what was typed: a value that starts with a dash stays the option\'s, quoting holds spaces and quotes', () => {
  const line = sameCommand(typed(["--search=-timeout it's", '--stuck']), 'jobs', { after: 'aWQ6MjU' });
  assert.equal(line, "opsdeck jobs --search='-timeout it'\\''s' --stuck --after=aWQ6MjU");
});

test("a store URL's password is never printed", () => {
  const line = sameCommand(typed(['--db', 'postgres://ops:s3cret@db.internal:5432/jobs']), 'jobs', { after: 'x' });
  assert.ok(!line.includes('s3cret'), line);
  assert.match(line, /--db=postgres:\/\/ops@db\.internal:5432\/jobs /);
});
