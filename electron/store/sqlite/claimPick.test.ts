import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickFromLanes, type Head } from './claimPick.ts';

/** A small deterministic generator, so a failure names a seed that reproduces it. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

interface Fixture {
  lanes: Array<{ queue: string; service_name: string; rows: Head[] }>;
  all: Head[];
}

function fixture(seed: number, laneCount: number, rowsPerLane: (g: number) => number): Fixture {
  const random = generator(seed);
  let id = 0;
  const lanes = Array.from({ length: laneCount }, (_, g) => {
    const rows: Head[] = Array.from({ length: rowsPerLane(g) }, () => ({
      id: ++id,
      service_name: `s${g % 4}`,
      priority: Math.floor(random() * 3),
      run_at: new Date(1_700_000_000_000 + Math.floor(random() * 50) * 1000).toISOString(),
    }));
    rows.sort((a, b) => b.priority - a.priority || (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : 0) || a.id - b.id);
    return { queue: `q${g}`, service_name: `s${g % 4}`, rows };
  });
  return { lanes, all: lanes.flatMap((g) => g.rows) };
}

/** What a walk of the whole dispatch order takes. */
function walk(all: Head[], limit: number, caps: Map<string, number>): number[] {
  const ordered = [...all].sort((a, b) => b.priority - a.priority || (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : 0) || a.id - b.id);
  const taken = new Map<string, number>();
  const out: number[] = [];
  for (const row of ordered) {
    if (out.length >= limit) break;
    const n = taken.get(row.service_name) ?? 0;
    if (n >= (caps.get(row.service_name) ?? Infinity)) continue;
    taken.set(row.service_name, n + 1);
    out.push(row.id);
  }
  return out;
}

function counted(): { read: (lane: Fixture['lanes'][number], n: number) => Head[]; rows: () => number } {
  let rows = 0;
  return {
    read: (lane, n) => {
      const head = lane.rows.slice(0, n);
      rows += head.length;
      return head;
    },
    rows: () => rows,
  };
}

test('the lanes give exactly what a walk of the whole order would, caps and all', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const random = generator(seed * 7919);
    const s = fixture(seed, 1 + Math.floor(random() * 12), (g) => (g === 0 ? Math.floor(random() * 400) : Math.floor(random() * 60)));
    const limit = 1 + Math.floor(random() * 200);
    const caps = new Map<string, number>(random() < 0.5 ? [['s0', Math.floor(random() * 50)], ['s2', Math.floor(random() * 5)]] : []);
    const reader = counted();
    assert.deepEqual(pickFromLanes(s.lanes, { limit, caps }, reader.read), walk(s.all, limit, caps), `seed ${seed}`);
  }
});

test('heads are read about as deep as the claim needs, not to its limit in every lane', () => {
  const s = fixture(42, 30, () => 1000);
  const reader = counted();
  const chosen = pickFromLanes(s.lanes, { limit: 500, caps: new Map() }, reader.read);
  assert.deepEqual(chosen, walk(s.all, 500, new Map()));
  assert.ok(reader.rows() <= 2 * 500 + 30 * 16, `read ${reader.rows()} rows of 30 lanes for a claim of 500`);
});
