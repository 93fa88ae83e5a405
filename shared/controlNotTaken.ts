/** A control change an operator asked for: the emergency stop, safe mode or a queue's pause, on or off. */
export type ControlAsked = { kind: 'emergency_stop'; engage: boolean } | { kind: 'safe_mode'; engage: boolean } | { kind: 'queue'; queue: string; pause: boolean };

/** The contract's control calls: each asks for one ControlAsked. */
export type ControlCall = 'control.emergencyStop' | 'control.resume' | 'control.safeMode' | 'control.pauseQueue';

/** What a control call asks for, from its name and input (a safe mode's `enabled`, a queue's name and `paused`). */
export function controlAsked(call: ControlCall, input: { reason?: string; enabled?: boolean; queue?: string; paused?: boolean }): ControlAsked {
  switch (call) {
    case 'control.emergencyStop':
      return { kind: 'emergency_stop', engage: true };
    case 'control.resume':
      return { kind: 'emergency_stop', engage: false };
    case 'control.safeMode':
      return { kind: 'safe_mode', engage: input.enabled === true };
    case 'control.pauseQueue':
      return { kind: 'queue', queue: input.queue ?? '', pause: input.paused === true };
  }
}

/** Why the store did not take the change: its own words, and whether it needs an operator before it answers. */
export interface StoreRefusal {
  problem: string;
  /** True when it will not pass by itself (a schema to migrate, credentials to fix): the API's `action` is set. */
  lasting: boolean;
}

function headline(asked: ControlAsked): string {
  switch (asked.kind) {
    case 'emergency_stop':
      return asked.engage ? 'emergency stop NOT engaged' : 'emergency stop NOT released';
    case 'safe_mode':
      return asked.engage ? 'safe mode NOT turned on' : 'safe mode NOT turned off';
    case 'queue':
      return `queue ${asked.queue} NOT ${asked.pause ? 'paused' : 'unpaused'}`;
  }
}

/** What holds on meanwhile: a brake not applied leaves dispatch as it was; one not lifted still holds. */
function meanwhile(asked: ControlAsked): string {
  switch (asked.kind) {
    case 'emergency_stop':
      return asked.engage ? 'nothing was stopped, and workers that still reach the store go on dispatching' : 'nothing changed: if it was engaged, it still is';
    case 'safe_mode':
      return asked.engage ? 'nothing changed, and workers that still reach the store go on starting jobs' : 'nothing changed: if it was on, it still is';
    case 'queue':
      return asked.pause ? `nothing was paused, and workers that still reach the store go on dispatching its jobs` : 'nothing changed: if it was paused, it still is';
  }
}

/**
 * What a worker does by itself when it loses the store (README, Workers on servers: two lease extensions
 * failed in a row, or one unanswered for 10 s, about 20 s after the last that went through), said after a
 * brake that was not applied, for that is all that stops running jobs until the store answers.
 */
const CUT_OFF_WORKERS =
  'Meanwhile a worker that cannot reach the store either stops its running jobs by itself, about 20 s after its last lease extension went through (they go back to pending, attempt not spent, once it reaches the store), and claims no new ones until it does.';

/**
 * What every interface says when the store did not take a control change: plainly that it was NOT made
 * (the drill's console showed only the store's error, and the button read as before, so an operator took
 * the stop for engaged), what stands meanwhile, and to ask again once the store answers. `again` is the
 * interface's own clause for asking again: "press Emergency stop again", "run opsdeck resume again".
 */
export function controlNotTakenText(asked: ControlAsked, refusal: StoreRefusal, again: string): string {
  // One that needs an operator says what to fix in its own words: asking again helps only after that.
  const [why, until] = refusal.lasting ? ['the store cannot be used', 'Once that is fixed'] : ['the store does not answer', 'Once the store answers'];
  const text = `${headline(asked)}: ${why} (${refusal.problem}), so ${meanwhile(asked)}. ${until}, ${again}.`;
  return asked.kind !== 'queue' && asked.engage ? `${text} ${CUT_OFF_WORKERS}` : text;
}
