import { countText } from '../../../../shared/countText.ts';

/**
 * An audit entry's details as one line of `key=value`, empty values left out, structures as JSON. A count
 * reads as every count in the console does (pending_held=20,000); the numbers inside a structure (the
 * job_ids listed) are left as the JSON has them.
 */
export function auditDetails(value: Record<string, unknown> | null): string {
  if (!value) return '';
  return Object.entries(value)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : typeof v === 'number' ? countText(v) : JSON.stringify(v)}`)
    .join(' ');
}
