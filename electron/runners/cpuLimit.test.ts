import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuLimitEnd } from './cpuLimit.ts';

test('SIGXCPU under a CPU limit is the limit, named in the runbook words', () => {
  assert.equal(cpuLimitEnd('SIGXCPU', 1010, 1), 'resource limit exceeded: CPU limit of 1s (killed by SIGXCPU)');
  assert.equal(cpuLimitEnd('SIGXCPU', undefined, 1), 'resource limit exceeded: CPU limit of 1s (killed by SIGXCPU)', 'whether or not CPU time was measured');
});

test("a SIGKILL is the limit's only with the CPU time to show for it", () => {
  assert.equal(cpuLimitEnd('SIGKILL', 2010, 1), 'resource limit exceeded: CPU limit of 1s (killed by SIGKILL at the hard limit after 2.0s of CPU)');
  assert.equal(cpuLimitEnd('SIGKILL', 300, 1), null, 'killed by something else before it had used its second');
  assert.equal(cpuLimitEnd('SIGKILL', undefined, 1), null, 'unmeasured: no evidence');
});

test('without a CPU limit no signal is the limit', () => {
  assert.equal(cpuLimitEnd('SIGXCPU', 5000, undefined), null);
  assert.equal(cpuLimitEnd('SIGKILL', 5000, undefined), null);
  assert.equal(cpuLimitEnd('SIGTERM', 5000, 1), null);
});
