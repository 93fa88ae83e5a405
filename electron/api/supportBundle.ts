import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnosis } from '../../shared/diagnosis.ts';
import { redactText, secretsOf } from '../config/redaction.ts';
import { redactRegistryText } from '../config/secrets.ts';
import { LOG_FILE_NAME, logTail } from '../log/logFile.ts';
import type { ApiContext } from './context.ts';
import { jobs } from './handlers/jobs.ts';

/** Recent failed jobs a bundle lists, and how many of the newest it gives with their attempts. */
const FAILED_LISTED = 200;
const FAILED_TRACED = 20;
const AUDIT_ENTRIES = 500;

const README = (generatedAt: string): string =>
  [
    `opsdeck support bundle, ${generatedAt}`,
    'diagnose.json  versions, store, health checks, counts, workers, runners, top error patterns',
    'registry.yaml  the service registry in use, secret values redacted',
    'failures.json  recent failed jobs, with the attempts of the newest 20',
    'audit.json     recent operator actions',
    `${LOG_FILE_NAME}    the end of the desktop app's log (JSON lines), when this machine has one`,
    'Secret values (variables the registry names, secret-looking variables, URL passwords) are replaced by [redacted].',
  ].join('\n');

export async function registryText(path: string | null): Promise<string | null> {
  if (!path) return null;
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The files of a support bundle, by name, every secret value redacted: the diagnosis, the registry, recent
 * failures and audit (when the store is open: `ctx`), and the end of the log in `logDir`.
 */
export async function supportBundleFiles(opts: {
  diagnosis: Diagnosis;
  ctx: ApiContext | null;
  registryPath: string | null;
  env: Readonly<Record<string, string | undefined>>;
  logDir: string;
  /** Store locations whose passwords are secrets too (the CLI's --db). */
  locations?: string[];
}): Promise<Record<string, string>> {
  const { diagnosis, ctx } = opts;
  const regText = await registryText(opts.registryPath);
  const files: Record<string, string> = { 'diagnose.json': JSON.stringify(diagnosis, null, 2) };
  if (regText !== null) files['registry.yaml'] = redactRegistryText(regText, opts.env);
  if (ctx) {
    const failed = await ctx.store.listJobs({ status: ['failed'] }, { limit: FAILED_LISTED });
    const traces = await Promise.all(failed.items.slice(0, FAILED_TRACED).map((j) => jobs['jobs.get']({ id: j.id }, ctx)));
    files['failures.json'] = JSON.stringify({ jobs: failed.items, traces }, null, 2);
    const audit = await ctx.store.listAudit({}, { limit: AUDIT_ENTRIES });
    files['audit.json'] = JSON.stringify({ entries: audit.items, next_cursor: audit.next_cursor }, null, 2);
  }
  const tail = await logTail(opts.logDir);
  if (tail !== null) files[LOG_FILE_NAME] = tail;
  files['README.txt'] = README(diagnosis.generated_at);
  const secrets = secretsOf(opts.env, regText, opts.locations ?? []);
  return Object.fromEntries(Object.entries(files).map(([name, text]) => [name, redactText(text, secrets)]));
}

/** The files as one .tar.gz, made in a private temporary folder that is removed afterwards. */
export async function packBundle(files: Record<string, string>): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-bundle-'));
  try {
    const names = Object.keys(files);
    for (const name of names) await writeFile(join(dir, name), files[name] ?? '', { mode: 0o600 });
    // Loaded by the two callers that write an archive, not by every command the CLI starts for.
    const tar = await import('tar');
    const chunks: Buffer[] = [];
    for await (const chunk of tar.create({ gzip: true, cwd: dir, portable: true }, names)) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
