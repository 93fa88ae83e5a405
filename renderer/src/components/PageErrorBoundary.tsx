import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

/**
 * A page that throws while it renders shows what went wrong in its own place: the header, its emergency
 * stop and every other page stay usable, where an uncaught render error would blank the whole console.
 * Keyed by the page, so going to another page (or back) tries again.
 */
export class PageErrorBoundary extends Component<{ page: string; children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`the ${this.props.page} page failed`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="state state-error" role="alert">
        <div>
          <strong>The {this.props.page} page failed.</strong> <span className="mono">{error.message}</span>
          <div className="small">The other pages and the emergency stop still work.</div>
        </div>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
