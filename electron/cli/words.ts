import { CLI_CHECK, CLI_RESET } from '../../shared/breakerRecord.ts';
import { CLI_STUCK_WORDS } from '../../shared/lostLeasesText.ts';
import type { ControlHold, InterfaceWords, PointedCall } from '../api/interfaceWords.ts';
import { optionOf } from './inputProblems.ts';

const COMMANDS: Record<PointedCall, (input: Readonly<Record<string, string>>) => string> = {
  'workers.list': () => 'opsdeck workers',
  'workers.forget': (input) => `opsdeck workers forget ${input.id ?? 'ID'}`,
  'breakers.list': () => 'opsdeck breaker list',
  'schedules.list': () => 'opsdeck schedule list',
  'schedules.pause': (input) => `opsdeck schedule pause ${input.name ?? 'NAME'}`,
  'runners.list': () => 'opsdeck runners',
  'alerts.history': () => 'opsdeck alerts history',
  'registry.validate': (input) => `opsdeck validate-config ${input.path ?? 'FILE'}`,
  'runners.connectivity': (input) => `opsdeck test-connectivity ${input.service ?? 'SERVICE'}`,
  'runners.validateToken': (input) => `opsdeck validate-token ${input.service ?? 'SERVICE'}`,
};

function release(hold: ControlHold): string {
  if (hold.kind === 'emergency_stop') return 'opsdeck resume releases it';
  if (hold.kind === 'safe_mode') return 'opsdeck safe-mode off';
  return `opsdeck unpause ${hold.queue}`;
}

/** The command line's words for what to do next: its options and commands. */
export const CLI_WORDS: InterfaceWords = {
  input: (call, field, value) => (value === true ? optionOf(call, field) : `${optionOf(call, field)} ${String(value)}`),
  call: (call, input = {}) => COMMANDS[call](input),
  loadRegistry: () => 'pass --registry FILE (or set OPSDECK_REGISTRY)',
  release,
  resetBreaker: CLI_RESET,
  startWorker: () => 'opsdeck worker',
  moreCapacity: () => 'start another worker (opsdeck worker) or restart one with a higher --concurrency',
  rateLimitDefaults: (service, registry) => `opsdeck rate-limit tune ${service} --defaults goes back to the registry's: ${registry}`,
  workflowRun: {
    show: (run) => `opsdeck workflow show ${run ?? 'RUN'} says which task holds ${run === null ? 'each' : 'it'}`,
    cancel: (run) => `opsdeck workflow cancel ${run ?? 'RUN'} ends ${run === null ? 'one' : 'it'}`,
    retry: (run) => `opsdeck workflow retry ${run ?? 'RUN'} runs its failed and cancelled tasks again`,
  },
  migrate: () => 'run opsdeck migrate',
  stuckJobs: CLI_STUCK_WORDS,
  stuckJob: (id) => ({ list: 'opsdeck jobs --stuck lists it', fail: `opsdeck fail ${id} --reason TEXT fails it` }),
  checkByHand: CLI_CHECK,
  healthCheck: (check) => `opsdeck health-check ${check}`,
};
