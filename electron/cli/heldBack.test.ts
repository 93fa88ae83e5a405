import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heldBackLine } from './heldBack.ts';

describe('heldBackLine', () => {
  it('writes its counts as every interface writes a count, thousands separated', () => {
    assert.match(heldBackLine({ due: 20_000, byBreaker: [], declined: [] }) ?? '', /^stopped with 20,000 due job\(s\) still pending: held back by /);
    const line = heldBackLine({ due: 12_500, byBreaker: [{ service_name: 'vendor', mode: 'force_open', state: 'closed', jobs: 10_000 }], declined: [{ service_name: 'billing', jobs: 1_500 }] }) ?? '';
    assert.match(line, /^stopped with 12,500 due job\(s\) still pending\. 10,000 jobs of vendor wait: .*\. 1,500 of service billing left to other workers: .*\. The other 1,000: held back by /);
  });
});
