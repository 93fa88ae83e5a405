import { notify } from '../lib/notices.ts';

/** A small Copy button for a short text (a fingerprint, an id): what was copied is said in a notice. */
export function CopyButton({ text, what }: { text: string; what: string }) {
  function copy(): void {
    navigator.clipboard.writeText(text).then(
      () => notify('ok', `Copied ${what} ${text}.`),
      (error: unknown) => notify('bad', `Could not copy the ${what}: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  return (
    <button type="button" className="button-small" aria-label={`Copy ${what} ${text}`} onClick={copy}>
      Copy
    </button>
  );
}
