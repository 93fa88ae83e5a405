import type { ControlState } from '../../../../shared/domain.ts';
import type { ControlChanged } from '../../../../shared/views.ts';

/**
 * The notice a control call leaves: one that changed nothing (another operator got there first, or this
 * console's state was behind) says so in the API's words, never what it would have done; one that changed
 * the state says `done`'s words, or nothing where the banner and the live announcements say it.
 */
export function controlNotice(result: ControlChanged, done?: (state: ControlState) => string): string | null {
  const { changed, note, ...state } = result;
  if (!changed) return sentence(note ?? 'nothing changed');
  return done ? done(state) : null;
}

/** The API's lower-case clause as a notice's sentence. */
function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
