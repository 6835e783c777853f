// One lock for everything that changes the stack (up, down, stop, restart, apply, restore,
// compose apply). A click while the stack is busy is refused at once (the buttons say what is
// under way); a config change waits its turn, so two applies at once run one after the other.
import type { StackSnapshot } from '../contract.js';
import { ContractFailure } from './errors.js';

export type Work = NonNullable<StackSnapshot['busy']>;

export class StackLock {
  private held?: Work;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly changed: () => void) {}

  get busy(): Work | undefined {
    return this.held;
  }

  /** Runs `work` holding the lock; `wait` queues behind the holder instead of refusing. */
  async run<T>(kind: Work, work: () => Promise<T>, opts: { wait?: boolean } = {}): Promise<T> {
    if (this.held && !opts.wait) throw new ContractFailure({ code: 'BUSY', message: `the stack is busy with ${this.held}; try again when it is done` });
    const turn = this.tail.then(async () => {
      this.held = kind;
      this.changed();
      try {
        return await work();
      } finally {
        this.held = undefined;
        this.changed();
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}
