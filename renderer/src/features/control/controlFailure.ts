import { controlAsked, controlNotTakenText, type ControlAsked, type ControlCall } from '../../../../shared/controlNotTaken.ts';
import { CallError, errorMessage } from '../../lib/callError.ts';

/** Asking again in the console: the control that asked, where it is. */
function againHere(asked: ControlAsked): string {
  switch (asked.kind) {
    case 'emergency_stop':
      return asked.engage ? 'press Emergency stop again' : 'press Resume in the Emergency stop banner again';
    case 'safe_mode':
      return asked.engage ? 'press Enter safe mode again' : 'press Leave safe mode again';
    case 'queue':
      return `${asked.pause ? 'pause' : 'resume'} queue ${asked.queue} again`;
  }
}

/**
 * The notice a failed control call leaves. One the store did not take (it does not answer) says plainly that
 * the change was NOT made, and stays until dismissed: the drill's console showed only the store's error in a
 * toast that went away, and the button read "Emergency stop" again, as if the stop might have held. Any
 * other failure is the call's own message, as before.
 */
export function controlFailure(call: ControlCall, input: Parameters<typeof controlAsked>[1], error: unknown): { text: string; sticky: boolean } {
  if (!(error instanceof CallError) || error.code !== 'unavailable') return { text: errorMessage(error), sticky: false };
  const asked = controlAsked(call, input);
  const text = controlNotTakenText(asked, { problem: error.message, lasting: error.action !== undefined }, againHere(asked));
  return { text: `${text.charAt(0).toUpperCase()}${text.slice(1)}`, sticky: true };
}
