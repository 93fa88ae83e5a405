import type { ClaimedJob, ClaimRequest } from '../store.ts';
import type { PgDb } from './db.ts';
import { claimGated, NONE_DUE_REST_MS } from './gates.ts';
import { claimJobs } from './jobs.ts';
import type { Claim } from './rows.ts';

/**
 * A claim with rate-limited services: each gated service first, within its own budget, so a full queue
 * of other work never starves it; then the rest of the claim, which leaves the gated services out. A
 * gated service found with nothing due rests NONE_DUE_REST_MS before this process walks its jobs again.
 */
export class GatedClaims {
  /** Gated services found with nothing due, by when to look again. */
  readonly #rest = new Map<string, number>();

  async claim(db: PgDb, request: ClaimRequest, leased: (claim: Claim) => ClaimedJob[]): Promise<ClaimedJob[]> {
    const gates = request.gates ?? [];
    if (gates.length === 0) return leased(await claimJobs(db, request));
    const claimed: ClaimedJob[] = [];
    const excluded = new Set(request.excludeServices ?? []);
    const now = Date.now();
    for (const gate of gates) {
      const cap = Math.min(request.limit - claimed.length, request.serviceCaps?.[gate.service] ?? Number.POSITIVE_INFINITY);
      if (excluded.has(gate.service) || !(cap >= 1) || (this.#rest.get(gate.service) ?? 0) > now) continue;
      const claim = await claimGated(db, request, gate, cap);
      if (claim.noneDue) this.#rest.set(gate.service, now + NONE_DUE_REST_MS);
      else this.#rest.delete(gate.service);
      claimed.push(...leased(claim));
    }
    const left = request.limit - claimed.length;
    if (left < 1) return claimed;
    const rest = { ...request, limit: left, excludeServices: [...excluded, ...gates.map((g) => g.service)] };
    return [...claimed, ...leased(await claimJobs(db, rest))];
  }
}
