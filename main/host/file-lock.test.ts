// The stack lock across processes, with real processes: a live holder is waited for or named,
// a gone one (or a reused pid) is taken over, a damaged file is reported and kept, and several
// processes racing for one lock (also a stale one) never hold it at once.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractFailure } from './errors.js';
import { FileLock, LockFileDamaged, processStart, type LockOwner } from './file-lock.js';
import { StackLock } from './lock.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-lock-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function sleeper(): ChildProcess {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

function owner(pid: number, over: Partial<LockOwner> = {}): LockOwner {
  return { pid, started: processStart(pid), host: os.hostname(), command: 'obsdeck apply', work: 'apply', since: new Date().toISOString(), ...over };
}

const exited = (c: ChildProcess) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(undefined) : c.once('exit', r)));

describe('the stack lock file', () => {
  it('names a live holder, and is taken over once that process is gone', async () => {
    const lock = FileLock.for(dir, 'unix:///var/run/docker.sock', 'p1');
    const holder = sleeper();
    fs.mkdirSync(path.dirname(lock.file), { recursive: true });
    fs.writeFileSync(lock.file, JSON.stringify(owner(holder.pid!)));
    const busy = lock.tryAcquire('obsdeck up', 'up');
    expect(busy).toMatchObject({ ok: false, holder: { pid: holder.pid, command: 'obsdeck apply', work: 'apply' } });
    holder.kill('SIGKILL');
    await exited(holder);
    const took = lock.tryAcquire('obsdeck up', 'up');
    expect(took).toMatchObject({ ok: true, tookOver: { pid: holder.pid, work: 'apply' } });
    expect(lock.holder()).toMatchObject({ pid: process.pid, command: 'obsdeck up', work: 'up' });
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
  });

  it('is stale when its pid lives on in another process (a reused pid), never by age', () => {
    const lock = FileLock.for(dir, 'unix:///var/run/docker.sock', 'p2');
    const other = sleeper();
    fs.mkdirSync(path.dirname(lock.file), { recursive: true });
    // The same pid, started at another time: the holder is gone.
    fs.writeFileSync(lock.file, JSON.stringify(owner(other.pid!, { started: '1' })));
    expect(lock.tryAcquire('obsdeck up', 'up')).toMatchObject({ ok: true, tookOver: { pid: other.pid } });
    lock.release();
    // A holder alive for days (a laptop that slept) keeps it.
    fs.writeFileSync(lock.file, JSON.stringify(owner(other.pid!, { since: '2020-01-01T00:00:00.000Z' })));
    expect(lock.tryAcquire('obsdeck up', 'up')).toMatchObject({ ok: false });
    fs.rmSync(lock.file);
  });

  it('reports a damaged lock file and leaves it in place', () => {
    const lock = FileLock.for(dir, 'unix:///var/run/docker.sock', 'p3');
    fs.mkdirSync(path.dirname(lock.file), { recursive: true });
    fs.writeFileSync(lock.file, '{"pid": 12');
    expect(() => lock.tryAcquire('obsdeck up', 'up')).toThrow(LockFileDamaged);
    expect(() => lock.tryAcquire('obsdeck up', 'up')).toThrow(/lock file .*p3-.*\.lock is damaged/);
    expect(fs.readFileSync(lock.file, 'utf8')).toBe('{"pid": 12');
  });

  it('never removes a lock that another process holds now', () => {
    const lock = FileLock.for(dir, 'unix:///var/run/docker.sock', 'p4');
    expect(lock.tryAcquire('obsdeck up', 'up').ok).toBe(true);
    const holder = sleeper();
    fs.writeFileSync(lock.file, JSON.stringify(owner(holder.pid!))); // e.g. a takeover after a crash
    lock.release();
    expect(lock.holder()?.pid).toBe(holder.pid);
  });

  it('is keyed by engine and project', () => {
    const a = FileLock.for(dir, 'unix:///var/run/docker.sock', 'same');
    expect(FileLock.for(dir, 'unix:///var/run/docker.sock', 'same').file).toBe(a.file);
    expect(FileLock.for(dir, 'ssh://me@box', 'same').file).not.toBe(a.file);
    expect(FileLock.for(dir, 'unix:///var/run/docker.sock', 'other').file).not.toBe(a.file);
  });

  it('the in-process lock refuses a click with the other process\'s name, and waits for it on apply', async () => {
    const file = FileLock.for(dir, 'unix:///var/run/docker.sock', 'p5');
    const holder = sleeper();
    fs.mkdirSync(path.dirname(file.file), { recursive: true });
    fs.writeFileSync(file.file, JSON.stringify(owner(holder.pid!)));
    const lock = new StackLock(() => undefined, () => ({ file, command: 'the Obsdeck app' }));
    const refused = await lock.run('up', () => Promise.resolve('ran')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ContractFailure);
    expect((refused as ContractFailure).message).toBe(`the stack is busy: \`obsdeck apply\` (pid ${holder.pid}) is running apply; try again when it is done`);
    const order: string[] = [];
    const waited = lock.run('apply', async () => {
      order.push('app applies');
      return Promise.resolve();
    }, { wait: true });
    await new Promise((r) => setTimeout(r, 500));
    order.push('terminal done');
    fs.rmSync(file.file); // the terminal's apply ends
    await waited;
    expect(order).toEqual(['terminal done', 'app applies']);
    expect(fs.existsSync(file.file)).toBe(false);
  });

  it('several processes racing for one lock (left stale by a killed one) hold it one at a time', async () => {
    const file = FileLock.for(dir, 'unix:///var/run/docker.sock', 'race');
    const log = path.join(dir, 'race.log');
    const dead = sleeper();
    fs.mkdirSync(path.dirname(file.file), { recursive: true });
    fs.writeFileSync(file.file, JSON.stringify(owner(dead.pid!)));
    dead.kill('SIGKILL');
    await exited(dead);
    const script = `
      import fs from 'node:fs';
      import { FileLock } from ${JSON.stringify(path.resolve('main/host/file-lock.ts'))};
      const lock = new FileLock(${JSON.stringify(file.file)});
      for (let i = 0; i < 3; i++) {
        const r = await lock.acquire('obsdeck race', 'up', () => undefined, 5);
        fs.appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + (r.tookOver ? ' took' : '') + '\\n');
        await new Promise((res) => setTimeout(res, 20));
        fs.appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
        lock.release();
      }`;
    const racers = Array.from({ length: 4 }, () => {
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(c);
      return new Promise<number | null>((r) => c.once('exit', r));
    });
    expect(await Promise.all(racers)).toEqual([0, 0, 0, 0]);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(24);
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]).toMatch(/^in \d+/);
      expect(lines[i + 1]).toBe(`out ${lines[i]!.split(' ')[1]}`); // nobody entered while another held it
    }
    expect(lines.filter((l) => l.endsWith('took'))).toHaveLength(1); // the stale lock was taken over once
    expect(fs.existsSync(file.file)).toBe(false);
  }, 60_000);
});
