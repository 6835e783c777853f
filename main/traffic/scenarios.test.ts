import { describe, expect, it } from 'vitest';
import { runTraffic, TrafficError } from './scenarios.js';

describe('runTraffic', () => {
  it('sends to this machine only, and knows its scenarios', async () => {
    const passwords = { admin: 'a', user: 'u' };
    await expect(runTraffic('normal', { base: 'http://10.0.0.5:8083', passwords })).rejects.toThrow('traffic goes to this machine only, not 10.0.0.5');
    await expect(runTraffic('normal', { base: 'http://example.test:8083', passwords })).rejects.toBeInstanceOf(TrafficError);
    await expect(runTraffic('flood' as 'normal', { base: 'http://127.0.0.1:1', passwords })).rejects.toThrow('no scenario "flood" (there are normal, brute-force, forbidden, token-reuse, error-storm, slow)');
  });
});
