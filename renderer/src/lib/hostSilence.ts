import { formatTime } from './format.ts';
import type { ConsoleHost } from './hostUnreachable.ts';
import type { TimesIn } from './preferences.ts';

/** The console's host stopped answering; `lastAnswer` is when it last did, or null if not since the page opened. */
export interface HostSilence {
  host: ConsoleHost;
  lastAnswer: string | null;
}

const NAMES: Record<ConsoleHost, { name: string; restart: string }> = {
  serve: { name: 'opsdeck serve', restart: 'restart opsdeck serve and open the new URL it prints' },
  desktop: { name: "the desktop app's main process", restart: 'quit and start the opsdeck app again' },
};

/**
 * What the host banner says. The store may be fine, so no store outage is claimed; what is shown is only
 * as current as the host's last answer, and a stopped host never comes back by itself.
 */
export function silenceAdvice(silence: HostSilence, timesIn: TimesIn): { problem: string; advice: string } {
  const { name, restart } = NAMES[silence.host];
  const shown = silence.lastAnswer === null ? 'nothing has come from it since this page opened' : `the data shown is as of ${formatTime(silence.lastAnswer, timesIn)}`;
  return {
    problem: `the console's host, ${name}, stopped answering; ${shown}.`,
    advice: `Retrying. If it does not come back, ${restart}. The store may be fine: it cannot be asked while the host is away.`,
  };
}
