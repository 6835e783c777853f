// One client of the contract (a browser tab's WebSocket, an Electron window's webContents): the
// events it receives, and what it follows (log streams), stopped when it closes. Both transports
// make one per connection and dispose it when the socket closes or the window is destroyed.
import type { EventName, Events } from '../contract.js';

export type Emit = <E extends EventName>(event: E, payload: Events[E]) => void;

export class Session {
  private readonly follows = new Map<string, () => void>();
  private readonly cleanups: (() => void)[] = [];
  private disposed = false;

  constructor(readonly emit: Emit) {}

  /** Keeps `stop` for what the session follows under `key`; a new follow of the same key stops the old. */
  follow(key: string, stop: () => void): void {
    this.unfollow(key);
    if (this.disposed) {
      stop();
      return;
    }
    this.follows.set(key, stop);
  }

  unfollow(key: string): void {
    const stop = this.follows.get(key);
    this.follows.delete(key);
    stop?.();
  }

  /** What the session follows now (for tests and diagnostics). */
  get following(): string[] {
    return [...this.follows.keys()];
  }

  get closed(): boolean {
    return this.disposed;
  }

  /** Runs `fn` when the session is disposed (unsubscribing it from broadcasts, say). */
  onDispose(fn: () => void): void {
    if (this.disposed) fn();
    else this.cleanups.push(fn);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const key of [...this.follows.keys()]) this.unfollow(key);
    for (const fn of this.cleanups.splice(0)) fn();
  }
}
