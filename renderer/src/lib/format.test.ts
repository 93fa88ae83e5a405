import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ageSeconds, displayZone, formatAgo, formatBytes, formatClock, formatCompactCount, formatCount, formatMs, formatOtherZone, formatPercent, formatSeconds, formatTime, formatUtc, hoverShows } from './format.ts';

const NOW = Date.parse('2026-11-22T08:00:00.000Z');

describe('format', () => {
  test('counts group thousands; nothing known is a dash', () => {
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(null), '—');
    assert.equal(formatCount(undefined), '—');
  });

  test('a compact count is exact up to 9,999, then keeps three significant digits: never capped', () => {
    assert.equal(formatCompactCount(7), '7');
    assert.equal(formatCompactCount(9999), '9,999');
    assert.equal(formatCompactCount(33_495), '33.5K');
    assert.equal(formatCompactCount(123_456), '123K');
    assert.equal(formatCompactCount(1_234_567), '1.23M');
  });

  test('a small failure rate keeps one decimal, a large one none', () => {
    assert.equal(formatPercent(0.0123), '1.2%');
    assert.equal(formatPercent(0.25), '25%');
    assert.equal(formatPercent(0), '0.0%');
    assert.equal(formatPercent(null), '—');
  });

  test('durations in seconds read as the two largest units', () => {
    assert.equal(formatSeconds(42.4), '42s');
    assert.equal(formatSeconds(423), '7m 3s');
    assert.equal(formatSeconds(5 * 3600 + 12 * 60 + 59), '5h 12m');
    assert.equal(formatSeconds(3 * 86_400 + 4 * 3600 + 1), '3d 4h');
    assert.equal(formatSeconds(-5), '0s');
    assert.equal(formatSeconds(Number.NaN), '—');
    assert.equal(formatSeconds(Number.POSITIVE_INFINITY), '—');
  });

  test('milliseconds below a second stay whole, above it become seconds', () => {
    assert.equal(formatMs(12.6), '13 ms');
    assert.equal(formatMs(1234), '1.23 s');
    assert.equal(formatMs(12_345), '12.3 s');
    assert.equal(formatMs(null), '—');
  });

  test('sizes in binary units, a dash when unknown', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(3482), '3.4 KiB');
    assert.equal(formatBytes(12 * 1024 * 1024), '12.0 MiB');
    assert.equal(formatBytes(1.25 * 1024 ** 3), '1.25 GiB');
    assert.equal(formatBytes(null), '—');
  });

  test('ages count from the given clock, the future says "in"', () => {
    assert.equal(ageSeconds('2026-11-22T07:59:00.000Z', NOW), 60);
    assert.equal(ageSeconds(null, NOW), null);
    assert.equal(formatAgo('2026-11-22T07:58:30.000Z', NOW), '1m 30s ago');
    assert.equal(formatAgo('2026-11-22T08:05:00.000Z', NOW), 'in 5m 0s');
    assert.equal(formatAgo(undefined, NOW), '—');
  });

  test('a moment a little ahead of this clock (another machine) is "0s ago", not "in 0s"', () => {
    assert.equal(formatAgo('2026-11-22T08:00:00.400Z', NOW), '0s ago');
    assert.equal(formatAgo('2026-11-22T08:00:00.000Z', NOW), '0s ago');
  });

  test('a missing time is a dash', () => {
    assert.equal(formatTime(null, 'local'), '—');
    assert.equal(formatTime(undefined, 'utc'), '—');
    assert.notEqual(formatTime('2026-11-22T08:00:00.000Z', 'local'), '—');
    // Year first in every locale, with the zone's offset as the CLI writes it; under TZ=UTC the clock reads as the ISO time does.
    assert.match(formatTime('2026-12-06T03:04:05.000Z', 'local'), /^2026-12-0[56] \d\d:\d\d:05(Z|[+-]\d\d:\d\d)$/);
    if (Intl.DateTimeFormat().resolvedOptions().timeZone === 'UTC') assert.equal(formatTime('2026-12-06T00:04:05.000Z', 'local'), '2026-12-06 00:04:05Z');
  });

  test('a time says its zone, as the CLI writes it: a table\'s time and the header\'s are read alike', () => {
    const before = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
    try {
      assert.equal(formatTime('2026-12-06T20:46:48.000Z', 'local'), '2026-12-06 21:46:48+01:00');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});

describe('time zones', () => {
  test('the UTC form of a moment, for the hover of a local time', () => {
    assert.equal(formatUtc('2026-12-04T23:10:05.123+01:00'), '2026-12-04 22:10:05 UTC');
    assert.equal(formatUtc('not a time'), 'not a time');
  });

  test('the zone times are shown in, with its offset at that moment (summer time included)', () => {
    const before = process.env.TZ;
    process.env.TZ = 'America/St_Johns';
    try {
      assert.equal(displayZone('local', new Date('2026-01-15T12:00:00Z')), 'America/St_Johns (UTC-03:30)');
      assert.equal(displayZone('local', new Date('2026-07-15T12:00:00Z')), 'America/St_Johns (UTC-02:30)');
      process.env.TZ = 'Europe/Berlin';
      assert.equal(displayZone('local', new Date('2026-01-15T12:00:00Z')), 'Europe/Berlin (UTC+01:00)');
      // London's winter offset is zero, yet it moves: it stays said.
      process.env.TZ = 'Europe/London';
      assert.equal(displayZone('local', new Date('2026-01-15T12:00:00Z')), 'Europe/London (UTC+00:00)');
      for (const utc of ['UTC', 'Etc/UTC', 'GMT']) {
        process.env.TZ = utc;
        assert.equal(displayZone('local', new Date('2026-07-15T12:00:00Z')), 'UTC', `${utc} is UTC, said once`);
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  test("a time's hover is named unless the browser's zone is UTC, where it shows the same moment again", () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'Europe/Berlin';
      assert.equal(hoverShows('local'), 'UTC');
      assert.equal(hoverShows('utc'), 'your local time');
      // London's winter offset is zero, but not its summer's: its hover is worth a word.
      process.env.TZ = 'Europe/London';
      assert.equal(hoverShows('local', new Date('2026-01-15T12:00:00Z')), 'UTC');
      for (const utc of ['UTC', 'Etc/UTC', 'GMT']) {
        process.env.TZ = utc;
        assert.equal(hoverShows('local'), null, `${utc}: nothing to hover for`);
        assert.equal(hoverShows('utc'), null, `${utc}: its local time is UTC`);
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  test('UTC chosen: every form of a time is UTC whatever the machine\'s zone, and the hover gives the local reading instead', () => {
    const before = process.env.TZ;
    process.env.TZ = 'Asia/Kathmandu';
    try {
      const iso = '2026-12-06T20:46:48.000Z';
      assert.equal(formatTime(iso, 'local'), '2026-12-07 02:31:48+05:45');
      assert.equal(formatTime(iso, 'utc'), '2026-12-06 20:46:48Z');
      assert.equal(formatClock(iso, 'local'), '02:31');
      assert.equal(formatClock(iso, 'utc'), '20:46');
      assert.equal(formatClock('2026-12-06T00:04:05.000Z', 'utc'), '00:04', 'midnight is 00, not 24');
      assert.equal(formatOtherZone(iso, 'local'), '2026-12-06 20:46:48 UTC');
      assert.equal(formatOtherZone(iso, 'utc'), '2026-12-07 02:31:48+05:45');
      assert.equal(displayZone('utc'), 'UTC');
      // ICU may name the zone by its older spelling, Asia/Katmandu.
      assert.match(displayZone('local', new Date(iso)), /^Asia\/Kath?mandu \(UTC\+05:45\)$/);
      assert.equal(formatClock('not a time', 'utc'), 'not a time');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});
