import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { CallError, errorMessage } from '../../lib/callError.ts';
import { callKey } from '../../lib/calls.ts';
import { useClient } from '../../lib/clientContext.ts';
import { anyDialogOpen } from '../../lib/dialogStack.ts';
import { navigate, useRoute } from '../../lib/router.ts';
import { ariaKeys } from '../../lib/shortcuts.ts';
import { useShortcut } from '../../lib/useShortcut.ts';
import { useUi } from '../../lib/uiState.ts';
import { noJobText, parseJobRef } from './jobRef.ts';

/**
 * The `/` key, from any page: to the Jobs page, focus in its Go to job box. Over an open dialog it waits:
 * the box would be behind it.
 */
export function GoToJobShortcut() {
  const route = useRoute();
  useShortcut('go-to-job', () => {
    if (anyDialogOpen()) return;
    useUi.getState().requestGoToJob();
    if (route.path !== '/jobs') navigate('/jobs');
  });
  return null;
}

/**
 * Opens a job by its id or its identifier, as `opsdeck job` and `/v1/executions/{id}` take one. The job is
 * looked up here, so a name that is no job is said at the box and no empty drawer opens; the answer is
 * kept for the drawer, which then draws at once.
 */
export function GoToJob({ onFound }: { onFound(id: number): void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const problemId = useId();
  const requested = useUi((state) => state.goToJobRequested);

  useEffect(() => {
    if (!requested) return;
    input.current?.focus();
    input.current?.select();
    useUi.getState().goToJobFocused();
  }, [requested]);

  async function go(event: FormEvent): Promise<void> {
    event.preventDefault();
    const ref = parseJobRef(text);
    if (ref === null) {
      setProblem(text.trim() ? noJobText(text.trim()) : 'Type a job id or identifier.');
      return;
    }
    setBusy(true);
    try {
      const trace = await queryClient.fetchQuery({ queryKey: callKey('jobs.get', { id: ref }), queryFn: () => client.call('jobs.get', { id: ref }) });
      queryClient.setQueryData(callKey('jobs.get', { id: trace.job.id }), trace);
      setProblem(null);
      onFound(trace.job.id);
    } catch (error) {
      setProblem(error instanceof CallError && error.code === 'not_found' ? noJobText(ref) : errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="go-to-job" role="search" aria-label="Go to job" onSubmit={(event) => void go(event)}>
      <label className="field">
        <span>Go to job</span>
        <input
          ref={input}
          type="search"
          value={text}
          placeholder="id or identifier"
          title="Enter opens the job; / comes here from any page"
          aria-keyshortcuts={ariaKeys('go-to-job')}
          aria-invalid={problem !== null}
          aria-describedby={problem ? problemId : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setProblem(null);
          }}
        />
      </label>
      <button type="submit" disabled={busy}>
        Open
      </button>
      {problem ? (
        <span id={problemId} className="text-bad field-problem" role="alert">
          {problem}
        </span>
      ) : null}
    </form>
  );
}
