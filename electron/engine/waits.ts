/** The store's answer, or an error naming what it was doing once `ms` have passed without one. */
export function answerWithin<T>(answer: Promise<T>, ms: number, doing: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not answer within ${Math.round(ms)} ms while ${doing}`)), ms);
    timer.unref();
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

/** Only ever a fallback bound on a wait, so it never keeps a process alive by itself. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}
