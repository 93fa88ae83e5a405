/**
 * A variable a service names is not set in the process checking (validate-config, health-check): said as
 * where it was looked for and where it matters, since an operator's shell is often not the workers'.
 */
export function notSetHere(name: string): string {
  return `environment variable ${name} is not set where this check ran; each worker reads its own environment`;
}
