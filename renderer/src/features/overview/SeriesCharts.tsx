import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { OverviewSeries, OverviewStats } from '../../../../shared/contract.ts';
import { formatCount, formatMs } from '../../lib/format.ts';
import { useTimes } from '../../lib/useTimes.ts';
import { Empty } from '../../components/States.tsx';
import { latencyPoints, queueDepthPoints, throughputPoints } from './chartData.ts';

// Tick labels are text: filled with the muted text colour (4.5:1 in both themes), not stroked in it.
const AXIS = { fill: 'var(--text-muted)', fontSize: 11 };
/** Legend words in the text colour; the swatch beside each keeps the series colour. */
const legendText = (value: unknown) => <span style={{ color: 'var(--text)' }}>{String(value)}</span>;
const TOOLTIP = {
  contentStyle: { background: 'var(--surface-raised)', border: '1px solid var(--border)', borderRadius: 4, fontSize: 12 },
  labelStyle: { color: 'var(--text)' },
  itemStyle: { color: 'var(--text)' },
};

export function ThroughputChart({ series }: { series: OverviewSeries }) {
  const times = useTimes();
  const data = throughputPoints(series);
  if (data.length === 0) return <Empty title="No finished jobs in this window." />;
  return (
    <ResponsiveContainer width="100%" height={220}>
      <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: -12 }}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis dataKey="at" tickFormatter={(at: string) => times.clock(at)} tick={AXIS} stroke="var(--border)" minTickGap={40} />
        <YAxis tick={AXIS} stroke="var(--border)" allowDecimals={false} />
        <Tooltip {...TOOLTIP} labelFormatter={(at) => (typeof at === 'string' ? times.time(at) : '')} />
        <Legend wrapperStyle={{ fontSize: 12 }} formatter={legendText} />
        <Area type="monotone" dataKey="completed" name="completed / min" stroke="var(--ok)" fill="var(--ok-soft)" isAnimationActive={false} />
        <Area type="monotone" dataKey="failed" name="failed / min" stroke="var(--bad)" fill="var(--bad-soft)" isAnimationActive={false} />
      </AreaChart>
    </ResponsiveContainer>
  );
}

/** The queue chart's series in the order they stack, bottom up, and are listed: the backlog, then the dead letters. */
const QUEUE_SERIES = ['due', 'not_due', 'pending', 'running', 'dead_letters'];
const inStackOrder = (item: { dataKey?: unknown }) => QUEUE_SERIES.indexOf(String(item.dataKey));

export function QueueDepthChart({ stats }: { stats: OverviewStats }) {
  const data = queueDepthPoints(stats);
  if (data.length === 0) return <Empty title="No queues yet." />;
  const undivided = data.some((p) => p.pending > 0);
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis dataKey="queue" tick={AXIS} stroke="var(--border)" />
        <YAxis tick={AXIS} stroke="var(--border)" allowDecimals={false} tickFormatter={(n: number) => formatCount(n)} width={56} />
        <Tooltip {...TOOLTIP} cursor={{ fill: 'var(--hover)' }} itemSorter={inStackOrder} formatter={(value) => (typeof value === 'number' ? formatCount(value) : String(value))} />
        <Legend wrapperStyle={{ fontSize: 12 }} formatter={legendText} itemSorter={inStackOrder} />
        <Bar dataKey="due" name="due" stackId="backlog" fill="var(--info)" isAnimationActive={false} />
        <Bar dataKey="not_due" name="not yet due" stackId="backlog" fill="var(--control-border)" isAnimationActive={false} />
        {undivided ? <Bar dataKey="pending" name="pending, due or not (not counted apart)" stackId="backlog" fill="var(--accent-2)" isAnimationActive={false} /> : null}
        <Bar dataKey="running" name="running" stackId="backlog" fill="var(--run)" isAnimationActive={false} />
        <Bar dataKey="dead_letters" name="open dead letters" fill="var(--bad)" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function LatencyChart({ series }: { series: OverviewSeries }) {
  const data = latencyPoints(series);
  if (data.length === 0) return <Empty title="No completed jobs to measure in this window." />;
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 4 }}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis dataKey="type" tick={AXIS} stroke="var(--border)" />
        <YAxis tick={AXIS} stroke="var(--border)" tickFormatter={(ms: number) => formatMs(ms)} width={64} />
        <Tooltip {...TOOLTIP} cursor={{ fill: 'var(--hover)' }} formatter={(value) => (typeof value === 'number' ? formatMs(value) : String(value))} />
        <Legend wrapperStyle={{ fontSize: 12 }} formatter={legendText} />
        <Bar dataKey="p50" name="p50" fill="var(--accent)" isAnimationActive={false} />
        <Bar dataKey="p95" name="p95" fill="var(--accent-2)" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
