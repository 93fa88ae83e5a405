import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Registry } from '../../shared/registry.ts';
import { lineLogger } from '../log/logger.ts';
import { ForeignServices } from './foreignServices.ts';

test('a service left out is said once, and forgotten when the registry changes, since the new one may have it', () => {
  const lines: string[] = [];
  const log = lineLogger((line) => lines.push(line), 'info');
  const foreign = new ForeignServices();
  const first: Registry = { services: [] };
  assert.equal(foreign.leaveOut('billing', first, log), "service billing is not in this worker's registry: handed back for a worker that has it");
  foreign.leaveOut('billing', first, log);
  foreign.leaveOut('reports', first, log);
  assert.deepEqual(foreign.names(first), ['billing', 'reports']);
  assert.equal(lines.filter((l) => l.includes('billing')).length, 1, 'said once per service');
  const reloaded: Registry = { services: [] };
  assert.deepEqual(foreign.names(reloaded), [], 'a reloaded registry starts afresh');
});
