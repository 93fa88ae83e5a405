import type { CallInput, CallName, CallOutput, EventName } from '../../../../shared/contract.ts';
import { createEventHub } from '../eventHub.ts';
import type { HostClient } from '../hostClient.ts';
import { parseCallResponse } from '../parse.ts';

export interface FakeHost {
  client: HostClient;
  /** Pushes an event as a host would: it is parsed against the contract on the way in. */
  emit(event: EventName, payload: unknown): void;
  /** Reports the live feed dropping (false) or coming back (true). */
  link(up: boolean): void;
  calls: Array<{ name: CallName; input: unknown }>;
}

/**
 * A host for the renderer's unit tests: calls answer with `answer`'s envelope (parsed like a real host's
 * answer), events and link changes are pushed by the test.
 */
export function fakeHostClient(answer: (name: CallName, input: unknown) => unknown = () => ({ ok: false, error: { code: 'internal', message: 'not answered' } })): FakeHost {
  const hub = createEventHub();
  const links = new Set<(up: boolean) => void>();
  const calls: FakeHost['calls'] = [];
  const client: HostClient = {
    async call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
      calls.push({ name, input });
      return parseCallResponse(name, answer(name, input));
    },
    on: hub.on,
    onLink(listener) {
      links.add(listener);
      return () => links.delete(listener);
    },
  };
  return {
    client,
    emit: (event, payload) => hub.emit(event, payload),
    link(up) {
      for (const listener of links) listener(up);
    },
    calls,
  };
}
