// The `obsdeck` command line: finds the command in the table (commands.ts), parses its
// arguments, runs it. Exit codes scripts can rely on: 0 success, 1 failure (a service that did
// not come up, an invalid config, a refused apply, a failed query), 2 bad usage, 3 no Docker
// engine reachable.
import { ApplyRefused, ApplyRolledBack } from '../config/change.js';
import { PreflightError, ServiceFailed } from '../stack/stack.js';
import { COMMANDS, NoEngine } from './commands.js';
import { LockBusy } from './lock.js';
import { Unsupported } from '../target/target.js';
import { red } from './output.js';
import { commandUsage, parse, usage, UsageError } from './table.js';

const FOOTER = 'Exit codes: 0 success, 1 failure, 2 bad usage, 3 no Docker engine reachable.';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const c = COMMANDS.find((x) => x.name === rest[0]);
    process.stdout.write(`${c ? commandUsage(c) : usage(COMMANDS, FOOTER)}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"`);
  const parsed = parse(command, rest);
  if (parsed.values.help) {
    process.stdout.write(`${commandUsage(command)}\n`);
    return 0;
  }
  return command.run(parsed);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`obsdeck: ${err.message}\n\n${err.command ? commandUsage(err.command) : usage(COMMANDS, FOOTER)}\n`);
      process.exitCode = 2;
    } else if (err instanceof NoEngine) {
      process.stderr.write(`obsdeck: ${err.message}\n`);
      process.exitCode = 3;
    } else if (err instanceof Unsupported) {
      process.stderr.write(`obsdeck: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof LockBusy) {
      process.stderr.write(`obsdeck: ${err.message}\n`);
      process.exitCode = 4;
    } else if (err instanceof PreflightError || err instanceof ServiceFailed || err instanceof ApplyRefused || err instanceof ApplyRolledBack) {
      process.stderr.write(`obsdeck: ${red(err.message)}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`obsdeck: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
