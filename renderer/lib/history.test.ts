import { describe, expect, it } from 'vitest';
import { byLabelSet, labelText } from './history';

describe('the alert history\'s rows', () => {
  it('groups a rule\'s alerts by label set, without the alert\'s name', () => {
    const e = (instance: string, firedAt: number) => ({ alertname: 'TargetDown', labels: { alertname: 'TargetDown', instance }, firedAt, sources: ['prometheus' as const] });
    const groups = byLabelSet([e('a:1', 3), e('b:1', 2), e('a:1', 1)]);
    expect([...groups.keys()]).toEqual(['instance=a:1', 'instance=b:1']);
    expect(groups.get('instance=a:1')!.map((x) => x.firedAt)).toEqual([3, 1]);
    expect(labelText({ alertname: 'X' })).toBe('');
  });
});
