// Starts `obsdeck serve` as a user would and returns the URL it prints (with its token).
import { spawn, type ChildProcess } from 'node:child_process';

export function startServe(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/obsdeck.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`obsdeck serve printed no URL: ${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}
