/**
 * A job as an operator names it, in the Go to job box or `?job=`: its id or its identifier. Digits are an id
 * (the console's own links carry ids), anything else text the call reads as the CLI (`opsdeck job
 * data-transform-123`) and REST (`/v1/executions/data-transform-123`) do: `identifier:7` is the job whose
 * identifier is 7.
 */
export type JobRef = number | string;

/** The most an identifier can be (the contract's jobs.get). */
const MAX_IDENTIFIER = 200;

export function parseJobRef(text: string | null): JobRef | null {
  const value = text?.trim() ?? '';
  if (value === '' || value.length > MAX_IDENTIFIER) return null;
  if (/^\d{1,15}$/.test(value)) return Number(value) > 0 ? Number(value) : null;
  return value;
}

/** What the console says when no job answers to a name. */
export function noJobText(ref: JobRef): string {
  return `No job with id or identifier ${JSON.stringify(String(ref))}.`;
}

/** Whether a row is the job the address names, by either name. */
export function isJob(job: { id: number; identifier: string }, ref: JobRef | null): boolean {
  return typeof ref === 'number' ? job.id === ref : job.identifier === ref;
}
