import type { AnsweredBy } from './context.ts';

const PROCESS: Record<AnsweredBy, string> = {
  console: "the console's process",
  command: "this command's process",
  api: "the API server's process",
  worker: "this worker's process",
};

/** The process that made a check, in words: "the console's process". */
export function processWords(by: AnsweredBy | undefined): string {
  return by === undefined ? 'this process' : PROCESS[by];
}

/**
 * Whether this process evaluates the fleet's alerts when the store's lease comes to it: the long-lived
 * hosts do (the console, a worker); a command, or the API server, whose environment may lack the channels', never sends one.
 */
export function evaluatesAlerts(by: AnsweredBy | undefined): boolean {
  return by === 'console' || by === 'worker';
}

const OWN_POOL: Record<AnsweredBy, string> = {
  console: "the console's own pool",
  command: "this command's own pool",
  api: "the API server's own pool",
  worker: "this worker's own pool",
};

/** The pool of the process making a check, never a worker's (unless it is one): "this command's own pool". */
export function ownPoolWords(by: AnsweredBy | undefined): string {
  return by === undefined ? "this process's own pool" : OWN_POOL[by];
}

const READING: Record<AnsweredBy, string> = {
  console: "the console's own reading",
  command: "this check's reading",
  api: "the API server's own reading",
  worker: "this worker's own reading",
};

/** Whose reading of a file a check reports: "this check's reading" from a command, "the console's own reading" in the console. */
export function readingWords(by: AnsweredBy | undefined): string {
  return by === undefined ? "this process's own reading" : READING[by];
}
