import type { DroppedParam } from '../lib/urlParams.ts';

/** Says which filters of the address the page left out and why, so a page that shows everything does not look filtered. */
export function DroppedParams({ dropped }: { dropped: readonly DroppedParam[] }) {
  if (dropped.length === 0) return null;
  return (
    <div className="callout callout-warn" role="alert">
      {dropped.map((d) => (
        <div key={d.label}>
          <strong>{d.label}</strong> filter ignored: {d.why}.
        </div>
      ))}
    </div>
  );
}
