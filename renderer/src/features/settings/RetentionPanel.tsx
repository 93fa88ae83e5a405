import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { PruneResult } from '../../../../shared/contract.ts';
import { useAction, useCall } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';
import { ErrorState, Loading } from '../../components/States.tsx';

function pruned(result: PruneResult): string {
  const jobs = result.completed + result.cancelled + result.dead_letters;
  return result.dry_run
    ? `${jobs} job(s) are past their retention (${result.completed} completed, ${result.cancelled} cancelled, ${result.dead_letters} resolved dead letters), about ${Math.round(result.bytes / 1024 / 1024)} MiB.`
    : `Pruned ${jobs} job(s) past their retention.`;
}

/** How long finished jobs are kept (the registry's `retention:`), and pruning on demand. */
export function RetentionPanel() {
  const queryClient = useQueryClient();
  const retention = useCall('retention.get', {});
  const prune = useAction('retention.prune');
  // Pruning deletes jobs: the button to do it appears once the operator has seen how many it would delete.
  const [counted, setCounted] = useState<PruneResult | null>(null);
  if (retention.isPending) return <Loading label="Loading retention…" />;
  if (retention.isError) return <ErrorState what="retention" error={retention.error} onRetry={() => void retention.refetch()} />;
  const { retention: policy, from_registry: fromRegistry } = retention.data;
  const run = (dryRun: boolean) =>
    prune.mutate(
      { dry_run: dryRun },
      {
        onSuccess(result) {
          notify('ok', pruned(result));
          setCounted(dryRun ? result : null);
          if (!dryRun) void queryClient.invalidateQueries();
        },
        onError: (e) => notify('bad', errorMessage(e)),
      },
    );
  return (
    <section className="panel" aria-labelledby="retention-title">
      <header className="panel-header">
        <h2 id="retention-title">Retention</h2>
      </header>
      <dl className="facts">
        {(
          [
            ['Completed jobs', policy.completed],
            ['Cancelled jobs', policy.cancelled],
            ['Resolved dead letters', policy.dead_letters],
            ['Chart history', policy.history],
            ['Background pruning', policy.enabled ? 'on: workers prune a little at a time, one at a time' : 'off'],
          ] as const
        ).map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="muted small">
        {fromRegistry ? 'Set by the registry’s retention: section.' : 'The defaults: the registry has no retention: section.'} Open dead letters,
        pending and running jobs are never pruned; the audit log is kept.
      </p>
      <div className="filters-row">
        <button type="button" disabled={prune.isPending} onClick={() => run(true)}>
          Count what is past retention
        </button>
        {counted ? (
          <button type="button" disabled={prune.isPending} onClick={() => run(false)}>
            Prune {counted.completed + counted.cancelled + counted.dead_letters} job(s) now
          </button>
        ) : null}
      </div>
    </section>
  );
}
