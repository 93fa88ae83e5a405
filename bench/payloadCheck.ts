import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { parseCallResponse } from '../renderer/src/lib/parse.ts';

/**
 * `node bench/payloadCheck.ts [KB] [ROUNDS]`: how long the console takes to check the answer to jobs.get
 * for a job whose payload is about KB kilobytes (900 by default): rows of a report, as a large import
 * job carries them. The answer is parsed from its JSON text first, as the browser host's fetch does;
 * only the check against the contract is timed. zod runs jitless, as the console's CSP makes it.
 * Prints one JSON line: the median and the slowest of ROUNDS checks (after two to warm up).
 */

z.config({ jitless: true });

function payloadOf(kb: number): unknown {
  const rows: unknown[] = [];
  let size = 0;
  for (let i = 0; size < kb * 1024; i++) {
    const row = { id: i, sku: `SKU-${i.toString(36).padStart(6, '0')}`, qty: i % 17, price: (i % 997) / 7, tags: ['a', 'b'], ok: i % 3 === 0, note: null };
    size += JSON.stringify(row).length + 1;
    rows.push(row);
  }
  return { import: 'orders', rows };
}

function answerText(payload: unknown): string {
  const at = '2026-12-07T04:00:00.000Z';
  const job = {
    id: 1, identifier: 'import-1', queue: 'default', service_name: 'import', execution_type: 'shell', payload, status: 'completed',
    priority: 0, attempts: 1, max_attempts: 3, run_at: at, lease_owner: null, lease_expires_at: null, created_at: at, started_at: at,
    completed_at: at, updated_at: at, error_message: null, error_fingerprint: null, resource_usage: { duration_ms: 5 }, security_context: null,
    resolved_at: null, resolution: null, cancel_requested: false,
  };
  return JSON.stringify({ ok: true, result: { job, attempts: [], stuck: false } });
}

const kb = Number(process.argv[2] ?? 900);
const rounds = Number(process.argv[3] ?? 15);
const text = answerText(payloadOf(kb));
const times: number[] = [];
for (let round = 0; round < rounds + 2; round++) {
  const raw: unknown = JSON.parse(text);
  const t0 = performance.now();
  parseCallResponse('jobs.get', raw);
  if (round >= 2) times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const ms = (n: number) => Math.round(n * 100) / 100;
console.log(JSON.stringify({ call: 'jobs.get', payload_kb: Math.round(text.length / 1024), rounds, median_ms: ms(times[Math.floor(times.length / 2)] ?? 0), max_ms: ms(times.at(-1) ?? 0), node: process.version }));
