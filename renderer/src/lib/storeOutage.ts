/** Why the store does not serve, as the host said it: `action` is set when it will not pass by itself. */
export interface StoreOutage {
  message: string;
  action: string | null;
}

/**
 * What the store banner says: the problem, and advice that fits it. A promise that it clears by itself is
 * only made when nothing needs doing; otherwise the action is the advice, said once (the host's message
 * ends with it).
 */
export function outageAdvice(outage: StoreOutage): { problem: string; advice: string } {
  if (outage.action === null) return { problem: outage.message, advice: 'Retrying; this clears by itself when the store answers.' };
  const said = `; ${outage.action}`;
  const problem = outage.message.endsWith(said) ? outage.message.slice(0, -said.length) : outage.message;
  return { problem, advice: `What to do: ${outage.action}. This does not clear by itself; the console picks up again once the store answers.` };
}
