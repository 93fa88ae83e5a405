/** When a health report arrived, or null when there is none on screen. */
type Arrival = number | null;

/**
 * Where the health checks show, once: "Run health check" and "Diagnose" each bring a report, and both on
 * screen read as two lists of one thing. The newer one shows, in its place: alone, or inside the diagnosis.
 */
export function healthShown(health: Arrival, diagnosis: Arrival): 'health' | 'diagnosis' | null {
  if (health === null) return diagnosis === null ? null : 'diagnosis';
  if (diagnosis === null) return 'health';
  return health >= diagnosis ? 'health' : 'diagnosis';
}
