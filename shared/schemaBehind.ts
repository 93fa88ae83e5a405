/** How far a store's schema is behind this opsdeck, by its migrations. */
export interface Behind {
  applied: number;
  pending: number;
}

/**
 * A store behind this opsdeck, in the words every interface says it with: `the store at PATH is 3
 * migration(s) behind this opsdeck (41 applied of 44)`.
 */
export function schemaBehindText(where: string, behind: Behind): string {
  return `the store at ${where} is ${behind.pending} migration(s) behind this opsdeck (${behind.applied} applied of ${behind.applied + behind.pending})`;
}

/**
 * What to do about it, `migrate` being how the interface applies the migrations (`run opsdeck migrate with
 * this --db`, `switch to it`): workers of the version before may be using the store, and refuse it once it
 * is migrated past what they know.
 */
export function schemaBehindAdvice(migrate: string): string {
  return `stop the workers that use it and ${migrate} (see Upgrading in the README), or use the opsdeck version they run`;
}
