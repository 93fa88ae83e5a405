import { EVIDENCE_CLASSES, type EvidenceClass, type ServiceEvidence } from '../../shared/serviceEvidence.ts';
import type { ApiContext } from './context.ts';

/** How far back a service's failures are counted: long enough to hold those that opened its breaker. */
export const EVIDENCE_MINUTES = 60;

/** The most failure groups read: enough for any service's classes, whose fingerprints they are summed over. */
const GROUPS_READ = 100;

/**
 * What the store holds of how a service's jobs fare, for a check that could not try their call: its
 * breaker (state, since when, the last error it counted) and its failed attempts of the last
 * EVIDENCE_MINUTES by class, from the failure rollups (no scan of the job history). A store that cannot be
 * read, or a stand-in for none, leaves the probe's answer whole and says why the evidence is missing.
 */
export async function serviceEvidence(ctx: ApiContext, service: string, now = new Date()): Promise<ServiceEvidence> {
  if (ctx.storeStandIn !== undefined) return { read: false, why: ctx.storeStandIn };
  // Whole minutes, as the rollups keep them (failures.recent does the same).
  const since = new Date(Math.floor((now.getTime() - EVIDENCE_MINUTES * 60_000) / 60_000) * 60_000);
  try {
    const [breaker, failures] = await Promise.all([ctx.store.getBreaker(service), ctx.store.recentFailures(since, service, GROUPS_READ)]);
    const classes = new Map<string, EvidenceClass>();
    for (const group of failures.groups) {
      const known = classes.get(group.error_class);
      const latest = known === undefined || group.last_seen > known.last_seen;
      classes.set(group.error_class, {
        error_class: group.error_class,
        failures: (known?.failures ?? 0) + group.failures,
        dead_lettered: (known?.dead_lettered ?? 0) + group.dead_lettered,
        last_seen: latest ? group.last_seen : known.last_seen,
        sample_error: latest ? group.sample_error : known.sample_error,
      });
    }
    const ranked = [...classes.values()].sort((a, b) => b.failures - a.failures || (a.error_class < b.error_class ? -1 : 1));
    return {
      read: true,
      store: ctx.hostHidden === undefined ? ctx.store.location : null,
      breaker: {
        state: breaker?.state ?? 'closed',
        mode: breaker?.mode ?? 'auto',
        since: breaker?.last_transition_at ?? null,
        last_error: breaker?.last_error ?? null,
      },
      failures: {
        since: since.toISOString(),
        minutes: EVIDENCE_MINUTES,
        total: failures.total,
        dead_lettered: failures.groups.reduce((sum, g) => sum + g.dead_lettered, 0),
        classes: ranked.slice(0, EVIDENCE_CLASSES),
      },
    };
  } catch (error) {
    return { read: false, why: `the store did not answer: ${error instanceof Error ? error.message : String(error)}` };
  }
}
