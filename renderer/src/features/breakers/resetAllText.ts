const breakers = (n: number) => `${n} circuit breaker${n === 1 ? '' : 's'}`;

/** What Reset all did, in the console's notice: the breakers it reset, and those it left alone (already closed, nothing to clear). */
export function resetAllText(reset: number, untouched: number): string {
  const left = untouched === 0 ? '' : ` ${breakers(untouched)} already closed with nothing to clear.`;
  if (reset === 0) return `Nothing to reset: ${untouched === 1 ? 'the only breaker is' : `all ${untouched} breakers are`} already closed with nothing to clear.`;
  return `Reset ${breakers(reset)}: automatic and closed.${left}`;
}
