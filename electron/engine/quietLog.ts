import type { LogFields, Logger } from '../log/logger.ts';

/**
 * A logger that says a repeated warning or error once per window. While the store is away every periodic
 * task fails with the same message every few seconds; an operator needs to read that once, with a count,
 * not a screenful that buries the line saying it came back. A line is the same when its level, message
 * and fields are. Info lines tell of a change (the store answers again, a breaker closed): they always
 * pass, and what was held back before one is news again after it, so a second outage a minute after the
 * first is told as plainly as the first. Debug lines (each job's life) pass as they come.
 */
export function quietLog(logger: Logger, windowMs = 60_000, now: () => number = Date.now): Logger {
  const seen = new Map<string, { at: number; suppressed: number }>();
  const say =
    (level: 'warn' | 'error') =>
    (msg: string, fields?: LogFields): void => {
      if (!logger.enabled(level)) return;
      const t = now();
      // Kept for two windows, so a count held back in one is still told with the line's next say.
      for (const [key, entry] of seen) if (t - entry.at >= 2 * windowMs) seen.delete(key);
      const key = `${level} ${msg} ${fields ? JSON.stringify(fields) : ''}`;
      const entry = seen.get(key);
      if (entry && t - entry.at < windowMs) {
        entry.suppressed++;
        return;
      }
      const repeats = entry?.suppressed ?? 0;
      seen.set(key, { at: t, suppressed: 0 });
      logger[level](repeats > 0 ? `${msg} (and ${repeats} more time(s) in the last ${Math.round(windowMs / 1000)} s)` : msg, fields);
    };
  return {
    error: say('error'),
    warn: say('warn'),
    info: (msg, fields) => {
      seen.clear();
      logger.info(msg, fields);
    },
    debug: (msg, fields) => logger.debug(msg, fields),
    enabled: (level) => logger.enabled(level),
    child: (fields) => quietLog(logger.child(fields), windowMs, now),
  };
}
