import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NewScheduleConfig, ScheduleConfig } from './schedule.ts';
import { MISSED_AFTER_MS, cronProblem, fireKey, isTimeZone, nextFire, nextFires, planDue } from './scheduleMath.ts';
import type { MissedSpec } from './scheduleMath.ts';

/** The wall-clock date and time of an instant in a zone: `2026-03-29 03:00`. */
function wall(instant: Date, zone: string): string {
  return instant.toLocaleString('sv-SE', { timeZone: zone }).slice(0, 16);
}

/**
 * Ticks every `stepMs` from `from` to `to` the way the scheduler does (cursor = the next unhandled fire,
 * planDue at each tick), and answers every fire it would enqueue.
 */
function simulate(spec: MissedSpec, from: Date, to: Date, stepMs: number): Date[] {
  const fired: Date[] = [];
  let cursor = nextFire(spec, from);
  for (let t = from.getTime() + stepMs; t <= to.getTime() && cursor; t += stepMs) {
    if (cursor.getTime() > t) continue;
    const plan = planDue(spec, cursor, new Date(t));
    fired.push(...plan.fire);
    cursor = plan.next;
  }
  return fired;
}

const daily0230 = (timezone: string): MissedSpec => ({ cron: '30 2 * * *', timezone, missed: 'skip', max_catch_up: 10 });

describe('a daily 02:30 across the daylight-saving changes', () => {
  const cases = [
    { zone: 'Europe/Berlin', change: 'spring forward', from: '2026-03-27T00:00:00Z', to: '2026-03-31T00:00:00Z', gapDay: '2026-03-29' },
    { zone: 'Europe/Berlin', change: 'fall back', from: '2026-10-23T00:00:00Z', to: '2026-10-27T00:00:00Z', gapDay: null },
    { zone: 'America/New_York', change: 'spring forward', from: '2026-03-06T12:00:00Z', to: '2026-03-10T12:00:00Z', gapDay: '2026-03-08' },
    { zone: 'America/New_York', change: 'fall back', from: '2026-10-30T12:00:00Z', to: '2026-11-03T12:00:00Z', gapDay: null },
  ];
  for (const c of cases) {
    test(`${c.zone}, ${c.change}: one fire a day, at 02:30 (03:00 on the day 02:30 does not exist)`, () => {
      const fires = simulate(daily0230(c.zone), new Date(c.from), new Date(c.to), 60_000);
      const days = fires.map((f) => wall(f, c.zone).slice(0, 10));
      assert.equal(new Set(days).size, days.length, `one fire per day: ${days.join(', ')}`);
      assert.equal(fires.length, 4, 'four days, four fires: none doubled, none lost');
      for (const fire of fires) {
        const [day, time] = wall(fire, c.zone).split(' ');
        assert.equal(time, day === c.gapDay ? '03:00' : '02:30', `the fire of ${day}`);
      }
    });
  }

  test('a time that happens twice fires once, at its first occurrence', () => {
    const berlin = nextFire(daily0230('Europe/Berlin'), new Date('2026-10-25T00:00:00Z'));
    assert.equal(berlin?.toISOString(), '2026-10-25T00:30:00.000Z', 'Berlin: 02:30 CEST (UTC+2), not 02:30 CET');
    // New York goes back from 02:00 EDT to 01:00 EST: there 01:30 is the time that happens twice.
    const ny = nextFire({ cron: '30 1 * * *', timezone: 'America/New_York' }, new Date('2026-11-01T04:00:00Z'));
    assert.equal(ny?.toISOString(), '2026-11-01T05:30:00.000Z', 'New York: 01:30 EDT (UTC-4), not 01:30 EST');
    const after = nextFire({ cron: '30 1 * * *', timezone: 'America/New_York' }, ny ?? new Date());
    assert.equal(after?.toISOString(), '2026-11-02T06:30:00.000Z', 'and not again an hour later');
  });

  test('an hourly job follows elapsed time: every hour once, 25 fires on the long day', () => {
    const spec: MissedSpec = { cron: '0 * * * *', timezone: 'Europe/Berlin', missed: 'skip', max_catch_up: 10 };
    const fires = simulate(spec, new Date('2026-10-24T22:00:00Z'), new Date('2026-10-25T23:00:00Z'), 60_000);
    assert.equal(fires.length, 25);
    assert.equal(new Set(fires.map((f) => f.getTime())).size, 25);
  });
});

describe('cron text', () => {
  test('5 and 6 fields and the nicknames are accepted; the rest says why not', () => {
    for (const ok of ['*/5 * * * *', '*/10 * * * * *', '@daily', '@hourly', '@weekly', '@monthly', '@yearly', '0 9 * * MON-FRI']) {
      assert.equal(cronProblem(ok), null, ok);
    }
    assert.equal(cronProblem('61 * * * *'), "minute '61' is not a minute (0..59)");
    assert.match(cronProblem('* * *') ?? '', /^cron needs 5 fields .*; got 3: \* \* \*$/);
    assert.match(cronProblem('* * * * * * *') ?? '', /got 7/);
    assert.match(cronProblem('@reboot') ?? '', /'@reboot' is not a cron shorthand/);
    assert.equal(cronProblem('0 0 31 2 *'), "cron '0 0 31 2 *' never fires: no date has every field it names");
  });

  test('six fields fire every second, at whole seconds', () => {
    const fires = nextFires({ cron: '* * * * * *', timezone: 'UTC' }, new Date('2026-01-01T00:00:00.400Z'), 3);
    assert.deepEqual(fires.map((f) => f.toISOString()), ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:03.000Z']);
  });

  test('time zones are IANA names', () => {
    assert.ok(isTimeZone('Europe/Berlin'));
    assert.ok(isTimeZone('UTC'));
    assert.ok(!isTimeZone('Mars/Olympus'));
  });

  test('the fire key names the schedule and the instant', () => {
    assert.equal(fireKey('nightly', new Date('2026-03-29T01:00:00Z')), 'schedule:nightly:2026-03-29T01:00:00.000Z');
  });
});

describe('schedule config', () => {
  test('exactly one target: a service or a workflow, whose payload is an object without the reserved key', () => {
    assert.ok(ScheduleConfig.safeParse({ name: 'a', service: 'svc', cron: '@daily' }).success);
    assert.ok(ScheduleConfig.safeParse({ name: 'a', workflow: 'etl', cron: '@daily', payload: { day: 'today' } }).success);
    const none = ScheduleConfig.safeParse({ name: 'a', cron: '@daily' });
    assert.ok(!none.success);
    assert.match(none.error.issues[0]?.message ?? '', /needs what it starts/);
    const issues = (input: object) => {
      const parsed = ScheduleConfig.safeParse({ name: 'a', cron: '@daily', ...input });
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.deepEqual(issues({ service: 's', workflow: 'etl' }), ['workflow: a schedule starts one thing: name a service or a workflow, not both']);
    assert.deepEqual(issues({ workflow: 'etl', queue: 'q' }), ["queue: a workflow's tasks run on their services' queues: remove queue:"]);
    assert.deepEqual(issues({ workflow: 'etl', payload: [1] }), ["payload: a workflow schedule's payload is an object (the run's payload)"]);
    assert.deepEqual(issues({ workflow: 'etl', payload: { workflow: 1 } }), [
      "payload.workflow: the payload key 'workflow' is reserved for what the workflow passes its tasks",
    ]);
    assert.deepEqual(issues({ service: 's', payload: [1] }), [], 'one kept from before is read as it is');
  });

  test("a schedule being added gives its service's jobs a JSON object, as enqueue takes one", () => {
    const issues = (payload: unknown) => {
      const parsed = NewScheduleConfig.safeParse({ name: 'a', cron: '@daily', service: 's', payload });
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.deepEqual(issues([1]), ['payload: must be a JSON object, such as {"date": "2026-12-04"}, not an array']);
    assert.deepEqual(issues('nightly'), ['payload: must be a JSON object, such as {"date": "2026-12-04"}, not a string']);
    assert.deepEqual(issues({ args: ['--full'] }), []);
    assert.ok(NewScheduleConfig.safeParse({ name: 'a', cron: '@daily', service: 's' }).success);
    const workflow = NewScheduleConfig.safeParse({ name: 'a', cron: '@daily', workflow: 'etl', payload: [1] });
    assert.deepEqual(workflow.error?.issues.map((i) => i.message), ["a workflow schedule's payload is an object (the run's payload)"], 'said once');
  });

  test('a bad cron or zone is refused with its reason', () => {
    const bad = ScheduleConfig.safeParse({ name: 'a', service: 's', cron: '99 * * * *', timezone: 'Nowhere/Town' });
    assert.ok(!bad.success);
    const messages = bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.ok(messages.some((m) => m.startsWith('cron: ') && m.includes('minute')), messages.join('; '));
    assert.ok(messages.some((m) => m.startsWith('timezone: ') && m.includes('IANA')), messages.join('; '));
  });
});

describe('missed fires after a downtime', () => {
  const every5min = (missed: MissedSpec['missed'], max = 3): MissedSpec => ({ cron: '*/5 * * * *', timezone: 'UTC', missed, max_catch_up: max });
  // Down from 10:02 to 11:00:30: the fires of 10:05 … 10:55 (11) were missed; 11:00 is on time.
  const cursor = new Date('2026-05-01T10:05:00Z');
  const now = new Date('2026-05-01T11:00:30Z');
  const iso = (dates: Date[]) => dates.map((d) => d.toISOString().slice(11, 16));

  test('skip: only the on-time fire runs; the eleven missed are recorded skipped', () => {
    const plan = planDue(every5min('skip'), cursor, now);
    assert.deepEqual(iso(plan.fire), ['11:00']);
    assert.deepEqual(plan.skipped && { count: plan.skipped.count, last: iso([plan.skipped.last]) }, { count: 11, last: ['10:55'] });
    assert.equal(plan.next?.toISOString(), '2026-05-01T11:05:00.000Z');
  });

  test('run_once: the latest missed fire runs once, then the on-time one', () => {
    const plan = planDue(every5min('run_once'), cursor, now);
    assert.deepEqual(iso(plan.fire), ['10:55', '11:00']);
    assert.deepEqual(plan.skipped && { count: plan.skipped.count, last: iso([plan.skipped.last]) }, { count: 10, last: ['10:50'] });
  });

  test('catch_up: the latest max_catch_up missed fires run, oldest first; the rest are skipped', () => {
    const plan = planDue(every5min('catch_up', 3), cursor, now);
    assert.deepEqual(iso(plan.fire), ['10:45', '10:50', '10:55', '11:00']);
    assert.deepEqual(plan.skipped && { count: plan.skipped.count, last: iso([plan.skipped.last]) }, { count: 8, last: ['10:40'] });
    const all = planDue(every5min('catch_up', 50), cursor, now);
    assert.equal(all.fire.length, 12, 'under the cap, every missed fire runs');
    assert.equal(all.skipped, null);
  });

  test('a fire late by less than MISSED_AFTER_MS is on time whatever the policy', () => {
    const fire = new Date('2026-05-01T11:00:00Z');
    const plan = planDue(every5min('skip'), fire, new Date(fire.getTime() + MISSED_AFTER_MS - 1000));
    assert.deepEqual(iso(plan.fire), ['11:00']);
    assert.equal(plan.skipped, null);
  });

  test('a downtime of weeks on an every-second schedule is counted without walking every fire', () => {
    const spec: MissedSpec = { cron: '* * * * * *', timezone: 'UTC', missed: 'catch_up', max_catch_up: 2 };
    const start = new Date('2026-05-01T00:00:00Z');
    const plan = planDue(spec, start, new Date('2026-05-20T00:00:00Z'));
    assert.ok(plan.skipped && plan.skipped.count >= 10_000, 'the skipped fires are counted, at least to the limit');
    const firedLate = plan.fire.filter((f) => f.getTime() < Date.parse('2026-05-20T00:00:00Z') - MISSED_AFTER_MS);
    assert.deepEqual(firedLate.map((f) => f.toISOString()), ['2026-05-19T23:58:58.000Z', '2026-05-19T23:58:59.000Z']);
    assert.equal(plan.fire.length, 2 + 61, 'the two caught up, and the last minute on time, both ends included');
  });
});
