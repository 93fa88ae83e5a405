import { useInfiniteQuery } from '@tanstack/react-query';
import type { ScheduleView } from '../../../../shared/schedule.ts';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { useClient } from '../../lib/clientContext.ts';
import { FireOutcome } from './FireOutcome.tsx';
import { ScheduleTime } from './ScheduleTimes.tsx';

/** One schedule's fires, newest first: the jobs it made and the fires it skipped, with who fired them. */
export function ScheduleHistory({ schedule, viewer, onClose }: { schedule: ScheduleView; viewer: string; onClose(): void }) {
  const client = useClient();
  const fires = useInfiniteQuery({
    queryKey: ['schedules.fires', { name: schedule.name }],
    queryFn: ({ pageParam }) => client.call('schedules.fires', { name: schedule.name, limit: 50, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: 5000,
  });
  const items = fires.data?.pages.flatMap((p) => p.fires) ?? [];
  return (
    <section className="panel" aria-labelledby="history-title">
      <header className="panel-header">
        <h2 id="history-title">Fire history of {schedule.name}</h2>
        <button type="button" onClick={onClose}>
          Close history
        </button>
      </header>
      {fires.isPending ? <Loading label="Loading fires…" /> : null}
      {fires.isError ? <ErrorState what="the fire history" error={fires.error} onRetry={() => void fires.refetch()} /> : null}
      {fires.data && items.length === 0 ? <Empty title="No fires yet">Its first fire is due {schedule.next_fires[0] ? 'at the next fire shown above' : 'once it is resumed'}.</Empty> : null}
      {items.length > 0 ? (
        <table className="table schedules-table" aria-label={`Fires of ${schedule.name}`}>
          <thead>
            <tr>
              <th scope="col">Fire time ({schedule.config.timezone})</th>
              <th scope="col">Outcome</th>
              <th scope="col">Fired by</th>
            </tr>
          </thead>
          <tbody>
            {items.map((fire) => (
              <tr key={fire.id}>
                <td>
                  <ScheduleTime iso={fire.fire_at} zone={schedule.config.timezone} viewer={viewer} />
                </td>
                <td>
                  <FireOutcome fire={fire} />
                </td>
                <td className="mono small">{fire.recorded_by}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {fires.hasNextPage ? (
        <button type="button" disabled={fires.isFetchingNextPage} onClick={() => void fires.fetchNextPage()}>
          {fires.isFetchingNextPage ? 'Loading…' : 'Older fires'}
        </button>
      ) : null}
    </section>
  );
}
