// The routing tree on hand-made configs, each case as Alertmanager's dispatcher would route it;
// the shipped alertmanager.yml is checked against amtool itself in the integration suite.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inhibitedBy, matchRoutes, parseMatchers, readRouting, receiversFor } from './routes.js';

const CONFIG = `
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
      group_wait: 5s
    - matchers: ['team=~"sec|security"', 'env!="dev"']
      receiver: security
      routes:
        - match: { alertname: LoginRateLimited }
          receiver: security-logins
    - match_re: { service: "api.*" }
      receiver: api
receivers: [{ name: default }, { name: pager }, { name: security }, { name: security-logins }, { name: api }]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: ['alertname']
`;

describe('Alertmanager\'s routing, walked as its dispatcher walks it', () => {
  const config = readRouting(CONFIG);

  it('reads matchers as Alertmanager writes them', () => {
    expect(parseMatchers('{alertname="A", team=~"x|y",env!=dev}')).toEqual([{ name: 'alertname', op: '=', value: 'A' }, { name: 'team', op: '=~', value: 'x|y' }, { name: 'env', op: '!=', value: 'dev' }]);
    expect(parseMatchers('msg="a, \\"b\\""')).toEqual([{ name: 'msg', op: '=', value: 'a, "b"' }]);
    expect(() => parseMatchers('not a matcher')).toThrow('"not a matcher" is not a matcher');
  });

  it('takes the first child that matches, goes on past one with continue, and falls back to the parent', () => {
    expect(receiversFor(config, { alertname: 'X' })).toEqual(['default']);
    expect(receiversFor(config, { alertname: 'X', severity: 'critical' })).toEqual(['pager']);
    expect(receiversFor(config, { alertname: 'X', severity: 'critical', team: 'sec' })).toEqual(['pager', 'security']);
    expect(receiversFor(config, { alertname: 'LoginRateLimited', team: 'security' })).toEqual(['security-logins']);
    expect(receiversFor(config, { alertname: 'X', team: 'security', env: 'dev', service: 'api_poc3' })).toEqual(['api']);
    expect(receiversFor(config, { alertname: 'X', service: 'xapi' })).toEqual(['default']); // regexes are anchored
  });

  it('inherits receiver, grouping and timers where a route does not set them', () => {
    const [pager] = matchRoutes(config.root, { severity: 'critical' });
    expect(pager).toMatchObject({ id: 'root.0', receiver: 'pager', groupBy: ['alertname'], groupWait: '5s', groupInterval: '5m', repeatInterval: '4h', continue: true, line: 6 });
    expect(config.root.routes[1]!.routes[0]).toMatchObject({ id: 'root.1.0', matchers: [{ name: 'alertname', op: '=', value: 'LoginRateLimited' }] });
  });

  it('says which active alert would mute a warning: a critical one of the same name, never itself', () => {
    const critical = { alertname: 'HighErrorRate', severity: 'critical' };
    expect(inhibitedBy(config, { alertname: 'HighErrorRate', severity: 'warning' }, [critical]).map((x) => x.source)).toEqual([critical]);
    expect(inhibitedBy(config, { alertname: 'HighLatency', severity: 'warning' }, [critical])).toEqual([]);
    expect(inhibitedBy(config, critical, [critical])).toEqual([]);
  });

  it('routes the shipped configuration\'s heartbeat and path test to the app', () => {
    const shipped = readRouting(fs.readFileSync('observability/alertmanager.yml', 'utf8'));
    expect(receiversFor(shipped, { alertname: 'Watchdog' })).toEqual(['obsdeck']);
    expect(matchRoutes(shipped.root, { alertname: 'Watchdog' })[0]).toMatchObject({ id: 'root.1', repeatInterval: '1m' });
    expect(shipped.receivers).toEqual(['obsdeck', 'email']);
  });

  it('says where a file is not YAML', () => {
    expect(() => readRouting('route:\n  receiver: [\n')).toThrow(/^alertmanager\.yml:\d+:\d+: /);
  });
});
