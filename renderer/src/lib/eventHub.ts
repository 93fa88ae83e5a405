import type { EventName, EventPayload } from '../../../shared/contract.ts';
import { isEventName, parseEventPayload } from './parse.ts';

type AnyListener = (payload: never) => void;

/** Fan-out of parsed events to listeners by name; shared by both hosts' clients. */
export function createEventHub() {
  const listeners = new Map<EventName, Set<AnyListener>>();

  return {
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      const set = listeners.get(event) ?? new Set<AnyListener>();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    /** Takes a raw `{event, payload}` from a host, validates it and delivers it. Unknown or malformed events are dropped. */
    emit(event: unknown, payload: unknown): void {
      if (!isEventName(event)) return;
      deliver(event, payload);
    },
    has(event: EventName): boolean {
      return (listeners.get(event)?.size ?? 0) > 0;
    },
  };

  function deliver<E extends EventName>(event: E, raw: unknown): void {
    const set = listeners.get(event);
    if (!set || set.size === 0) return;
    const payload = parseEventPayload(event, raw);
    if (payload === null) return;
    for (const listener of set) (listener as (payload: EventPayload<E>) => void)(payload);
  }
}
