/** What `worker --until-empty` says as it stops beside due jobs it could not run; null when there are none. */
export function heldBackLine(due: number): string | null {
  if (due <= 0) return null;
  return `stopped with ${due} due job(s) still pending, none runnable now (held back: rate limits, breakers, paused queues, safe mode or the emergency stop, or services this registry lacks; opsdeck job ID says why)`;
}
