// Engine discovery against the real engine the suite runs on.
import { describe, expect, it } from 'vitest';
import { discoverEngine } from '../../main/engine/discover.js';

describe('engine discovery', () => {
  it('finds the running engine and reports its version, API version and OS', async () => {
    const { status, docker } = await discoverEngine();
    expect(status.reachable).toBe(true);
    if (!status.reachable) return;
    expect(status.version).toMatch(/^\d+\.\d+/);
    expect(status.apiVersion).toMatch(/^1\.\d+$/);
    expect(status.os).toBe('linux');
    expect(String((await docker!.ping()) as Buffer)).toBe('OK');
  });
});
