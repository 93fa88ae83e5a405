/**
 * Which events deserve a desktop notification: the emergency stop engaging, a breaker opening, and an
 * alert rule with a desktop channel firing or resolving.
 * Kept apart from Electron so the rules are tested directly.
 */
export interface Notice {
  title: string;
  body: string;
}

export interface NoticeState {
  emergencyStop: boolean | null;
  openBreakers: Set<string>;
}

export function initialNoticeState(): NoticeState {
  return { emergencyStop: null, openBreakers: new Set() };
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

export function noticeFor(state: NoticeState, event: string, payload: unknown): Notice | null {
  const data = record(payload);
  if (!data) return null;
  if (event === 'control.changed' || event === 'stats.tick') {
    const control = event === 'stats.tick' ? record(data.control) : data;
    const flag = record(control?.emergency_stop);
    if (!flag || typeof flag.engaged !== 'boolean') return null;
    const before = state.emergencyStop;
    state.emergencyStop = flag.engaged;
    // The first state seen is the starting point, not a change worth announcing.
    if (before === false && flag.engaged) {
      const by = text(flag.by);
      const reason = text(flag.reason);
      return {
        title: 'Emergency stop engaged',
        body: [by ? `by ${by}` : null, reason].filter((part) => part !== null).join(': ') || 'Dispatch is stopped on every worker.',
      };
    }
    return null;
  }
  if (event === 'alert.changed') {
    const rule = text(data.rule);
    if (!rule || data.desktop !== true) return null;
    const summary = text(data.summary) ?? '';
    if (data.status === 'firing') return { title: `Alert firing (${text(data.severity) ?? 'warning'}): ${rule}`, body: summary };
    if (data.status === 'resolved') return { title: `Alert resolved: ${rule}`, body: summary };
    return null;
  }
  if (event === 'breaker.changed') {
    const service = text(data.service);
    if (!service) return null;
    const wasOpen = state.openBreakers.has(service);
    if (data.state === 'open') {
      state.openBreakers.add(service);
      if (wasOpen) return null;
      const reason = text(data.reason);
      return { title: `Circuit breaker opened: ${service}`, body: reason ?? 'Its jobs wait until it closes.' };
    }
    state.openBreakers.delete(service);
  }
  return null;
}
