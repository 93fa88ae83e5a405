import { useId, useMemo } from 'react';
import type { WorkflowTask } from '../../../../shared/workflow.ts';
import { useNow } from '../../lib/useNow.ts';
import { toneOf } from '../../components/StatusBadge.tsx';
import { NODE_HEIGHT, NODE_WIDTH, layoutTasks } from './graphLayout.ts';
import { taskTiming } from './runView.ts';

/**
 * A run drawn as its dependency graph: one box per task with its state and timing, an arrow from each
 * upstream task to what depends on it. The drawing is one image to assistive technology; the task table
 * beside it (RunTasks) says the same in text.
 */
export function RunGraph({ tasks, label }: { tasks: WorkflowTask[]; label: string }) {
  const now = useNow();
  const layout = useMemo(() => layoutTasks(tasks), [tasks]);
  const arrow = `wf-arrow-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const byName = new Map(tasks.map((t) => [t.name, t]));
  return (
    <div className="wf-graph">
      <svg
        role="img"
        aria-label={label}
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        data-testid="workflow-graph"
      >
        <defs>
          <marker id={arrow} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="wf-arrowhead" />
          </marker>
        </defs>
        {layout.edges.map((edge) => (
          <polyline
            key={`${edge.from}->${edge.to}`}
            className={`wf-edge wf-edge-${byName.get(edge.from)?.status ?? 'pending'}`}
            points={edge.points.map((p) => `${p.x},${p.y}`).join(' ')}
            markerEnd={`url(#${arrow})`}
          />
        ))}
        {layout.nodes.map((node) => {
          const task = byName.get(node.name);
          if (!task) return null;
          return (
            <g key={node.name} transform={`translate(${node.x},${node.y})`} className={`wf-node wf-tone-${toneOf(task.status)}`} data-task={task.name} data-status={task.status}>
              <rect className="wf-node-box" width={NODE_WIDTH} height={NODE_HEIGHT} rx="6" />
              <rect className="wf-node-bar" width="6" height={NODE_HEIGHT} rx="3" />
              <text className="wf-node-name" x="16" y="22">
                {task.name.length > 22 ? `${task.name.slice(0, 21)}…` : task.name}
              </text>
              <text className="wf-node-status" x="16" y="40">
                {task.status}
              </text>
              <text className="wf-node-timing" x="16" y="56">
                {taskTiming(task, now)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
