import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { Diagnosis } from '../../shared/diagnosis.ts';
import type { Registry } from '../../shared/registry.ts';
import { redactText, secretsNamed, secretsOf } from '../config/redaction.ts';
import { redactRegistryText, redactValue } from '../config/secrets.ts';
import { LOG_FILE_NAME, logTail, OTHER_HOSTS_LOGS } from '../log/logFile.ts';
import { secretVariables } from '../log/secrets.ts';
import { StoreError } from '../store/errors.ts';
import { bundledWorkflowRuns, RUNS_LISTED } from './bundleWorkflows.ts';
import type { ApiContext } from './context.ts';
import { jobs } from './handlers/jobs.ts';

/** Recent failed jobs a bundle lists, and how many of the newest it gives with their attempts. */
const FAILED_LISTED = 200;
const FAILED_TRACED = 20;
const AUDIT_ENTRIES = 500;
/**
 * Characters of one payload, output or error a bundle keeps: enough to see what a job was given and said,
 * while 200 payloads of a megabyte each cannot make a bundle of hundreds.
 */
const TEXT_KEPT = 16 * 1024;

const CONTENTS: Array<[string, string]> = [
  ['diagnose.json', 'versions, store, health checks, counts, workers, runners, top error patterns'],
  ['registry.yaml', 'the service registry file (services and workflow definitions), secret values redacted'],
  ['failures.json', `the newest ${FAILED_LISTED} failed jobs, with the attempts of the newest ${FAILED_TRACED} (payloads and texts cut at 16 KiB)`],
  ['workflows.json', `the newest ${RUNS_LISTED} failed and ${RUNS_LISTED} stuck workflow runs, each with its tasks' states and errors`],
  ['audit.json', `the newest ${AUDIT_ENTRIES} operator actions`],
  [LOG_FILE_NAME, "the end of the desktop app's log on the machine that made this bundle (JSON lines)"],
];

/**
 * What is never in a bundle, said in it: whoever reads one should not take a missing worker log for a
 * quiet worker, nor go looking in it for what it cannot hold.
 */
const NOT_IN_IT = [
  `- the logs of workers and of the browser and REST hosts: ${OTHER_HOSTS_LOGS}; add the lines around a failure yourself (jq 'select(.job_id==42)')`,
  '- jobs that did not fail, older failures and older audit entries: opsdeck jobs and opsdeck audit, or the REST API, list them',
  '- workflow runs that completed, are cancelled or still move on, and older failed ones: opsdeck workflow runs lists them',
  '- the values of environment variables and secrets, and API keys (the store keeps only their hashes): variables appear by name only',
];

/** What the bundle holds, file by file, why any file is missing, and what a bundle never holds. */
const README = (generatedAt: string, files: Record<string, string>, notes: string[]): string =>
  [
    `opsdeck support bundle, ${generatedAt}`,
    '',
    'In it:',
    ...CONTENTS.filter(([name]) => name in files).map(([name, what]) => `${name.padEnd(14)} ${what}`),
    'Secret values (variables the registry names, secret-looking variables, URL passwords, the store\'s password) are replaced by [redacted].',
    ...notes,
    '',
    'Not in it:',
    ...NOT_IN_IT,
    '',
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
 * Every secret value a diagnosis or bundle must not show: those of the registry in use and of its file as it
 * is now (they can differ until the next load), secret-looking variables, URL passwords in the environment,
 * and the password of the store's own URL, however it was given. Longest first, so one containing another
 * is cut whole.
 */
export function supportSecrets(opts: {
  env: Readonly<Record<string, string | undefined>>;
  registry: Registry | null;
  fileText: string | null;
  urls?: string[];
  values?: string[];
}): string[] {
  const inUse = opts.registry ? secretsNamed(opts.env, [...secretVariables(opts.registry)], opts.urls) : [];
  const all = new Set([...secretsOf(opts.env, opts.fileText, opts.urls), ...inUse, ...(opts.values ?? [])]);
  return [...all].sort((a, b) => b.length - a.length);
}

/**
 * `value` with every secret value cut from its strings, still of its schema: a field the schema holds to a
 * fixed set of words (a dialect, a runner kind) keeps its word, even when some secret-looking variable
 * happens to hold that word (SESSION_DRIVER=sqlite); such a word can carry no secret.
 */
export function redactedAs<S extends z.ZodType>(schema: S, value: z.output<S>, secrets: readonly string[]): z.output<S> {
  let redacted = redactValue(value, secrets);
  for (let round = 0; round < 3; round++) {
    const parsed = schema.safeParse(redacted);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) redacted = restoredAt(redacted, value, issue.path);
  }
  return schema.parse(redacted);
}

/** `target` with the value at `path` taken from `source`. */
function restoredAt(target: unknown, source: unknown, path: readonly PropertyKey[]): unknown {
  if (path.length === 0) return source;
  const [key, ...rest] = path;
  if (key === undefined || target === null || typeof target !== 'object' || source === null || typeof source !== 'object') return source;
  const from: unknown = Reflect.get(source, key);
  const copy: unknown = Array.isArray(target) ? [...target] : { ...target };
  if (copy !== null && typeof copy === 'object') Reflect.set(copy, key, restoredAt(Reflect.get(target, key), from, rest));
  return copy;
}

/** Fields that hold whatever a job was given or reported: cut whole when their JSON is long. */
const JOB_BLOBS = new Set(['payload', 'resource_usage', 'security_context']);

/** A JSON string kept to TEXT_KEPT characters, saying how much was cut. */
function cut(text: string, what: string): string {
  return text.length > TEXT_KEPT ? `${text.slice(0, TEXT_KEPT)}… [cut: ${text.length} characters${what}]` : text;
}

/** Failures and runs as a bundle keeps them: every text, and every payload's JSON, at most TEXT_KEPT characters. */
function clipped(value: unknown): unknown {
  if (typeof value === 'string') return cut(value, '');
  if (Array.isArray(value)) return value.map(clipped);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => {
      if (!JOB_BLOBS.has(key) || field === null || typeof field !== 'object') return [key, clipped(field)];
      const json = JSON.stringify(field);
      return [key, json.length > TEXT_KEPT ? cut(json, ' of JSON') : clipped(field)];
    }),
  );
}

/** A JSON file of the bundle: secret values cut from each string, so the file stays JSON whatever they are. */
function jsonFile(value: unknown, secrets: readonly string[]): string {
  return JSON.stringify(redactValue(value, secrets), null, 2);
}

/**
 * The newest failures with the attempts of the newest few, the failed and stuck workflow runs, and the
 * audit: what a store that answers can add.
 */
async function fromStore(ctx: ApiContext): Promise<{ failures: unknown; workflows: unknown; audit: unknown }> {
  const failed = await ctx.store.listJobs({ status: ['failed'] }, { limit: FAILED_LISTED });
  const traces = await Promise.all(failed.items.slice(0, FAILED_TRACED).map((j) => jobs['jobs.get']({ id: j.id }, ctx)));
  const workflows = await bundledWorkflowRuns(ctx);
  const audit = await ctx.store.listAudit({}, { limit: AUDIT_ENTRIES });
  return { failures: { jobs: failed.items, traces }, workflows, audit: { entries: audit.items, next_cursor: audit.next_cursor } };
}

/**
 * The files of a support bundle, by name, every secret value redacted: the diagnosis, the registry file,
 * recent failures, failed and stuck workflow runs, and audit (when there is a store that answers: `ctx`), and the end of the log in `logDir`.
 */
export async function supportBundleFiles(opts: {
  diagnosis: Diagnosis;
  ctx: ApiContext | null;
  registryText: string | null;
  env: Readonly<Record<string, string | undefined>>;
  logDir: string;
  secrets: readonly string[];
}): Promise<Record<string, string>> {
  const { diagnosis, ctx, secrets } = opts;
  const files: Record<string, string> = { 'diagnose.json': JSON.stringify(redactedAs(Diagnosis, diagnosis, secrets), null, 2) };
  if (opts.registryText !== null) files['registry.yaml'] = redactText(redactRegistryText(opts.registryText, opts.env), secrets);
  const notes: string[] = [];
  if (ctx) {
    try {
      const read = await fromStore(ctx);
      // Redacted before it is cut: a secret the cut went through would keep its first characters.
      files['failures.json'] = JSON.stringify(clipped(redactValue(read.failures, secrets)), null, 2);
      files['workflows.json'] = JSON.stringify(clipped(redactValue(read.workflows, secrets)), null, 2);
      files['audit.json'] = jsonFile(read.audit, secrets);
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      notes.push(`failures.json, workflows.json and audit.json are missing: the store did not answer (${redactText(error.message, secrets)}).`);
    }
  }
  if (!ctx) notes.push('failures.json, workflows.json and audit.json are missing: the store could not be opened (diagnose.json says why).');
  if (opts.registryText === null) notes.push('registry.yaml is missing: no registry file was given, or it could not be read.');
  const tail = await logTail(opts.logDir);
  if (tail !== null) files[LOG_FILE_NAME] = redactText(tail, secrets);
  else notes.push(`${LOG_FILE_NAME} is missing: the desktop app has written no log on this machine (${opts.logDir}).`);
  files['README.txt'] = README(diagnosis.generated_at, files, notes);
  return files;
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
