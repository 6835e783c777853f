// The `obsdeck` command line. Every command exits 0 on success, 1 on failure, 2 on bad usage.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverEngine } from './engine/discover.js';
import { serve } from './server/serve.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: obsdeck <command>

  serve [--port N]   the app's UI in a browser, on 127.0.0.1 with an access token
  engine [--json]    the Docker engine in use, or what was tried and what to do
  help               this text
`;

function fail(message: string, code = 1): never {
  process.stderr.write(`obsdeck: ${message}\n`);
  process.exit(code);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) fail(`${name} needs a value\n\n${USAGE}`, 2);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve': {
      const portText = option(args, '--port');
      const port = portText === undefined ? 0 : Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a whole number from 0 to 65535, got "${portText}"`, 2);
      const running = await serve({
        port,
        staticDir: path.join(root, 'dist', 'renderer'),
        api: { engine: async () => (await discoverEngine()).status },
      });
      process.stdout.write(`Obsdeck is serving its UI at ${running.url}\n(only this machine can reach it; the token in the URL is the key. Ctrl-C stops it.)\n`);
      const stop = () => void running.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return;
    }
    case 'engine': {
      const { status } = await discoverEngine();
      if (args.includes('--json')) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else if (status.reachable) process.stdout.write(`Docker ${status.version} (API ${status.apiVersion}, ${status.os}/${status.arch}) at ${status.endpoint}\n`);
      else {
        process.stdout.write(`No Docker engine is reachable. ${status.hint}\nTried:\n${status.tried.map((t) => `  ${t.endpoint}: ${t.error}`).join('\n')}\n`);
      }
      process.exit(status.reachable ? 0 : 1);
      break;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      fail(`unknown command "${command}"\n\n${USAGE}`, 2);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
