/**
 * The browser host's token handed from a console tab that has it to one opened without it (a link opened
 * in a new tab, a second tab typed by hand), over a BroadcastChannel: this origin's open tabs only, never
 * the disk. Once every console tab is closed, a new one needs the URL `opsdeck serve` printed again.
 */
const CHANNEL = 'opsdeck.session';
/**
 * How long a tab without a token waits for an open one to answer, before it says it is signed out: an open
 * tab busy drawing its charts on a loaded machine answered after more than 300 ms.
 */
const ANSWER_WAIT_MS = 2000;

function tokenOf(message: unknown): string | null {
  return typeof message === 'object' && message !== null && 'token' in message && typeof message.token === 'string' ? message.token : null;
}

function isAsk(message: unknown): boolean {
  return typeof message === 'object' && message !== null && 'ask' in message && message.ask === true;
}

/**
 * Answers every console tab that asks with this tab's token, until the returned stop is called: a tab whose
 * token the host refused (a tab left from an earlier `opsdeck serve`) must not hand that token on.
 */
export function shareWithNewTabs(token: string): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    if (isAsk(event.data)) channel.postMessage({ token });
  };
  return () => channel.close();
}

/**
 * The token of an open console tab of this origin that the host accepts (`accepts`, one call with it), or
 * null when none does. Every answer given within the wait is tried, not just the first: a tab left open from
 * an earlier start of the host may answer first with a token this host refuses. The first one accepted is
 * taken at once; without one, the answer is null once the wait is over and every try has settled.
 */
export function askOpenTabs(accepts: (token: string) => Promise<boolean>): Promise<string | null> {
  const channel = new BroadcastChannel(CHANNEL);
  const tried = new Set<string>();
  let trying = 0;
  let waiting = true;
  let settled = false;
  return new Promise((resolve) => {
    const done = (token: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      channel.close();
      resolve(token);
    };
    const timer = setTimeout(() => {
      waiting = false;
      channel.close();
      if (trying === 0) done(null);
    }, ANSWER_WAIT_MS);
    const tryToken = async (token: string) => {
      trying += 1;
      // A try that fails to get an answer at all proves nothing accepted: it counts as refused.
      const accepted = await accepts(token).catch(() => false);
      trying -= 1;
      if (accepted) done(token);
      else if (!waiting && trying === 0) done(null);
    };
    channel.onmessage = (event: MessageEvent<unknown>) => {
      const token = tokenOf(event.data);
      if (token === null || tried.has(token)) return;
      tried.add(token);
      void tryToken(token);
    };
    channel.postMessage({ ask: true });
  });
}
