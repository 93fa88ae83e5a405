import {
  ApiResponse,
  calls,
  events,
  type CallName,
  type CallOutput,
  type EventName,
  type EventPayload,
} from '../../../shared/contract.ts';
import { CallError } from './callError.ts';

/** Checks a host's envelope and the result against the call's output schema; a mismatch is a host bug, reported as such. */
export function parseCallResponse<N extends CallName>(name: N, raw: unknown): CallOutput<N> {
  const envelope = ApiResponse.safeParse(raw);
  if (!envelope.success) {
    throw new CallError({ code: 'internal', message: `The host sent a malformed answer to ${name}.` });
  }
  if (!envelope.data.ok) throw new CallError(envelope.data.error, name);
  const result = calls[name].output.safeParse(envelope.data.result);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first ? ` at ${first.path.join('.') || '(root)'}: ${first.message}` : '';
    throw new CallError({ code: 'internal', message: `The answer to ${name} does not match the contract${where}.` });
  }
  // The schema for N produced this value; TypeScript cannot narrow the indexed schema by itself.
  return result.data as CallOutput<N>;
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(events, value);
}

/** Parses a pushed event's payload; a payload that does not match is dropped rather than trusted. */
export function parseEventPayload<E extends EventName>(event: E, payload: unknown): EventPayload<E> | null {
  const parsed = events[event].safeParse(payload);
  return parsed.success ? (parsed.data as EventPayload<E>) : null;
}
