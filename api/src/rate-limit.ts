// Fixed-window counters for login attempts, per username and per client address. Memory is
// bounded: when the table is full the oldest windows are dropped first.
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `key` has used up its attempts in the current window. */
  exceeded(key: string): boolean {
    const w = this.current(key);
    return w !== undefined && w.count >= this.limit;
  }

  hit(key: string): void {
    const w = this.current(key);
    if (w) {
      w.count += 1;
      return;
    }
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
    this.windows.set(key, { start: this.now(), count: 1 });
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  /** Seconds until `key`'s window ends, for Retry-After. */
  retryAfter(key: string): number {
    const w = this.windows.get(key);
    return w ? Math.max(1, Math.ceil((w.start + this.windowMs - this.now()) / 1000)) : 0;
  }

  private current(key: string): { start: number; count: number } | undefined {
    const w = this.windows.get(key);
    if (w && this.now() - w.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }
}
