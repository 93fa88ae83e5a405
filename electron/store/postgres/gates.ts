import { z } from 'zod';
import type { RateUse, ServiceGate, ServicePause } from '../../../shared/rateLimit.ts';
import { waitingReason } from '../../../shared/rateLimit.ts';
import type { ClaimRequest } from '../store.ts';
import type { PgDb } from './db.ts';
import { claimFromJson } from './rows.ts';
import type { Claim } from './rows.ts';
import { CHANNEL } from './signals.ts';
import { noNul } from './text.ts';

/**
 * Rate limits and fleet-wide concurrency caps (migration 0016). Each gated service is claimed by
 * jobs.opsdeck_claim_gated, one claimer of a service at a time (a try-lock: the others skip it this round,
 * they never wait), which counts the period's starts and the running jobs and records its own starts in
 * the same transaction. The common claim leaves gated services out and never reads these tables.
 */

const GATED_SQL = `SELECT jobs.opsdeck_claim_gated($1::text, $2::int, $3::float8, $4::text[], $5::text, $6::int, $7::float8, $8::int) AS claimed`;
const ClaimResult = z.object({ claimed: z.string() });

/** A gated claim, and whether it walked the ready jobs and found none of the service due. */
export async function claimGated(db: PgDb, req: ClaimRequest, gate: ServiceGate, limit: number): Promise<Claim & { noneDue: boolean }> {
  const rows = await db.engineQuery(
    GATED_SQL,
    [req.workerId, Math.trunc(limit), Math.max(1, req.leaseMs), req.queues ?? null, gate.service, gate.limit, gate.perMs, gate.maxConcurrent],
    'opsdeck_claim_gated',
  );
  const text = ClaimResult.parse(rows[0]).claimed;
  return { ...claimFromJson(text), noneDue: NoneDue.safeParse(JSON.parse(text)).success };
}

const NoneDue = z.object({ none_due: z.literal(true) });

/**
 * A gated service with pending jobs none of which is due costs a claim (its advisory lock, the reads of
 * its budget, a seek into each of its lanes) to find that out. After such a claim the service rests this
 * long before this process claims for it again: at most a few such claims a second per worker, and a job
 * of it that becomes due starts at most this much later.
 */
export const NONE_DUE_REST_MS = 500;

const UseRow = z.object({ used: z.number(), running: z.number(), paused_until: z.string().nullable(), pause_reason: z.string().nullable() });

export async function rateUse(db: PgDb, gates: ServiceGate[]): Promise<RateUse[]> {
  const at = new Date();
  const out: RateUse[] = [];
  for (const gate of gates) {
    const rows = await db.read(
      `SELECT
         (SELECT coalesce(sum(n), 0) FROM jobs.tb_rate_start WHERE service_name = $1 AND at > now() - $2::float8 * interval '1 millisecond')::int AS used,
         (SELECT coalesce(sum(n), 0) FROM jobs.tb_job_count WHERE service_name = $1 AND state = 'running')::int AS running,
         (SELECT until FROM jobs.tb_service_pause WHERE service_name = $1 AND until > now()) AS paused_until,
         (SELECT reason FROM jobs.tb_service_pause WHERE service_name = $1 AND until > now()) AS pause_reason`,
      [gate.service, gate.perMs],
    );
    const row = UseRow.parse(rows[0]);
    const use = {
      service_name: gate.service,
      limit: gate.limit,
      per_ms: gate.limit === null ? null : gate.perMs,
      used: gate.limit === null ? 0 : row.used,
      max_concurrent: gate.maxConcurrent,
      running: row.running,
      paused_until: row.paused_until,
      pause_reason: row.pause_reason,
    };
    out.push({ ...use, waiting_reason: waitingReason(use, at) });
  }
  return out;
}

export async function pauseService(db: PgDb, service: string, until: Date, reason: string): Promise<void> {
  await db.tx(async (client) => {
    await client.query(
      `INSERT INTO jobs.tb_service_pause (service_name, until, reason) VALUES ($1, $2, $3)
       ON CONFLICT (service_name) DO UPDATE SET until = excluded.until, reason = excluded.reason, set_at = now()
       WHERE excluded.until > jobs.tb_service_pause.until`,
      [noNul(service), until.toISOString(), noNul(reason).slice(0, 500)],
    );
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, 'control']);
  });
}

const PauseRow = z.object({ service_name: z.string(), until: z.string(), reason: z.string() });

export async function listServicePauses(db: PgDb): Promise<ServicePause[]> {
  const rows = await db.engineQuery(`SELECT service_name, until, reason FROM jobs.tb_service_pause WHERE until > now() ORDER BY service_name`);
  return rows.map((row) => PauseRow.parse(row));
}
