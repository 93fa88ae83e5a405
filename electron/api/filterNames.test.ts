import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { storeWith } from '../store/testing/storeWith.ts';
import { unknownFilterNames } from './filterNames.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

for (const dialect of ['sqlite', 'postgres'] as const) describe(`a filter's service names (${dialect})`, () => {
  it('are known by their jobs from the kept counts, never by reading the jobs (a typo would read every one)', async () => {
    t = await createTestContext('services:\n  - name: payments\n    execution_type: noop\n', dialect);
    await t.deadLetters('old_reports', 2, 'gone');
    const ctx = {
      ...t.ctx,
      store: storeWith(t.store, {
        listJobs: () => Promise.reject(new Error('listJobs reads the jobs themselves: no index covers a service alone')),
      }),
    };
    assert.deepEqual(await unknownFilterNames(ctx, { service: 'old_reports' }), [], 'known by its finished jobs alone');
    const [typo] = await unknownFilterNames(ctx, { service: 'OLD_REPORTS' });
    assert.match(typo?.message ?? '', /^no service named OLD_REPORTS \(did you mean old_reports\?\)/);
    const [none] = await unknownFilterNames(ctx, { service: 'paymnts' });
    assert.match(none?.message ?? '', /^no service named paymnts \(did you mean payments\?\): neither the registry nor any job, breaker or worker names it; known: payments$/);
  });
});
