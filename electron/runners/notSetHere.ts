/**
 * A variable is not set in the process checking, said as where it was looked for: `where` is the process,
 * in words ("the console's process", processWords); absent where a check cannot say which process it is
 * (a registry's or a rule file's checks), "where this check ran". Every "not set here" is worded by it.
 */
export function unsetIn(name: string, where?: string): string {
  return `environment variable ${name} is not set ${where === undefined ? 'where this check ran' : `in ${where}`}`;
}

/**
 * A variable a service names is not set in the process checking (validate-config, health-check): said as
 * where it was looked for and where it matters, since an operator's console or command is not the workers'.
 */
export function notSetHere(name: string, where?: string): string {
  return `${unsetIn(name, where)}; each worker reads its own environment`;
}
