import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted' | 'run';

const STATUS_TONE: Record<string, Tone> = {
  pending: 'info',
  running: 'run',
  completed: 'ok',
  failed: 'bad',
  cancelled: 'muted',
  waiting: 'muted',
  blocked: 'warn',
  closed: 'ok',
  open: 'bad',
  half_open: 'warn',
  timed_out: 'bad',
  lost: 'warn',
  interrupted: 'warn',
  stuck: 'warn',
  held: 'warn',
  draining: 'warn',
  reconnecting: 'info',
  stopped: 'muted',
  resolved: 'muted',
};

export function toneOf(status: string): Tone {
  return STATUS_TONE[status] ?? 'muted';
}

export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function StatusBadge({ status, title }: { status: string; title?: string }) {
  return (
    <Badge tone={toneOf(status)} title={title}>
      {status.replace('_', ' ')}
    </Badge>
  );
}
