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
