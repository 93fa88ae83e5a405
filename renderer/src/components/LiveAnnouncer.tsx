import { useAnnouncer } from '../lib/announcer.ts';

/** The page's two live regions, present from the start so the first announcement is not lost. */
export function LiveAnnouncer() {
  const polite = useAnnouncer((s) => s.polite);
  const assertive = useAnnouncer((s) => s.assertive);
  return (
    <div className="sr-only">
      <div id="announce-polite" aria-live="polite" aria-atomic="true">
        {polite ? <span key={polite.id}>{polite.text}</span> : null}
      </div>
      <div id="announce-assertive" aria-live="assertive" aria-atomic="true">
        {assertive ? <span key={assertive.id}>{assertive.text}</span> : null}
      </div>
    </div>
  );
}
