/**
 * The message a host gives an input the contract refuses: the call named, for the CLI, logs and REST
 * clients, then the first problem. The console shows the problems (`issues`) with their fields instead, and
 * knows this message by its start, so the wording lives here once for both.
 */
export function invalidInputMessage(call: string, detail: string): string {
  return `invalid input for ${call}: ${detail}`;
}

/** Whether a host's error message is that refusal, for this call. */
export function isInvalidInputMessage(call: string, message: string): boolean {
  return message.startsWith(invalidInputMessage(call, ''));
}
