import { editDistance } from '../../shared/closestWord.ts';

/**
 * "Did you mean" for a word typed as a command. A guess an operator may paste must be the command they
 * meant or none: a short word is nearly as close to many commands (`ps` was two edits from `api`, `top`
 * inside `emergency-stop`), and a longer one that merely begins with a command (`worker-budgets`) means
 * something else. So a guess is a slip of the keys in a word long enough to tell (one edit in four
 * letters, at most two), or a word that is the whole part of a command's name between hyphens
 * (`health` of health-check). The caller offers only the commands that read (commands/index.ts).
 */

/** How many slips a word of this length may hold and still be told from the others: none under four letters. */
function slipsAllowed(length: number): number {
  return Math.min(2, Math.floor(length / 4));
}

/** The shortest part of a name a word may stand for: `test` of test-connectivity, never `api` of api-key. */
const SHORTEST_PART = 4;

/**
 * The command or alias the typed word most likely meant, or null when none is close enough to say so.
 * Only a command's name is split into parts: an alias's (`list` of list-runners) says too little.
 */
export function guessCommand(typed: string, commands: readonly string[], aliases: readonly string[] = []): string | null {
  const word = typed.toLowerCase();
  let best: string | null = null;
  let bestSlips = slipsAllowed(word.length) + 1;
  for (const candidate of [...commands, ...aliases]) {
    const n = editDistance(word, candidate);
    if (n < bestSlips) {
      best = candidate;
      bestSlips = n;
    }
  }
  if (best !== null) return best;
  if (word.length < SHORTEST_PART) return null;
  const parts = commands.filter((command) => command.split('-').includes(word));
  // Two commands with that part (a word both could mean) is no guess.
  return parts.length === 1 ? (parts[0] ?? null) : null;
}
