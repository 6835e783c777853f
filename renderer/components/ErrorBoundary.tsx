// Around every page: a page that throws while rendering shows what went wrong and a way back,
// instead of a blank window; the rest of the app (header, navigation, notices) keeps working.
import { Component, type ReactNode } from 'react';

export class ErrorBoundary extends Component<{ page: string; children: ReactNode }, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidUpdate(prev: { page: string }): void {
    if (prev.page !== this.props.page && this.state.error) this.setState({ error: undefined });
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <section role="alert" className="card callout" aria-label="Page error">
        <p className="bad">The {this.props.page} page failed: {this.state.error.message}</p>
        <p>The other pages still work. Try again, or reload the window if it keeps happening.</p>
        <button type="button" onClick={() => this.setState({ error: undefined })}>Try again</button>
      </section>
    );
  }
}
