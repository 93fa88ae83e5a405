import type { ReactNode } from 'react';
import { errorMessage } from '../lib/callError.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorState({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what: string }) {
  return (
    <div className="state state-error" role="alert">
      <div>
        <strong>Could not load {what}.</strong> <span className="mono">{errorMessage(error)}</span>
      </div>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <div className="state-detail">{children}</div> : null}
    </div>
  );
}
