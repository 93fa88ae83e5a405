import { z } from 'zod';
import { DlqGroup } from './domain.ts';
import { RegistryProblem } from './registry.ts';
import { HealthReport, OverviewStats, RunnerView, WorkerView } from './views.ts';

/** What a support engineer asks about a store first: version, size, slowest statements, and notes. */
export const StoreDiagnostics = z.object({
  dialect: z.enum(['sqlite', 'postgres']),
  server_version: z.string().nullable(),
  size_bytes: z.number().nullable(),
  /** Slowest statements by mean time (PostgreSQL with pg_stat_statements), else null with a note why. */
  slow_queries: z.array(z.object({ query: z.string(), calls: z.number(), mean_ms: z.number(), total_ms: z.number() })).nullable(),
  notes: z.array(z.string()),
});
export type StoreDiagnostics = z.infer<typeof StoreDiagnostics>;

/**
 * `opsdeck diagnose` and the console's Diagnose: health checks plus versions, the store's size and slowest
 * statements, and the top error patterns. The parts read from the store are null when it cannot be opened.
 */
export const Diagnosis = z.object({
  generated_at: z.string(),
  versions: z.object({ opsdeck: z.string(), node: z.string(), platform: z.string(), store_server: z.string().nullable() }),
  store: StoreDiagnostics.omit({ server_version: true }).extend({ location: z.string() }),
  health: HealthReport,
  status: OverviewStats.nullable(),
  error_patterns: z.array(DlqGroup.pick({ fingerprint: true, count: true, services: true, last_seen: true, sample_error: true })),
  workers: z.array(WorkerView).nullable(),
  runners: z.array(RunnerView).nullable(),
  registry: z.object({ path: z.string().nullable(), services: z.number().int(), problems: z.array(RegistryProblem) }).nullable(),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

/** A support bundle as the console downloads it: a .tar.gz, base64, with the names of the files in it. */
export const SupportBundle = z.object({
  file_name: z.string(),
  files: z.array(z.string()),
  bytes: z.number().int(),
  content_base64: z.string(),
  healthy: z.boolean(),
  /** Whether the audit log took the download: a read-only store (a standby) does not, and the bundle still comes. */
  audited: z.boolean(),
});
export type SupportBundle = z.infer<typeof SupportBundle>;
