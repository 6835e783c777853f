// Runs a tool of an image (promtool, amtool) in a throwaway container with no network, feeding
// it standard input, and returns its exit code and output. This is how validation uses the exact
// tools of the images the stack runs, on a local or a remote engine alike.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';

export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runTool(
  docker: Docker,
  opts: {
    image: string;
    entrypoint: string;
    args: string[];
    stdin?: string | Buffer;
    /** Files copied in through the Engine API before the tool starts: absolute path → content. */
    files?: Record<string, string | Buffer>;
    timeoutMs?: number;
  },
): Promise<ToolResult> {
  const container = await docker.createContainer({
    Image: opts.image,
    Entrypoint: [opts.entrypoint],
    Cmd: opts.args,
    OpenStdin: opts.stdin !== undefined,
    StdinOnce: opts.stdin !== undefined,
    AttachStdin: opts.stdin !== undefined,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    NetworkDisabled: true,
    Labels: { 'org.obsdeck.throwaway': 'true' },
  });
  try {
    if (opts.files) await container.putArchive(await tarOf(opts.files), { path: '/' });
    const stream = await container.attach({ stream: true, stdin: opts.stdin !== undefined, stdout: true, stderr: true, hijack: true });
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    err.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    demux(container, stream, out, err);
    const ended = new Promise<void>((resolve) => stream.on('end', resolve));
    await container.start();
    if (opts.stdin !== undefined) stream.end(opts.stdin);
    const timeout = opts.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const result = (await Promise.race([
      container.wait(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${opts.entrypoint} in ${opts.image} did not finish within ${timeout} ms`)), timeout);
      }),
    ])) as { StatusCode: number };
    clearTimeout(timer);
    // The attach stream can deliver its last bytes just after the container exits.
    await Promise.race([ended, new Promise((r) => setTimeout(r, 1000))]);
    return { exitCode: result.StatusCode, stdout, stderr };
  } finally {
    // v: the anonymous volumes of the image (VOLUME /prometheus ...) go with it.
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

/** A tar archive of `files` (absolute paths), owned by root and readable by everyone. */
export function tarOf(files: Record<string, string | Buffer>, mode = 0o644): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) {
    pack.entry({ name: name.replace(/^\/+/, ''), mode, uid: 0, gid: 0 }, content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(Buffer.from(c as Uint8Array)));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
}

/** The files a container holds now, by target path (what a rollback puts back). */
export async function filesIn(container: Docker.Container, targets: string[]): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const target of targets) {
    const stream = await container.getArchive({ path: target });
    const extract = tar.extract();
    await new Promise<void>((resolve, reject) => {
      extract.on('entry', (header, body, next) => {
        const chunks: Buffer[] = [];
        body.on('data', (c: unknown) => chunks.push(c as Buffer));
        body.on('end', () => {
          if (header.type === 'file') out[target] = Buffer.concat(chunks);
          next();
        });
        body.resume();
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
      stream.pipe(extract);
    });
  }
  return out;
}

/** Splits a non-TTY attach or exec stream into its stdout and stderr. */
function demux(container: Docker.Container, stream: NodeJS.ReadableStream, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  (container.modem as { demuxStream: (s: NodeJS.ReadableStream, o: NodeJS.WritableStream, e: NodeJS.WritableStream) => void }).demuxStream(stream, out, err);
}

/** Runs `cmd` in a running container; resolves to its exit code and output (both streams), bounded in time. */
export async function execIn(container: Docker.Container, cmd: string[], timeoutMs = 10_000): Promise<{ code: number; output: string }> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  demux(container, stream, sink, sink);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`no answer from \`${cmd[0]}\` in the container within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    stream.on('end', () => { clearTimeout(timer); resolve(); });
    stream.on('close', () => { clearTimeout(timer); resolve(); });
    stream.on('error', (err: Error) => { clearTimeout(timer); reject(err); });
  });
  const info = await exec.inspect();
  return { code: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString('utf8').trim() };
}
