import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint, normalizeError } from './fingerprint.ts';

test('normalizeError folds numbers, ids, paths, quoted values, addresses and times', () => {
  const cases: Array<[string, string]> = [
    ['connect ECONNREFUSED 10.0.0.12:5432', 'connect econnrefused <host>'],
    ['HTTP 503 from https://api.example.com/v1/sync?id=42', 'http <n> from <url>'],
    ['exit code 2: cannot open /srv/jobs/report-2024.csv', 'exit code <n>: cannot open <path>'],
    ['job 12345 failed at 2026-11-22T07:41:01.123Z after 3.5s', 'job <n> failed at <time> after <n>s'],
    [`key 'user_9913' not found in table "orders"`, 'key <str> not found in table <str>'],
    ['request id 3f2a9c1e-8b7d-4e6f-a1b2-c3d4e5f60718 rejected', 'request id <uuid> rejected'],
    ['deadbeefcafe1234 hash mismatch 0x7fff', '<hex> hash mismatch <hex>'],
    ['container c0ffee123abc exited with 137', 'container <hex> exited with <n>'],
    ['upstream api.stripe.com:443 reset', 'upstream <host> reset'],
    ['request req_8fK2mZ91 failed', 'request <id> failed'],
    ['  Timeout\n after   30 s ', 'timeout after <n> s'],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeError(input), expected, input);
});

test('the same failure gets the same fingerprint across ids and numbers', () => {
  const a = fingerprint('job 17 failed: HTTP 503 from https://api.example.com/v1/jobs/17 (request 3f2a9c1e-8b7d-4e6f-a1b2-c3d4e5f60718)', 'sync', 'http_503');
  const b = fingerprint('job 9021 failed: HTTP 503 from https://api.example.com/v1/jobs/9021 (request 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0)', 'sync', 'http_503');
  assert.equal(a, b);
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.equal(
    fingerprint("cannot read '/tmp/a/b.txt' at 12:00:01", 'report', 'exit_code'),
    fingerprint("cannot read '/var/x.txt' at 23:59:59", 'report', 'exit_code'),
  );
});

test('different services, error classes or messages get different fingerprints', () => {
  const base = fingerprint('connection refused', 'sync', 'network');
  assert.notEqual(base, fingerprint('connection refused', 'billing', 'network'));
  assert.notEqual(base, fingerprint('connection refused', 'sync', 'timeout'));
  assert.notEqual(base, fingerprint('permission denied', 'sync', 'network'));
});
