import { WorkerName } from '../../shared/workerName.ts';
import { str, UsageError, type Values } from './args.ts';

/** `opsdeck worker --name NAME`, checked: null when not given. */
export function workerNameOf(values: Values): string | null {
  const text = str(values, 'name');
  if (text === undefined) return null;
  const parsed = WorkerName.safeParse(text);
  if (!parsed.success) throw new UsageError(`--name "${text}": ${parsed.error.issues[0]?.message ?? 'not a worker name'}`);
  return parsed.data;
}
