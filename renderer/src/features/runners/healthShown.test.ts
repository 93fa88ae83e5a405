import assert from 'node:assert/strict';
import { test } from 'node:test';
import { healthShown } from './healthShown.ts';

test('the health checks show once: the newer report of "Run health check" and "Diagnose"', () => {
  assert.equal(healthShown(null, null), null);
  assert.equal(healthShown(1000, null), 'health');
  assert.equal(healthShown(null, 1000), 'diagnosis');
  assert.equal(healthShown(1000, 2000), 'diagnosis', 'Diagnose after the health check: its list, not both');
  assert.equal(healthShown(3000, 2000), 'health', 'a health check after Diagnose: the fresh list alone, the diagnosis without its older one');
});
