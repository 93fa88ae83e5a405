import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { BulkResult } from '../../../../shared/contract.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { Loading } from '../../components/States.tsx';
import { useClient } from '../../lib/clientContext.ts';
import { errorMessage } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';
import { useUi } from '../../lib/uiState.ts';
import { affectedJobsLink, bulkTitle, confirmLabel, previewText, resultText, type BulkAction } from './bulkAction.ts';
import { useTimes } from '../../lib/useTimes.ts';

const REFRESHED = ['dlq.groups', 'dlq.list', 'jobs.list', 'jobs.get', 'overview.stats', 'audit.list'];

/**
 * Every bulk action says how many jobs it touches before it runs: the same call with dry_run first, then
 * the real one after the operator confirms. Confirmed, the dialog closes and the result is reported once,
 * by a notice that links to the jobs; a failure stays in the dialog, where the operator can try again.
 */
export function BulkActionDialog({ action, onClose }: { action: BulkAction; onClose(): void }) {
  const times = useTimes();
  const client = useClient();
  const queryClient = useQueryClient();
  const clearSelection = useUi((s) => s.clearDeadLetters);
  const [preview, setPreview] = useState<BulkResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [running, setRunning] = useState(false);

  function run(dryRun: boolean): Promise<BulkResult> {
    if (action.kind === 'retry') return client.call('dlq.retry', { selector: action.selector, dry_run: dryRun });
    if (action.kind === 'resolve') return client.call('dlq.resolve', dryRun ? { selector: action.selector, dry_run: true } : { selector: action.selector, note: note.trim() });
    return client.call('dlq.purge', { before: action.before, dry_run: dryRun });
  }

  useEffect(() => {
    let live = true;
    run(true).then(
      (r) => live && setPreview(r),
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
    // The preview is taken once, when the dialog opens; the action is fixed for the dialog's lifetime.
  }, []);

  const needsNote = action.kind === 'resolve' && note.trim() === '';
  const nothing = preview !== null && preview.matched === 0;
  const blocked = preview === null || nothing || needsNote;

  async function confirm(): Promise<void> {
    if (blocked || running) return;
    setRunning(true);
    setError(null);
    try {
      const done = await run(false);
      clearSelection();
      for (const name of REFRESHED) void queryClient.invalidateQueries({ queryKey: [name] });
      onClose();
      notify('ok', resultText(action.kind, done, preview.matched), { link: affectedJobsLink(action) ?? undefined });
    } catch (e) {
      setError(errorMessage(e));
      setRunning(false);
    }
  }

  return (
    <Dialog
      title={bulkTitle(action)}
      tone={action.kind === 'purge' ? 'danger' : 'default'}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {/* aria-disabled while working, not disabled: a disabled button drops the focus it holds. */}
          <button
            type="button"
            className={action.kind === 'purge' ? 'button-danger' : 'button-primary'}
            disabled={blocked}
            aria-disabled={running || undefined}
            onClick={() => void confirm()}
          >
            {confirmLabel(action.kind, preview, running)}
          </button>
        </>
      }
    >
      {error ? (
        <p className="callout callout-bad" role="alert">
          {error}
        </p>
      ) : null}
      {action.kind !== 'purge' && action.sample !== undefined ? (
        <p className="small">
          <span className="muted">Error group: </span>
          <span className="mono text-bad" title={action.sample}>
            {times.inText(action.sample)}
          </span>
        </p>
      ) : null}
      {preview === null ? (
        error ? null : <Loading label="Counting the jobs this touches…" />
      ) : (
        <>
          <p className="preview" role="status">
            {previewText(action.kind, preview)}
          </p>
          {action.kind === 'retry' && !nothing ? <p className="muted">They go back to pending with their attempts reset and run as soon as a worker picks them up.</p> : null}
          {action.kind === 'purge' && !nothing ? <p className="muted">Resolved dead letters older than {times.time(action.before)} are deleted with their attempts. This cannot be undone.</p> : null}
          {action.kind === 'resolve' && !nothing ? (
            <label className="field">
              <span>Resolution note (required, kept with each job and in the audit log)</span>
              {/* The note is the one thing left to decide once the count is known. */}
              <textarea
                autoFocus
                value={note}
                onChange={(event) => setNote(event.target.value)}
                rows={3}
                maxLength={2000}
                placeholder="e.g. duplicate of INC-1234, data fixed by hand"
              />
            </label>
          ) : null}
        </>
      )}
    </Dialog>
  );
}
