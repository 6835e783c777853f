// The CLI as data: each command's name, arguments, options and handler in one table, parsed by
// node:util's parseArgs. The usage text (`obsdeck --help`, `obsdeck <command> --help`) is
// generated from the table, so it cannot drift from what the commands accept.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  /** The value's placeholder in the usage (`--tail N`). */
  value?: string;
  /** May be given more than once (`--replicas a=1 --replicas b=2`). */
  multiple?: boolean;
  help: string;
}

export interface Parsed { positionals: string[]; values: Record<string, string | boolean | string[] | undefined> }

export interface Command {
  name: string;
  section: 'The stack' | 'Configuration' | 'Traffic' | 'Prometheus' | 'Other';
  /** The positional arguments, as the usage shows them (`[SERVICE...]`). */
  args?: string;
  /** What it does; the first line is the summary in `obsdeck --help`. */
  help: string;
  options?: Record<string, OptionSpec>;
  /** More for `obsdeck <command> --help` only (the traffic scenarios, say). */
  more?: () => string;
  run: (p: Parsed) => Promise<number>;
}

export class UsageError extends Error {
  constructor(message: string, readonly command?: Command) {
    super(message);
  }
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'this command\'s usage' };

function synopsis(c: Command): string {
  const opts = Object.entries(c.options ?? {}).map(([name, o]) => `[--${name}${o.value ? ` ${o.value}` : ''}]`);
  return [c.name, ...opts, ...(c.args ? [c.args] : [])].join(' ');
}

/** `obsdeck --help`: every command by section, with its summary. */
export function usage(commands: Command[], footer: string): string {
  const lines = ['usage: obsdeck <command> [options]   (obsdeck <command> --help for one command)', ''];
  for (const section of [...new Set(commands.map((c) => c.section))]) {
    lines.push(`${section}:`);
    for (const c of commands.filter((x) => x.section === section)) {
      const head = `  ${synopsis(c)}`;
      const summary = c.help.split('\n')[0]!;
      if (head.length <= 30) lines.push(`${head.padEnd(31)}${summary}`);
      else lines.push(head, `${' '.repeat(31)}${summary}`);
    }
  }
  return [...lines, '', footer].join('\n');
}

/** `obsdeck <command> --help`. */
export function commandUsage(c: Command): string {
  const opts = Object.entries({ ...c.options, help: HELP });
  const width = Math.max(...opts.map(([n, o]) => `--${n}${o.value ? ` ${o.value}` : ''}${o.short ? `, -${o.short}` : ''}`.length));
  return [
    `usage: obsdeck ${synopsis(c)}`,
    '',
    c.help,
    '',
    'Options:',
    ...opts.map(([n, o]) => `  ${`--${n}${o.value ? ` ${o.value}` : ''}${o.short ? `, -${o.short}` : ''}`.padEnd(width)}  ${o.help}`),
    ...(c.more ? ['', c.more()] : []),
  ].join('\n');
}

/** Parses a command's arguments; `--help` comes back as `values.help`. Unknown options are usage errors. */
export function parse(c: Command, argv: string[]): Parsed {
  const options = Object.fromEntries(Object.entries({ ...c.options, help: HELP }).map(([n, o]) => [n, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]));
  try {
    const { positionals, values } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { positionals, values: values as Parsed['values'] };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    const option = /'(-[^']*)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option ?? message}`, c);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${option?.split(' ')[0] ?? 'an option'} ${/argument missing/.test(message) ? 'needs a value' : 'takes no value'}`, c);
    throw new UsageError(message, c);
  }
}
