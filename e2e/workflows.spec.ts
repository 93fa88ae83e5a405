import { test } from './fixtures.ts';
import { walkThroughWorkflow } from './support/workflowWalk.ts';

test('run a three-task workflow, watch a failing task block its dependent, retry it from the console and see the run finish', async ({ opsdeck }) => {
  await walkThroughWorkflow(opsdeck);
});
