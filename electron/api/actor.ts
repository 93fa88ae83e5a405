import os from 'node:os';
import type { Actor } from '../../shared/domain.ts';

/** The OS user and host this process runs as: who an operator's action is written down as. */
export function currentActor(): Actor {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment still names the user.
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return { user: user || 'unknown', host: os.hostname() || 'unknown' };
}

export function formatActor(actor: Actor): string {
  return `${actor.user}@${actor.host}`;
}
