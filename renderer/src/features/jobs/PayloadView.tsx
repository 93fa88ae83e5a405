import { useId, useMemo, useState } from 'react';
import { previewText } from '../../../../shared/textPreview.ts';
import { formatBytes } from '../../lib/format.ts';
import { notify } from '../../lib/notices.ts';

/**
 * How much of a payload the drawer draws at first. A client may send one near a megabyte, and laying out
 * all of it in the drawer held the drawer's opening for seconds; 64 KiB is far more than a reader takes in.
 */
export const PAYLOAD_PREVIEW_BYTES = 64 * 1024;

/** A job's payload pretty-printed: its start when it is large, the rest on request, all of it to copy. */
export function PayloadView({ payload }: { payload: unknown }) {
  const text = useMemo(() => JSON.stringify(payload, null, 2), [payload]);
  const preview = useMemo(() => previewText(text, PAYLOAD_PREVIEW_BYTES), [text]);
  const [whole, setWhole] = useState(false);
  const cut = preview.moreBytes > 0 && !whole;
  const headingId = useId();

  function copy(): void {
    navigator.clipboard.writeText(text).then(
      () => notify('ok', `Payload copied (${formatBytes(preview.totalBytes)}).`),
      (error: unknown) => notify('bad', `Could not copy the payload: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  return (
    <section aria-labelledby={headingId}>
      <div className="section-head">
        <h3 id={headingId}>Payload</h3>
        <button type="button" className="button-small" onClick={copy}>
          Copy
        </button>
      </div>
      <pre className="code">{cut ? preview.shown : text}</pre>
      {cut ? (
        <p className="muted small payload-more">
          Showing the first {formatBytes(preview.totalBytes - preview.moreBytes)} of {formatBytes(preview.totalBytes)} (pretty-printed).{' '}
          <button type="button" className="button-small" onClick={() => setWhole(true)}>
            Show all
          </button>
        </p>
      ) : null}
    </section>
  );
}
