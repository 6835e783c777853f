import { describe, expect, it } from 'vitest';
import { ago, formatBytes, formatDuration, since } from './format';

describe('formatting', () => {
  it('says durations as a person reads them', () => {
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(119.4)).toBe('119s');
    expect(formatDuration(180)).toBe('3m');
    expect(formatDuration(3 * 3600)).toBe('3h');
    expect(formatDuration(3 * 86_400)).toBe('3d');
    expect(formatDuration(-5)).toBe('0s');
  });

  it('says how long since a time, and "never" for Go\'s zero time', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(since('2026-01-01T00:09:30Z', now)).toBe('30s');
    expect(since(undefined, now)).toBe('');
    expect(ago('0001-01-01T00:00:00Z', now)).toBe('never');
    expect(ago('2026-01-01T00:00:00Z', now)).toBe('10m ago');
  });

  it('says sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(230 * 1024 * 1024)).toBe('230 MiB');
  });
});
