import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Host, type Session } from '../host/host.js';
import { IpcContract, type ContentsLike, type FrameLike, type InvokeEventLike, type IpcMainLike, type IpcReply } from './ipc.js';

/** A recorded stand-in for ipcMain: the handlers registered, invoked as Electron would. */
class RecordedIpc implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, listener);
  }
  invoke(sender: ContentsLike, channel: string, args: unknown, frame: FrameLike = { url: 'app://obsdeck/', parent: null }): Promise<IpcReply> {
    return Promise.resolve(this.handlers.get('contract:request')!({ sender, senderFrame: frame }, channel, args) as IpcReply);
  }
}

/** A recorded stand-in for a webContents: what it was sent, and its lifecycle events. */
class RecordedContents implements ContentsLike {
  static next = 1;
  readonly id = RecordedContents.next++;
  readonly sent: { event: string; payload: unknown }[] = [];
  private destroyed = false;
  private readonly listeners = new Map<string, (() => void)[]>();
  send(_channel: string, event: unknown, payload: unknown): void {
    this.sent.push({ event: String(event), payload });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  once(event: string, listener: () => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  fire(event: 'destroyed' | 'did-navigate'): void {
    if (event === 'destroyed') this.destroyed = true;
    for (const l of this.listeners.get(event) ?? []) l();
    this.listeners.delete(event);
  }
}

describe('the contract over Electron IPC', () => {
  // A real host without an engine (DOCKER_HOST points nowhere): the router and handlers are the app's own.
  const host = new Host({ env: { DOCKER_HOST: 'unix:///nonexistent.sock' }, data: fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-ipc-')), discoverEveryMs: 60_000, webhook: false });
  const sessions: Session[] = [];
  const recording = { connect: (send: Parameters<Host['connect']>[0]) => {
    const s = host.connect(send);
    sessions.push(s);
    return s;
  }, handle: host.handle };
  const contract = new IpcContract(recording);
  const ipc = new RecordedIpc();
  contract.register(ipc, (frame) => frame?.url === 'app://obsdeck/' && frame.parent === null);
  afterAll(() => host.close());

  it('keeps one session per window: a follow is stopped by the same window\'s logs:stop', async () => {
    const win = new RecordedContents();
    const session = contract.open(win);
    let stopped = 0;
    session.follow('logs', () => stopped++); // what logs:follow leaves on the session
    expect(await ipc.invoke(win, 'engine:status', {})).toMatchObject({ ok: true, result: { reachable: false } });
    expect(await ipc.invoke(win, 'logs:stop', {})).toEqual({ ok: true, result: { following: [] } });
    expect(stopped).toBe(1);
    expect(session.following).toEqual([]);
    expect(sessions.filter((s) => !s.closed)).toContain(session);
  });

  it('disposes a destroyed window\'s session: its follows stop and it receives no more events', async () => {
    const win = new RecordedContents();
    await ipc.invoke(win, 'stack:status', {});
    const session = sessions.at(-1)!;
    let stopped = 0;
    session.follow('logs', () => stopped++);
    const before = host.runtime.subscribers;
    host.runtime.emit('traffic:run', { scenario: 'normal', running: false, sent: 0, byStatus: {}, elapsedS: 0, durationS: 1, rate: 1 });
    expect(win.sent.map((s) => s.event)).toContain('traffic:run');
    win.fire('destroyed');
    expect(session.closed).toBe(true);
    expect(stopped).toBe(1);
    expect(host.runtime.subscribers).toBe(before - 1);
    expect(contract.sessionCount).toBe(sessions.filter((s) => !s.closed).length);
  });

  it('gives two windows two sessions, and a page that navigates away a fresh one', async () => {
    const a = new RecordedContents();
    const b = new RecordedContents();
    await ipc.invoke(a, 'stack:status', {});
    await ipc.invoke(b, 'stack:status', {});
    const sa = contract.open(a);
    const sb = contract.open(b);
    expect(sa).not.toBe(sb);
    a.fire('did-navigate');
    expect(sa.closed).toBe(true);
    expect(contract.open(a)).not.toBe(sa);
    expect(sb.closed).toBe(false);
  });

  it('answers errors as data, and refuses frames that are not the app\'s', async () => {
    const win = new RecordedContents();
    expect(await ipc.invoke(win, 'stack:up', {})).toMatchObject({ ok: false, error: { code: 'ENGINE_UNREACHABLE' } });
    expect(await ipc.invoke(win, 'files:read', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    await expect(ipc.invoke(win, 'stack:status', {}, { url: 'https://evil.example/', parent: null })).rejects.toThrow(/not the app's own frame/);
  });
});
