// Checks a draft of the compose file the way the stack will read it (interpolation, services,
// ports, volumes, networks, dependencies), as problems at line and column: a YAML error where
// the parser stopped, a model error at the service (and key) it names.
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { ConfigProblem } from '../contract.js';
import { ComposeError } from '../stack/compose.js';
import { COMPOSE_NAME, specOf, type StackLocation } from './project.js';

export function composeProblems(text: string, loc: StackLocation = {}): ConfigProblem[] {
  try {
    const { spec } = specOf(text, loc);
    const problems: ConfigProblem[] = spec.warnings.map((w) => ({ file: COMPOSE_NAME, severity: 'warning', message: w.replace(/^[^:]*: /, ''), ...where(text, w) }));
    if (!spec.services.length) problems.push({ file: COMPOSE_NAME, severity: 'error', message: 'no services: the stack would be empty' });
    return problems;
  } catch (err) {
    if (!(err instanceof ComposeError)) throw err;
    const at = /^[^\n]*?:(\d+):(\d+): (.*)$/s.exec(err.message);
    if (at) return [{ file: COMPOSE_NAME, line: Number(at[1]), column: Number(at[2]), severity: 'error', message: at[3]! }];
    return [{ file: COMPOSE_NAME, severity: 'error', message: err.message.replace(/^[^:]*: /, ''), ...where(text, err.message) }];
  }
}

/** The line and column of the `services.<name>[.<key>]` a message names, if the text has it. */
function where(text: string, message: string): { line?: number; column?: number } {
  const m = /services\.([\w-]+)(?:\.[\w.[\]-]+)?(?::\s*"(\w+)"|:|$)/.exec(message);
  if (!m) return {};
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const service = doc.getIn(['services', m[1]], true);
  if (!isMap(service)) return {};
  const keyed = m[2] ? service.items.find((p) => (p.key as { value?: unknown } | null)?.value === m[2])?.key as { range?: [number, number, number] } | undefined : undefined;
  const range = keyed?.range ?? (doc.getIn(['services'], true) as { items?: { key: { value?: unknown; range?: [number, number, number] } }[] } | undefined)?.items?.find((p) => p.key.value === m[1])?.key.range;
  if (!range) return {};
  const pos = lines.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}
