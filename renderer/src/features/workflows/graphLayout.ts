import dagre from '@dagrejs/dagre';
import type { EdgeLabel, GraphLabel, NodeLabel } from '@dagrejs/dagre';

/**
 * Where each task of a run is drawn: dagre lays the dependency graph out left to right (upstream tasks
 * to the left of what depends on them), and the console draws the boxes and arrows it places.
 */

export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 64;

export interface LaidNode {
  name: string;
  /** Top-left corner. */
  x: number;
  y: number;
}

export interface LaidEdge {
  from: string;
  to: string;
  points: Array<{ x: number; y: number }>;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: LaidNode[];
  edges: LaidEdge[];
}

export function layoutTasks(tasks: ReadonlyArray<{ name: string; depends_on: readonly string[] }>): GraphLayout {
  const graph = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  graph.setGraph({ rankdir: 'LR', nodesep: 20, ranksep: 56, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  const names = new Set(tasks.map((t) => t.name));
  for (const task of tasks) graph.setNode(task.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const task of tasks) {
    for (const upstream of task.depends_on) if (names.has(upstream)) graph.setEdge(upstream, task.name);
  }
  dagre.layout(graph);
  const nodes = tasks.map((task) => {
    const placed = graph.node(task.name);
    return { name: task.name, x: (placed.x ?? 0) - NODE_WIDTH / 2, y: (placed.y ?? 0) - NODE_HEIGHT / 2 };
  });
  const edges = graph.edges().map((e) => ({ from: e.v, to: e.w, points: graph.edge(e).points ?? [] }));
  const label = graph.graph();
  const width = label.width ?? NODE_WIDTH;
  const height = label.height ?? NODE_HEIGHT;
  return { width, height, nodes, edges };
}
