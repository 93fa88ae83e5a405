import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuLimitEnd } from './cpuLimit.ts';

const TICKS = 'the kernel counts the limit in clock ticks of user+system time, which can run ahead of the time measured';

test('SIGXCPU under a CPU limit is the limit, named in the runbook words, with the CPU time measured when it was', () => {
  assert.equal(cpuLimitEnd('SIGXCPU', undefined, 1), 'resource limit exceeded: CPU limit of 1s (killed by SIGXCPU)', 'unmeasured: no figure claimed');
  assert.equal(cpuLimitEnd('SIGXCPU', 1010, 1), `resource limit exceeded: CPU limit of 1s (killed by SIGXCPU after 1.01s of CPU time measured; ${TICKS})`);
});

test('CPU time measured short of the limit is explained, not left to contradict it, in the same words as any other', () => {
  assert.equal(cpuLimitEnd('SIGXCPU', 1750, 2), `resource limit exceeded: CPU limit of 2s (killed by SIGXCPU after 1.75s of CPU time measured; ${TICKS})`);
});

test("a SIGKILL is the limit's only with the CPU time to show for it", () => {
  assert.equal(cpuLimitEnd('SIGKILL', 2010, 1), `resource limit exceeded: CPU limit of 1s (killed by SIGKILL at the hard limit of 2s after 2.01s of CPU time measured; ${TICKS})`);
  assert.equal(cpuLimitEnd('SIGKILL', 1800, 1), `resource limit exceeded: CPU limit of 1s (killed by SIGKILL at the hard limit of 2s after 1.80s of CPU time measured; ${TICKS})`);
  assert.equal(cpuLimitEnd('SIGKILL', 300, 1), null, 'killed by something else before it had used its second');
  assert.equal(cpuLimitEnd('SIGKILL', undefined, 1), null, 'unmeasured: no evidence');
});

test('without a CPU limit no signal is the limit', () => {
  assert.equal(cpuLimitEnd('SIGXCPU', 5000, undefined), null);
  assert.equal(cpuLimitEnd('SIGKILL', 5000, undefined), null);
  assert.equal(cpuLimitEnd('SIGTERM', 5000, 1), null);
});
