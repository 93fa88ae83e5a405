/**
 * The note beside the Overview's heading: "live" only while the figures are current. Otherwise it says
 * when they are from and why they stopped: the store or the console's host no longer answering, or, with
 * both answering, a refresh of the figures that failed. `time` writes a time as the console shows times.
 */
export function liveNote(at: string, why: { storeDown: boolean; hostDown: boolean; refreshFailed: boolean }, time: (iso: string) => string): { live: boolean; text: string } {
  if (why.hostDown) return { live: false, text: `not live: figures from ${time(at)}, before the console host stopped answering` };
  if (why.storeDown) return { live: false, text: `not live: figures from ${time(at)}, before the store stopped answering` };
  if (why.refreshFailed) return { live: false, text: `not live: figures from ${time(at)}; the last refresh failed` };
  return { live: true, text: `live · updated ${time(at)}` };
}
