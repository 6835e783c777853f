// The contract over Electron IPC, as thin as the WebSocket adapter: one session per webContents
// (made when the window opens or on its first request), disposed when the webContents is
// destroyed or navigates to a new page, so every log stream it followed stops with it. Typed
// against the few methods it uses, so it is tested with a recorded stand-in for ipcMain.
import { toContractError } from '../host/errors.js';
import type { Reply } from '../contract.js';
import type { Host, Session } from '../host/host.js';

export interface ContentsLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed' | 'did-navigate', listener: () => void): unknown;
}

export type FrameLike = { url: string; parent: unknown } | null | undefined;
export interface InvokeEventLike { sender: ContentsLike; senderFrame: FrameLike }

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
}

export type IpcReply = Reply;

export class IpcContract {
  private readonly sessions = new Map<number, Session>();

  constructor(private readonly host: Pick<Host, 'connect' | 'handle'>) {}

  /** Answers `contract:request` from trusted frames only (`trusted` checks the sender's frame). */
  register(ipc: IpcMainLike, trusted: (frame: FrameLike) => boolean): void {
    ipc.handle('contract:request', async (event, channel: unknown, args: unknown): Promise<IpcReply> => {
      if (!trusted(event.senderFrame)) throw new Error('refused: not the app\'s own frame');
      if (typeof channel !== 'string') return { ok: false, error: { code: 'BAD_REQUEST', message: 'channel must be a string' } };
      try {
        return { ok: true, result: await this.host.handle(channel, args, this.open(event.sender)) };
      } catch (err) {
        return { ok: false, error: toContractError(err) };
      }
    });
  }

  /** The session of a webContents, made on first use and disposed with the page it serves. */
  open(contents: ContentsLike): Session {
    const existing = this.sessions.get(contents.id);
    if (existing && !existing.closed) return existing;
    const session = this.host.connect((event, payload) => {
      if (!contents.isDestroyed()) contents.send('contract:event', event, payload);
    });
    this.sessions.set(contents.id, session);
    const end = () => {
      session.dispose();
      if (this.sessions.get(contents.id) === session) this.sessions.delete(contents.id);
    };
    contents.once('destroyed', end);
    contents.once('did-navigate', end);
    return session;
  }

  /** How many sessions are open (for tests and diagnostics). */
  get sessionCount(): number {
    return this.sessions.size;
  }
}
