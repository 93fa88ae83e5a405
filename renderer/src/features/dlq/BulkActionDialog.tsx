import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { BulkResult } from '../../../../shared/contract.ts';
import type { DlqSelector } from '../../../../shared/domain.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { Loading } from '../../components/States.tsx';
import { useClient } from '../../lib/clientContext.ts';
import { errorMessage } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';
import { useUi } from '../../lib/uiState.ts';

export type BulkAction =
  | { kind: 'retry'; selector: DlqSelector; scope: string }
  | { kind: 'resolve'; selector: DlqSelector; scope: string }
  | { kind: 'purge'; before: string; scope: string };

const VERB = { retry: 'retry', resolve: 'resolve', purge: 'permanently delete' } as const;
const CONFIRM = { retry: 'Retry', resolve: 'Resolve', purge: 'Purge' } as const;
const DONE = { retry: 'Retried', resolve: 'Resolved', purge: 'Purged' } as const;
/** The dry run only counts; the schema wants a note, and a dry run stores nothing. */
const COUNT_ONLY_NOTE = 'dry run';

function jobs(n: number): string {
  return `${n.toLocaleString()} job${n === 1 ? '' : 's'}`;
}

/**
 * Every bulk action says how many jobs it touches before it runs: the same call with dry_run first,
 * then the real one after the operator confirms, then the result.
 */
export function BulkActionDialog({ action, onClose }: { action: BulkAction; onClose(): void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const clearSelection = useUi((s) => s.clearDeadLetters);
  const [preview, setPreview] = useState<BulkResult | null>(null);
  const [result, setResult] = useState<BulkResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [running, setRunning] = useState(false);

  function run(dryRun: boolean): Promise<BulkResult> {
    if (action.kind === 'retry') return client.call('dlq.retry', { selector: action.selector, dry_run: dryRun });
    if (action.kind === 'resolve') return client.call('dlq.resolve', { selector: action.selector, note: dryRun ? COUNT_ONLY_NOTE : note.trim(), dry_run: dryRun });
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

  async function confirm(): Promise<void> {
    setRunning(true);
    setError(null);
    try {
      const done = await run(false);
      setResult(done);
      clearSelection();
      notify('ok', `${DONE[action.kind]} ${jobs(done.affected)}.`);
      for (const name of ['dlq.groups', 'dlq.list', 'jobs.list', 'jobs.get', 'overview.stats', 'audit.list']) {
        void queryClient.invalidateQueries({ queryKey: [name] });
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setRunning(false);
    }
  }

  const title = `${VERB[action.kind][0]?.toUpperCase()}${VERB[action.kind].slice(1)} ${action.scope}`;
  const needsNote = action.kind === 'resolve' && note.trim() === '';
  const nothing = preview !== null && preview.matched === 0;

  return (
    <Dialog
      title={title}
      tone={action.kind === 'purge' ? 'danger' : 'default'}
      onClose={onClose}
      footer={
        result ? (
          <button type="button" className="button-primary" onClick={onClose}>
            Close
          </button>
        ) : (
          <>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button
              type="button"
              className={action.kind === 'purge' ? 'button-danger' : 'button-primary'}
              disabled={preview === null || nothing || running || needsNote}
              onClick={() => void confirm()}
            >
              {running ? 'Working…' : preview ? `${CONFIRM[action.kind]} ${jobs(preview.matched)}` : 'Confirm'}
            </button>
          </>
        )
      }
    >
      {error ? (
        <p className="callout callout-bad" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <p className="result" role="status">
          {DONE[action.kind]} {jobs(result.affected)}
          {result.affected !== result.matched ? ` (${jobs(result.matched)} matched; the rest changed meanwhile)` : ''}.
        </p>
      ) : preview === null ? (
        error ? null : <Loading label="Counting the jobs this touches…" />
      ) : (
        <>
          <p className="preview" role="status">
            {nothing ? `Nothing to ${VERB[action.kind]}: no job matches now.` : `This will ${VERB[action.kind]} ${jobs(preview.matched)}.`}
          </p>
          {action.kind === 'retry' && !nothing ? <p className="muted">They go back to pending with their attempts reset and run as soon as a worker picks them up.</p> : null}
          {action.kind === 'purge' && !nothing ? <p className="muted">Resolved dead letters older than {new Date(action.before).toLocaleString()} are deleted with their attempts. This cannot be undone.</p> : null}
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
