import { taskWhy } from '../../../../shared/taskWhy.ts';
import { withTimes } from '../../../../shared/timesInText.ts';
import type { WorkflowTaskView } from '../../../../shared/views.ts';
import type { WorkflowRun } from '../../../../shared/workflow.ts';
import { routeHref } from '../../lib/router.ts';
import { useNow } from '../../lib/useNow.ts';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { taskTiming } from './runView.ts';
import { useTimes } from '../../lib/useTimes.ts';

/** The run's tasks in text: what the graph shows, for reading, copying and screen readers. */
export function RunTasks({ run, tasks, caption }: { run: Pick<WorkflowRun, 'status'>; tasks: WorkflowTaskView[]; caption: string }) {
  const times = useTimes();
  const now = useNow();
  return (
    <table className="table compact" aria-label={caption}>
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">State</th>
          <th scope="col">Depends on</th>
          <th scope="col">Service</th>
          <th scope="col">Started</th>
          <th scope="col">Timing</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => (
          <tr key={task.name} className={task.status === 'failed' ? 'row-bad' : task.status === 'blocked' ? 'row-warn' : undefined}>
            <th scope="row" className="mono">
              <a href={routeHref('/jobs', { job: String(task.job_id) })} aria-label={`${task.name}: open job ${task.job_id}`}>
                {task.name}
              </a>
            </th>
            <td>
              <StatusBadge status={task.status} />
            </td>
            <td className="mono">{task.depends_on.length > 0 ? task.depends_on.join(', ') : '—'}</td>
            <td className="mono">{task.service_name}</td>
            <td>{times.time(task.started_at)}</td>
            <td>{taskTiming(task, now)}</td>
            <td className="wf-reason">{withTimes(taskWhy(task, run, tasks), times.time)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
