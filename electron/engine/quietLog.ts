/**
 * A log that says a repeated line once per window. While the store is away every periodic task fails
 * with the same message every few seconds; an operator needs to read that once, with a count, not a
 * screenful that buries the line saying it came back.
 */
export function quietLog(log: (line: string) => void, windowMs = 60_000, now: () => number = Date.now): (line: string) => void {
  const seen = new Map<string, { at: number; suppressed: number }>();
  return (line) => {
    const t = now();
    // Kept for two windows, so a count held back in one is still told with the line's next say.
    for (const [key, entry] of seen) if (t - entry.at >= 2 * windowMs) seen.delete(key);
    const entry = seen.get(line);
    if (entry && t - entry.at < windowMs) {
      entry.suppressed++;
      return;
    }
    const repeats = entry?.suppressed ?? 0;
    seen.set(line, { at: t, suppressed: 0 });
    log(repeats > 0 ? `${line} (and ${repeats} more time(s) in the last ${Math.round(windowMs / 1000)} s)` : line);
  };
}
