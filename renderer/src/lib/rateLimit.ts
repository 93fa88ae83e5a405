export interface Limited {
  run(): void;
  cancel(): void;
}

/** Runs `fn` once, `ms` after the first call of a burst; calls meanwhile join that one run. */
export function debounce(fn: () => void, ms: number): Limited {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    run() {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        fn();
      }, ms);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** At most one run per `every` ms: the first change shows within `first` ms, a steady stream once per period. */
export function throttle(fn: () => void, every: number, first: number): Limited {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = Number.NEGATIVE_INFINITY;
  return {
    run() {
      if (timer !== undefined) return;
      const wait = Math.max(first, last + every - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        fn();
      }, wait);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
