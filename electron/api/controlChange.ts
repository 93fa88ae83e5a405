import type { ControlChanged } from '../../shared/views.ts';
import type { ControlChange } from '../store/controlStore.ts';

/**
 * What a control call asked for, to say it when it was already so: "emergency stop released" for a
 * resume that released nothing would read as this operator's doing, and as a stop someone else had engaged.
 */
export type ControlAsk =
  | { kind: 'emergency_stop'; engaged: boolean }
  | { kind: 'safe_mode'; engaged: boolean }
  | { kind: 'queue'; queue: string; paused: boolean };

function byText(by: string | null | undefined): string {
  return by ? ` by ${by}` : '';
}

/** The sentence for an ask that changed nothing, from the state in force. */
export function unchangedNote(ask: ControlAsk, { state }: ControlChange): string {
  switch (ask.kind) {
    case 'emergency_stop':
      return ask.engaged
        ? `the emergency stop was already engaged${byText(state.emergency_stop.by)}; nothing changed`
        : 'the emergency stop was not engaged; nothing changed';
    case 'safe_mode':
      if (!ask.engaged) return 'safe mode was not on; nothing changed';
      return `safe mode was already on${state.safe_mode.by ? ` (turned on by ${state.safe_mode.by})` : ''}; nothing changed`;
    case 'queue': {
      const paused = state.paused_queues.find((p) => p.queue === ask.queue);
      return ask.paused ? `queue ${ask.queue} was already paused${byText(paused?.by)}; nothing changed` : `queue ${ask.queue} was not paused; nothing changed`;
    }
  }
}

/** What a control call answers: the state, whether it changed, and if not the sentence that says so. */
export function controlAnswer(ask: ControlAsk, change: ControlChange): ControlChanged {
  return { ...change.state, changed: change.changed, note: change.changed ? null : unchangedNote(ask, change) };
}
