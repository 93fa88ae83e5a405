/**
 * A variable a service or an alert channel names is not set in the process checking: said as where it was
 * looked for and where it matters, since an operator's console or command is often not the workers'.
 * `where`: the process, in words ("the console's process", processWords); absent where a check cannot
 * say (a registry's checks), "where this check ran".
 */
export function notSetHere(name: string, where?: string): string {
  return `environment variable ${name} is not set ${where === undefined ? 'where this check ran' : `in ${where}`}; each worker reads its own environment`;
}
