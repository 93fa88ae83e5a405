import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NODE_HEIGHT, NODE_WIDTH, layoutTasks } from './graphLayout.ts';

test('upstream tasks are laid out to the left of what depends on them, without overlaps', () => {
  const layout = layoutTasks([
    { name: 'a', depends_on: [] },
    { name: 'b', depends_on: ['a'] },
    { name: 'c', depends_on: ['a'] },
    { name: 'd', depends_on: ['b'] },
    { name: 'e', depends_on: ['c', 'd'] },
  ]);
  const at = new Map(layout.nodes.map((n) => [n.name, n]));
  const x = (name: string) => at.get(name)?.x ?? Number.NaN;
  assert.ok(x('a') < x('b') && x('a') < x('c') && x('b') < x('d') && x('d') < x('e'));
  for (const n of layout.nodes) {
    for (const m of layout.nodes) {
      if (n === m) continue;
      const apart = Math.abs(n.x - m.x) >= NODE_WIDTH || Math.abs(n.y - m.y) >= NODE_HEIGHT;
      assert.ok(apart, `${n.name} and ${m.name} do not overlap`);
    }
    assert.ok(n.x >= 0 && n.y >= 0 && n.x + NODE_WIDTH <= layout.width && n.y + NODE_HEIGHT <= layout.height, `${n.name} is inside the drawing`);
  }
  assert.deepEqual(layout.edges.map((e) => `${e.from}->${e.to}`).sort(), ['a->b', 'a->c', 'b->d', 'c->e', 'd->e']);
  assert.ok(layout.edges.every((e) => e.points.length >= 2));
});

test('a dependency on a task that is not there draws no edge', () => {
  const layout = layoutTasks([{ name: 'only', depends_on: ['gone'] }]);
  assert.equal(layout.nodes.length, 1);
  assert.equal(layout.edges.length, 0);
});
