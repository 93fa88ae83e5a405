import { z } from 'zod';
import type { ApiError, CallName } from '../../shared/contract.ts';
import { controlAsked, controlNotTakenText, type ControlCall } from '../../shared/controlNotTaken.ts';

const CONTROL_CALLS: ReadonlySet<CallName> = new Set<ControlCall>(['control.emergencyStop', 'control.resume', 'control.safeMode', 'control.pauseQueue']);

export function isControlCall(call: CallName): call is ControlCall {
  return CONTROL_CALLS.has(call);
}

/** What of a control call's input says what it asked; other fields are not read. */
const Asked = z.object({ enabled: z.boolean().optional(), queue: z.string().optional(), paused: z.boolean().optional() });

/**
 * A control request the store did not take, in REST's words: the change NOT made and the request to send
 * again once the store answers, as the console and the CLI say it (shared/controlNotTaken.ts). A safe-mode
 * body that does not say `enabled` asks for nothing known: its error stays as it was.
 */
export function controlNotTaken(call: ControlCall, input: unknown, error: ApiError, request: string): ApiError {
  const read = Asked.safeParse(input);
  if (!read.success || (call === 'control.safeMode' && read.data.enabled === undefined)) return error;
  const text = controlNotTakenText(controlAsked(call, read.data), { problem: error.message, lasting: error.action !== undefined }, `send ${request} again`);
  return { ...error, message: text };
}
