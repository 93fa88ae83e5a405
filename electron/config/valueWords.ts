import { closest } from '../../shared/closestWord.ts';
import type { PathKey } from './locate.ts';

/** What each choice of a registry setting means, where its name alone does not say it. */
const CHOICE_WORDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  mode: { ro: 'read-only', rw: 'read-write' },
  provider: { aws_lambda: 'AWS Lambda, called through its API', http_function: 'any function called at its URL: Google Cloud Functions, Azure Functions, Cloud Run' },
  pull_policy: { always: 'pull before every run', if_not_present: 'pull when missing', never: 'use the local image only' },
  on_interrupt: { requeue: 'run it again', fail: 'fail the job' },
};

/** A provider opsdeck has no client of, yet reaches over HTTP: what to write instead. */
const OVER_HTTP = /gcp|google|gcf|azure|cloud.?run|cloud.?function|openfaas|knative|vercel|netlify|cloudflare/i;

function either(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}

/**
 * A value none of a setting's choices, in words: `mode takes ro (read-only) or rw (read-write), not "xx"`,
 * where zod said `Invalid option: expected one of "ro"|"rw"`.
 */
export function choiceMessage(key: PathKey | undefined, value: unknown, choices: readonly unknown[]): string {
  const name = typeof key === 'string' ? key : 'it';
  const given = typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? 'nothing');
  if (key === 'provider' && typeof value === 'string' && OVER_HTTP.test(value)) {
    return `${name} takes ${either(choices.map(String))}, not ${given}: a Google Cloud, Azure or other function called at its URL is provider: http_function, with its url`;
  }
  const words = typeof key === 'string' ? CHOICE_WORDS[key] : undefined;
  const named = choices.map((c) => {
    const text = String(c);
    return words?.[text] ? `${text} (${words[text]})` : text;
  });
  const base = `${name} takes ${either(named)}, not ${given}`;
  // Two letters are too few to guess from: "xx" is as near ro as rw.
  const meant = typeof value === 'string' && value.length > 2 ? closest(value, choices.map(String)) : null;
  return meant ? `${base} (did you mean ${meant}?)` : base;
}

/**
 * A list given as one string: `command: "python script.py"` is zod's "expected array, received string".
 * Says so, with the list it likely means: the program, then each argument on its own.
 */
export function listMessage(key: PathKey | undefined, value: string): string {
  const items = value.trim().split(/\s+/).filter((w) => w !== '');
  const example = `[${items.map((w) => JSON.stringify(w)).join(', ')}]`;
  if (key === 'command') {
    return `command is a list of arguments, the program first, not one string: write ${example} (each argument is passed as it is, with no shell to split it)`;
  }
  return `${typeof key === 'string' ? key : 'it'} is a list, not one string: write ${example}`;
}
