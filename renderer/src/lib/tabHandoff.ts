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

/** Answers every console tab that asks with this tab's token, for as long as this tab is open. */
export function shareWithNewTabs(token: string): void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    if (isAsk(event.data)) channel.postMessage({ token });
  };
}

/** The token of an open console tab of this origin, or null when none answers in time. */
export function askOpenTabs(): Promise<string | null> {
  const channel = new BroadcastChannel(CHANNEL);
  return new Promise((resolve) => {
    const done = (token: string | null) => {
      clearTimeout(timer);
      channel.close();
      resolve(token);
    };
    const timer = setTimeout(() => done(null), ANSWER_WAIT_MS);
    channel.onmessage = (event: MessageEvent<unknown>) => {
      const token = tokenOf(event.data);
      if (token !== null) done(token);
    };
    channel.postMessage({ ask: true });
  });
}
