import { countText } from '../../../shared/countText.ts';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { EnqueueItem } from '../../../shared/contract.ts';
import type { JsonObject } from '../../../shared/domain.ts';
import { payloadObject } from '../../../shared/fields.ts';
import { int, isoTime, positionals, str, UsageError } from '../args.ts';
import { call, withRuntime } from '../call.ts';
import { CliFailure, type Command } from '../command.ts';
import { sayNoRegistry } from '../noRegistry.ts';
import { printJson, type Io } from '../output.ts';
import type { RegistryHolder } from '../../config/holder.ts';
import { heldByTexts } from '../../../shared/heldText.ts';
import { describedIssues } from '../../api/inputIssues.ts';
import { CLI_RESET } from '../../../shared/breakerRecord.ts';
import { lineIssues, notAnObject } from '../lineFields.ts';

const MAX_LINES = 10_000;

/** --payload: JSON, and an object, in the words REST and a --from line use. */
function payloadOption(text: string): JsonObject {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--payload is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = payloadObject.safeParse(raw);
  if (!parsed.success) throw new UsageError(`--payload ${parsed.error.issues[0]?.message ?? 'must be a JSON object'}`);
  return parsed.data;
}

async function readSource(source: string): Promise<string> {
  if (source !== '-') {
    try {
      return await readFile(source, 'utf8');
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? String(error.code) : '';
      throw new CliFailure(code === 'ENOENT' ? `no file ${source}` : `cannot read ${source} (${code || 'error'})`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** A line's service is the command's: a file of several services (one a line) is one --from for each. */
const SERVICE_IN_LINE = "not a field of a line: every line is a job of the command's SERVICE (opsdeck enqueue SERVICE --from FILE); give each service its own --from";

/**
 * A line's problems: an unknown key named with the field it likely meant, or those there are, as REST says
 * it; a value of the wrong type with what its field takes and what the line wrote.
 */
function issueText(error: z.ZodError, line: unknown): string {
  return describedIssues(EnqueueItem, lineIssues(error, line), line)
    .map((i) => (i.path === 'service' || i.path === 'service_name' ? `${i.path}: ${SERVICE_IN_LINE}` : `${i.path ? `${i.path}: ` : ''}${i.message}`))
    .join('; ');
}

/** Every line checked before anything is written: one bad line and nothing is enqueued. */
export function parseLines(text: string, source: string): { items: EnqueueItem[]; problems: string[] } {
  const items: EnqueueItem[] = [];
  const problems: string[] = [];
  // A BOM is how some editors on Windows start a UTF-8 file: not part of the first line's JSON.
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${source === '-' ? 'stdin' : source}:${index + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      problems.push(`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    const shape = notAnObject(raw);
    if (shape !== null) {
      problems.push(`${where}: ${shape}`);
      return;
    }
    const parsed = EnqueueItem.safeParse(raw);
    if (parsed.success) items.push(parsed.data);
    else problems.push(`${where}: ${issueText(parsed.error, raw)}`);
  });
  return { items, problems };
}

/** A job enqueued with no registry to look its service up in gets defaults, not the service's settings: said beside it. */
function sayUnchecked(registry: RegistryHolder, io: Io, service: string): void {
  sayNoRegistry(registry, io, `service ${service} was not looked up, so its jobs have the default queue, priority and attempts, not the service's; a worker whose registry has ${service} runs them`);
}

export const enqueue: Command = {
  name: 'enqueue',
  summary: 'add a job for a service (idempotent by identifier), or many from JSON lines, all or nothing',
  usage: 'SERVICE [--payload JSON] [--identifier ID] [--queue Q] [--priority N] [--run-at ISO] | SERVICE --from FILE|-',
  details: [
    'With --from, each line is a JSON object with optional identifier, payload, queue, priority, run_at.',
    'Every line is checked first; if any is bad, each bad line is reported with its number and nothing is added.',
    'Without a registry (--registry), any service name is accepted, as a noop on the default queue. A worker whose registry does not declare the service hands the job back unrun, no attempt spent ("not in this worker\'s registry"), and leaves the service to workers whose registry has it: the job stays pending until one runs it. When no live worker has it, opsdeck health-check and opsdeck job ID say so.',
  ].join('\n'),
  options: {
    payload: { type: 'string', value: 'JSON', description: 'the job payload, a JSON object' },
    identifier: { type: 'string', value: 'ID', description: 'your id for the job; enqueueing it again returns the existing job' },
    queue: { type: 'string', value: 'Q', description: "queue (default: the service's)" },
    priority: { type: 'string', value: 'N', description: 'higher runs first (-1000..1000)' },
    'run-at': { type: 'string', value: 'ISO', description: 'not before this time' },
    from: { type: 'string', value: 'FILE|-', description: 'JSON lines to enqueue in one transaction (- reads stdin)' },
  },
  async run(inv) {
    const [service] = positionals(inv, ['SERVICE']);
    const { values } = inv;
    const from = str(values, 'from');
    if (from !== undefined) {
      for (const single of ['payload', 'identifier', 'queue', 'priority', 'run-at']) {
        if (values[single] !== undefined) throw new UsageError(`--${single} cannot be combined with --from: put it in each line`);
      }
      const { items, problems } = parseLines(await readSource(from), from);
      if (problems.length > 0) {
        for (const p of problems) inv.io.err(`opsdeck: ${p}`);
        throw new CliFailure(`${problems.length} bad line(s); nothing was enqueued`);
      }
      if (items.length === 0) throw new CliFailure(`${from} has no jobs`);
      if (items.length > MAX_LINES) throw new CliFailure(`${items.length} jobs is more than ${MAX_LINES} in one go; split the file`);
      return withRuntime(
        inv,
        async ({ ctx }) => {
          const result = await call(ctx, 'jobs.enqueueMany', { service: service ?? '', jobs: items });
          sayUnchecked(ctx.registry, inv.io, service ?? '');
          if (inv.common.json) printJson(inv.io, result);
          else {
            inv.io.out(`enqueued ${countText(result.created)} job(s) for ${service}${result.jobs.length > result.created ? ` (${countText(result.jobs.length - result.created)} already existed)` : ''}`);
            for (const line of heldByTexts(result, result.created, CLI_RESET)) inv.io.out(line);
          }
          return 0;
        },
        // Enqueuing is what creates a store, as a worker does: the first job may come before any worker.
        { mustExist: false },
      );
    }
    const payloadText = str(values, 'payload');
    const input = {
      service: service ?? '',
      payload: payloadText === undefined ? undefined : payloadOption(payloadText),
      identifier: str(values, 'identifier'),
      queue: str(values, 'queue'),
      priority: int(values, 'priority', -1000, 1000),
      run_at: isoTime(values, 'run-at'),
    };
    return withRuntime(inv, async ({ ctx }) => {
      const result = await call(ctx, 'jobs.enqueue', input);
      sayUnchecked(ctx.registry, inv.io, service ?? '');
      if (inv.common.json) printJson(inv.io, result);
      else if (result.created) {
        inv.io.out(`enqueued job ${result.id} (${result.identifier})`);
        for (const line of heldByTexts(result, 1, CLI_RESET)) inv.io.out(line);
      } else inv.io.out(`job ${result.id} (${result.identifier}) already exists; nothing added`);
      return 0;
    }, { mustExist: false });
  },
};
