import type { Actor } from '../../shared/domain.ts';

/** How an actor is written into audit rows and control flags, the same on every dialect. */
export function actorName(actor: Actor): string {
  return `${actor.user}@${actor.host}`;
}

/** The actor of changes the engine makes on its own (breaker transitions). */
export const ENGINE_ACTOR = 'engine';
