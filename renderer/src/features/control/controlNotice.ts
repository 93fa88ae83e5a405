import type { ControlState } from '../../../../shared/domain.ts';
import { stopFoundText } from '../../../../shared/stopFound.ts';
import type { ControlChanged, StopFound } from '../../../../shared/views.ts';

/**
 * The notice a control call leaves: one that changed nothing (another operator got there first, or this
 * console's state was behind) says so in the API's words, never what it would have done; an emergency stop
 * says what it asked to stop and held, which no banner shows; another change says `done`'s words, or nothing
 * where the banner and the live announcements say it.
 */
export function controlNotice(result: ControlChanged & { stopped?: StopFound | null }, done?: (state: ControlState) => string): string | null {
  const { changed, note, stopped, ...state } = result;
  if (!changed) return sentence(note ?? 'nothing changed');
  // That it engaged, the banner shows and the live announcements say: this says what it stopped.
  if (stopped) return sentence(`emergency stop: ${stopFoundText(stopped)}`);
  return done ? done(state) : null;
}

/** The API's lower-case clause as a notice's sentence. */
function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
