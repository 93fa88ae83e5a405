/** An audit entry's details as one line of `key=value`, empty values left out, structures as JSON. */
export function auditDetails(value: Record<string, unknown> | null): string {
  if (!value) return '';
  return Object.entries(value)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}
