import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ids, int, isoTime, parseCommandArgs, pastTime, positionals, UsageError } from './args.ts';

const spec = { limit: { type: 'string', description: 'n' }, 'dry-run': { type: 'boolean', description: 'd' } } as const;

describe('parseCommandArgs', () => {
  it('reads the common options, falling back to the environment', () => {
    const a = parseCommandArgs(['x', '--json', '--limit', '5'], spec, { OPSDECK_DB: '/env.db', OPSDECK_REGISTRY: 'reg.yaml' });
    assert.deepEqual(a.common, { db: '/env.db', registry: 'reg.yaml', json: true, utc: false, help: false });
    assert.equal(parseCommandArgs(['--utc'], spec, {}).common.utc, true);
    assert.deepEqual(a.positionals, ['x']);
    assert.equal(a.values.limit, '5');
    const b = parseCommandArgs(['--db', 'postgres://h/db', '-h'], spec, { OPSDECK_DB: '/env.db' });
    assert.equal(b.common.db, 'postgres://h/db');
    assert.equal(b.common.help, true);
  });

  it('turns an unknown option or a missing value into a usage error', () => {
    assert.throws(() => parseCommandArgs(['--nope'], spec, {}), UsageError);
    assert.throws(() => parseCommandArgs(['--limit'], spec, {}), UsageError);
  });

  it("says what was mistyped in the command line's words, not parseArgs's", () => {
    const options = { ...spec, enable: { type: 'boolean', description: 'e' } } as const;
    const message = (argv: string[]) => {
      try {
        parseCommandArgs(argv, options, {});
      } catch (error) {
        assert.ok(error instanceof UsageError);
        return error.message;
      }
      return assert.fail(`${argv.join(' ')} was accepted`);
    };
    assert.equal(message(['--enabel']), 'unknown option --enabel (did you mean --enable?)');
    assert.equal(message(['--zzzzzzzz']), 'unknown option --zzzzzzzz');
    assert.equal(message(['-x']), 'unknown option -x');
    assert.equal(message(['--limit']), '--limit needs a value');
    assert.equal(message(['--limit', '--json']), '--limit needs a value');
    assert.equal(message(['--json=1']), '--json takes no value');
  });

  it('takes a negative number as the value it is, for the command to refuse in its own words', () => {
    const { values } = parseCommandArgs(['--limit', '-5', 'x'], spec, {});
    assert.equal(values.limit, '-5');
    assert.throws(() => int(values, 'limit', 1, 10), /^UsageError: --limit must be a whole number above 0, not "-5"$/);
    assert.deepEqual(parseCommandArgs(['--', '--limit', '-5'], spec, {}).positionals, ['--limit', '-5']);
  });

  it('checks numbers, times, id lists and positionals', () => {
    const { values } = parseCommandArgs(['--limit', 'ten'], spec, {});
    assert.throws(() => int(values, 'limit', 1, 10), /--limit takes a whole number/);
    assert.throws(() => int({ limit: '11' }, 'limit', 1, 10), /--limit must be at most 10/);
    assert.throws(() => int({ limit: '0' }, 'limit', 1, 10), /--limit must be a whole number above 0/);
    assert.equal(int({ limit: '7' }, 'limit', 1, 10), 7);
    assert.equal(isoTime({ t: '2026-01-31' }, 't'), '2026-01-31T00:00:00.000Z');
    assert.equal(isoTime({ t: '2026-01-31T12:00:00+02:00' }, 't'), '2026-01-31T10:00:00.000Z');
    assert.throws(() => isoTime({ t: 'yesterday' }, 't'), /ISO time/);
    const hourAgo = Date.parse(pastTime({ t: '1h' }, 't') ?? '');
    assert.ok(Math.abs(Date.now() - 3_600_000 - hourAgo) < 5000, 'a duration is that long ago');
    assert.equal(pastTime({ t: '2026-01-31' }, 't'), '2026-01-31T00:00:00.000Z');
    assert.throws(() => pastTime({ t: '2026' }, 't'), /"2026" is ambiguous/, 'a bare number: seconds or a year?');
    assert.throws(() => pastTime({ t: '6M' }, 't'), /"6M" is ambiguous/, 'months or minutes?');
    assert.throws(() => pastTime({ t: 'an hour' }, 't'), /ISO time like .* or a duration ago like 1h/);
    assert.throws(() => pastTime({ since: '999999999w' }, 'since'), /^UsageError: --since: "999999999w" is too far back: write a time from 1970 on$/);
    assert.throws(() => pastTime({ before: '1969-12-31T12:00:00Z' }, 'before'), /^UsageError: --before: "1969-12-31T12:00:00Z" is too far back/);
    assert.throws(() => pastTime({ since: '2026-02-30' }, 'since'), /^UsageError: --since: "2026-02-30" is not a date: 2026-02 has 28 days$/);
    assert.throws(() => pastTime({ since: '2026-02-30T10:00:00Z' }, 'since'), /"2026-02-30T10:00:00Z" is not a date/, 'a full time too');
    assert.throws(() => isoTime({ 'run-at': '2026-04-31T09:00:00Z' }, 'run-at'), /^UsageError: --run-at: "2026-04-31T09:00:00Z" is not a date: 2026-04 has 30 days$/);
    assert.equal(pastTime({ t: '2028-02-29' }, 't'), '2028-02-29T00:00:00.000Z', 'a leap day is one');
    assert.deepEqual(ids({ ids: '1, 2,3' }, 'ids'), [1, 2, 3]);
    assert.throws(() => ids({ ids: '1,x' }, 'ids'), /"x" is not one/);
    const args = parseCommandArgs(['a', 'b'], spec, {});
    assert.deepEqual(positionals(args, ['A', 'B']), ['a', 'b']);
    assert.throws(() => positionals(args, ['A']), /unexpected argument "b"/);
    assert.throws(() => positionals(args, ['A', 'B', 'C']), /missing C/);
  });
});
