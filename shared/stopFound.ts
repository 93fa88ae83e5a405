import type { StopFound } from './views.ts';
import { countText } from './countText.ts';

/**
 * What an emergency stop did to the jobs, and what becomes of them, as the CLI prints it and the console's
 * notice says it: an operator must know what was interrupted and whether it runs again.
 */
export function stopFoundText(found: StopFound): string {
  const held = `${countText(found.pending)} pending job(s) held`;
  if (found.running === 0) return `no job was running; ${held}`;
  const failing = found.running_fail_on_interrupt;
  const unknown = found.running_unknown_service;
  const asked = `${countText(found.running)} running job(s) asked to stop`;
  const undecided = `their workers' registry decides (on_interrupt): back to pending, or to the dead-letter queue where it says fail`;
  if (unknown === found.running) return `${asked}, of services the registry here does not name: ${undecided}; ${held}`;
  const unknownToo = unknown === 0 ? '' : `; ${countText(unknown)} of them of services the registry here does not name: ${undecided}`;
  if (failing === found.running) return `${asked}, to the dead-letter queue, as their service says on_interrupt: fail; ${held}`;
  if (failing + unknown === found.running) return `${asked}: ${countText(failing)} to the dead-letter queue, as their service says on_interrupt: fail${unknownToo}; ${held}`;
  const instead = failing === 0 ? '' : ` (${countText(failing)} of them to the dead-letter queue instead, as their service says on_interrupt: fail)`;
  return `${asked}, back to pending with their attempt not spent, to run again once released${instead}${unknownToo}; ${held}`;
}
