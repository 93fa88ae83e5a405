/** How many of a group's services its row names before it counts the rest. */
export const SERVICES_NAMED = 3;

/**
 * A dead-letter group's services in a table cell, as pieces a line may break between, never inside: the
 * first few names, then how many more (`svc_00,` `svc_01,` `svc_02` `and 21 more`), so a failure shared by
 * every service reads in a line or two rather than a paragraph; all of them are on hover and in the
 * group's detail. One more than the few is named rather than counted.
 */
export function servicesPieces(services: readonly string[], named = SERVICES_NAMED): string[] {
  const shown = services.length <= named + 1 ? services : services.slice(0, named);
  const pieces = shown.map((name, i) => (i < shown.length - 1 ? `${name},` : name));
  return shown.length < services.length ? [...pieces, `and ${(services.length - shown.length).toLocaleString('en-US')} more`] : pieces;
}

/** The same as one line of text. */
export function servicesText(services: readonly string[], named = SERVICES_NAMED): string {
  return servicesPieces(services, named).join(' ');
}
