import { describe, expect, it } from 'vitest';
import { ansiSegments, highlight, levelOf, parseFilter } from './logtext';

const ESC = String.fromCharCode(27);

describe('levelOf', () => {
  it('reads logfmt, pino and leading words', () => {
    expect(levelOf('ts=2026 caller=main.go level=warn msg="x"')).toBe('warn');
    expect(levelOf('{"level":50,"msg":"boom"}')).toBe('error');
    expect(levelOf('{"level":30,"msg":"ok"}')).toBe('info');
    expect(levelOf('ERROR something broke')).toBe('error');
    expect(levelOf('nothing to see')).toBeUndefined();
  });
});

describe('ansiSegments', () => {
  it('turns SGR colours into segments and drops other escapes', () => {
    expect(ansiSegments(`plain ${ESC}[31mred ${ESC}[1mbold${ESC}[0m end${ESC}[2K`)).toEqual([
      { text: 'plain ' }, { text: 'red ', fg: 31 }, { text: 'bold', fg: 31, bold: true }, { text: ' end' },
    ]);
  });
});

describe('parseFilter and highlight', () => {
  it('matches text case-insensitively, or a /regex/, and says why a regex is invalid', () => {
    expect(parseFilter('server').test('Server listening')).toBe(true);
    expect(parseFilter('/^Server \\w+$/').test('Server listening')).toBe(true);
    expect(parseFilter('/(/').error).toMatch(/Invalid regular expression/);
    expect(parseFilter('a.b').test('axb')).toBe(false); // plain text is not a regex
  });

  it('marks every match inside coloured segments', () => {
    const f = parseFilter('ab');
    expect(highlight([{ text: 'xabyab', fg: 32 }], f.pattern)).toEqual([
      { text: 'x', fg: 32 }, { text: 'ab', fg: 32, match: true }, { text: 'y', fg: 32 }, { text: 'ab', fg: 32, match: true },
    ]);
  });
});

describe('silence preview', () => {
  it('covers an alert when every matcher matches, regex matchers anchored', async () => {
    const { covers } = await import('../pages/AlertsPage');
    const labels = { alertname: 'RefreshTokenReuse', job: 'poc3-security', severity: 'critical' };
    expect(covers([{ name: 'alertname', value: 'RefreshTokenReuse', isRegex: false }], labels)).toBe(true);
    expect(covers([{ name: 'severity', value: 'crit', isRegex: true }], labels)).toBe(false);
    expect(covers([{ name: 'severity', value: 'crit.*', isRegex: true }, { name: 'job', value: 'poc3-security', isRegex: false }], labels)).toBe(true);
    expect(covers([{ name: 'instance', value: 'x', isRegex: false }], labels)).toBe(false);
  });
});
