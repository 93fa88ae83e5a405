import { CLI_RESET } from '../../shared/breakerRecord.ts';
import type { ControlHold, InterfaceWords, PointedCall } from '../api/interfaceWords.ts';
import { optionOf } from './inputProblems.ts';

const COMMANDS: Record<PointedCall, (input: Readonly<Record<string, string>>) => string> = {
  'workers.list': () => 'opsdeck workers',
  'workers.forget': (input) => `opsdeck workers forget ${input.id ?? 'ID'}`,
  'breakers.list': () => 'opsdeck breaker list',
  'schedules.list': () => 'opsdeck schedule list',
  'schedules.pause': (input) => `opsdeck schedule pause ${input.name ?? 'NAME'}`,
  'runners.list': () => 'opsdeck runners',
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
};
