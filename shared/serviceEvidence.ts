import { z } from 'zod';
import { countText } from './countText.ts';
import { BreakerMode, BreakerState } from './domain.ts';

/** The failed attempts of one failure class in the window, summed over its error fingerprints. */
export const EvidenceClass = z.object({
  error_class: z.string(),
  failures: z.number().int(),
  /** Of them, those that ended their job in the dead-letter queue. */
  dead_lettered: z.number().int(),
  last_seen: z.string(),
  /** The error of the latest of them; null when pruning took the minute that held it. */
  sample_error: z.string().nullable(),
});
export type EvidenceClass = z.infer<typeof EvidenceClass>;

/**
 * What the store holds of how a service's jobs fare: shown where test-connectivity could not try their call
 * (it could do work upstream), since that, not the base URL's answer, tells an operator whether resetting
 * the breaker is safe. `read` false when no store was read (a command run where there is none), with why.
 */
export const ServiceEvidence = z.discriminatedUnion('read', [
  z.object({ read: z.literal(false), why: z.string() }),
  z.object({
    read: z.literal(true),
    /**
     * Where it was read: the store's location, without a password (a command with neither --db nor OPSDECK_DB
     * reads the per-user default, which may not be the workers' store); null where the caller may not learn
     * this host's files (a read key).
     */
    store: z.string().nullable(),
    breaker: z.object({
      state: BreakerState,
      mode: BreakerMode,
      /** When it last changed state; null for a breaker never tripped. */
      since: z.string().nullable(),
      /** The last failure it counted; null when none since it was last reset. */
      last_error: z.string().nullable(),
    }),
    failures: z.object({
      /** The window's start (a minute boundary) and its length. */
      since: z.string(),
      minutes: z.number().int(),
      /** Failed attempts in the window, every class, and of them those that ended their job in the dead-letter queue. */
      total: z.number().int(),
      dead_lettered: z.number().int(),
      /** The classes with the most failures first, at most EVIDENCE_CLASSES. */
      classes: z.array(EvidenceClass),
    }),
  }),
]);
export type ServiceEvidence = z.infer<typeof ServiceEvidence>;

/** How many failure classes the evidence names: the rest are counted in its total. */
export const EVIDENCE_CLASSES = 5;

const STATE_WORDS: Record<BreakerState, string> = { closed: 'closed', open: 'open', half_open: 'half-open' };

/**
 * The evidence in the words the CLI and the console both show, one line each: the store it was read from,
 * the breaker, the failures' count, then each class with its latest error. Times stay ISO: each interface writes them in its zone.
 */
export function evidenceLines(evidence: ServiceEvidence): string[] {
  if (!evidence.read) return [`its breaker and recent failures were not read: ${evidence.why}`];
  const { breaker, failures } = evidence;
  const from = evidence.store === null ? "read from this host's store" : `read from the store at ${evidence.store}`;
  const forced = breaker.mode === 'auto' ? '' : `forced ${breaker.mode === 'force_open' ? 'open' : 'closed'}, its own state `;
  const since = breaker.since === null ? '' : ` since ${breaker.since}`;
  const lastError = breaker.last_error === null ? 'no failure counted since it was last reset' : `its last error: ${breaker.last_error}`;
  const lines = [from, `breaker: ${forced}${STATE_WORDS[breaker.state]}${since}; ${lastError}`];
  const window = `in the last ${failures.minutes}m (since ${failures.since})`;
  if (failures.total === 0) return [...lines, `no failed attempt of its jobs ${window}`];
  const deadWords = failures.dead_lettered === 0 ? '' : `, ${countText(failures.dead_lettered)} of them into the dead-letter queue`;
  lines.push(`${countText(failures.total)} failed attempt(s) of its jobs ${window}${deadWords}:`);
  for (const c of failures.classes) {
    lines.push(`${c.error_class}: ${countText(c.failures)}, the last at ${c.last_seen}${c.sample_error === null ? '' : `: ${c.sample_error}`}`);
  }
  const named = failures.classes.reduce((sum, c) => sum + c.failures, 0);
  if (named < failures.total) lines.push(`and ${countText(failures.total - named)} of other classes`);
  return lines;
}
