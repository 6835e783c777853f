import { describe, expect, it } from 'vitest';
import { ansiSegments, details, highlight, levelOf, parseFilter, structured, insertByTime, type Details } from './logtext';

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

describe('structured lines', () => {
  it('reads the API\'s pino lines: level, message, and method, endpoint, status, duration', () => {
    // A line as the API container writes it.
    const line = '{"level":30,"time":1764064000123,"pid":1,"hostname":"3f2a","reqId":"req-7","method":"POST","endpoint":"/auth/login","status":401,"ms":12.4,"msg":"request"}';
    expect(structured(line)).toEqual({ level: 'info', msg: 'request', fields: [['reqId', 'req-7'], ['method', 'POST'], ['endpoint', '/auth/login'], ['status', '401'], ['ms', '12.4']] });
  });

  it('reads Prometheus\' and Alertmanager\'s logfmt lines, quoted values included', () => {
    const prom = 'ts=2026-11-25T10:41:02.118Z caller=main.go:1221 level=info msg="Completed loading of configuration file" filename=/etc/prometheus/prometheus.yml totalDuration=4.2ms';
    expect(structured(prom)).toEqual({ level: 'info', msg: 'Completed loading of configuration file', fields: [['caller', 'main.go:1221'], ['filename', '/etc/prometheus/prometheus.yml'], ['totalDuration', '4.2ms']] });
    const am = 'ts=2026-11-25T10:41:03.001Z caller=dispatch.go:353 level=error component=dispatcher msg="Notify for alerts failed" num_alerts=1 err="obsdeck/webhook[0]: notify retry canceled: \\"401 Unauthorized\\""';
    expect(structured(am)).toMatchObject({ level: 'error', msg: 'Notify for alerts failed', fields: expect.arrayContaining([['err', 'obsdeck/webhook[0]: notify retry canceled: "401 Unauthorized"']]) as unknown });
  });

  it('reads lines as the stack\'s containers wrote them (copied from a run)', () => {
    const real = {
      api: '{"level":30,"time":1795605917167,"pid":1,"hostname":"5807d63a9c92","reqId":"req-mir","method":"GET","endpoint":"/customers","status":200,"ms":1.3,"msg":"request"}',
      prometheus: 'ts=2026-11-25T11:18:25.683Z caller=manager.go:978 level=info component="rule manager" msg="Starting rule manager..."',
      alertmanager: 'ts=2026-11-25T11:18:23.717Z caller=tls_config.go:271 level=info msg="TLS is disabled." http2=false address=[::]:9093',
    };
    expect(structured(real.api)?.fields).toEqual([['reqId', 'req-mir'], ['method', 'GET'], ['endpoint', '/customers'], ['status', '200'], ['ms', '1.3']]);
    expect(structured(real.prometheus)).toEqual({ level: 'info', msg: 'Starting rule manager...', fields: [['caller', 'manager.go:978'], ['component', 'rule manager']] });
    expect(structured(real.alertmanager)).toEqual({ level: 'info', msg: 'TLS is disabled.', fields: [['caller', 'tls_config.go:271'], ['http2', 'false'], ['address', '[::]:9093']] });
  });

  it('leaves anything else as it is', () => {
    expect(structured('Server listening at http://0.0.0.0:8083')).toBeUndefined();
    expect(structured('{not json')).toBeUndefined();
    expect(structured('a=b')).toBeUndefined();
  });
});

describe('lines from several containers', () => {
  it('are kept in time order when one container\'s backlog arrives after another\'s newer lines', () => {
    const rows: { time: string; text: string }[] = [];
    const api = ['2026-11-25T13:27:32.063Z', '2026-11-25T13:27:33.463Z'].map((time, i) => ({ time, text: `api ${i}` }));
    const am = ['2026-11-25T13:27:28.263Z', '2026-11-25T13:27:32.063Z', '2026-11-25T13:27:40.000Z'].map((time, i) => ({ time, text: `am ${i}` }));
    for (const r of [...api, ...am]) insertByTime(rows, r);
    expect(rows.map((r) => r.text)).toEqual(['am 0', 'api 0', 'am 1', 'api 1', 'am 2']);
  });
});

describe('a line\'s details', () => {
  it('are read when first asked for, then kept on the line', () => {
    const line: { text: string; details?: Details } = { text: '{"level":40,"msg":"slow","ms":1200}' };
    expect(line.details).toBeUndefined();
    const d = details(line);
    expect(d).toEqual({ level: 'warn', parsed: { level: 'warn', msg: 'slow', fields: [['ms', '1200']] } });
    expect(details(line)).toBe(d);
    expect(details({ text: 'ERROR disk full' })).toEqual({ level: 'error' });
    expect(details({ text: 'plain words' })).toEqual({});
  });
});
