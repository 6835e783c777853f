import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerfileNeeds, remedy, unavailable } from './preflight.js';

describe('what a build needs before Start can build it', () => {
  it('reads the shipped API Dockerfile: the staged .image/ and its Node base', () => {
    const text = fs.readFileSync(path.resolve('api', 'Dockerfile'), 'utf8');
    expect(dockerfileNeeds(text, {})).toEqual({ sources: ['.image/app/', '.image/data/'], base: expect.stringMatching(/^node:\d+\.\d+\.\d+-bookworm-slim$/) as unknown });
    expect(dockerfileNeeds(text, { NODE_IMAGE: 'obsdeck-local/node:latest' }).base).toBe('obsdeck-local/node:latest');
  });

  it('skips stage copies, URLs, flags and scratch', () => {
    const text = 'FROM golang AS b\nCOPY --from=b /x /x\nFROM scratch\nADD https://example.invalid/a /a\nCOPY --chown=1:1 a \\\n  b /dst/\n';
    expect(dockerfileNeeds(text, {})).toEqual({ sources: ['a', 'b'], base: 'golang' });
    expect(dockerfileNeeds('FROM scratch\nCOPY x /x\n', {})).toEqual({ sources: ['x'] });
  });

  it('says in one line what to run for an unstaged API, and no images:local for Grafana', () => {
    const [api] = unavailable([], ['image obsdeck/poc3-api:dev for api_poc3 is missing and its build context /c/api is not staged (.image/app/ not there)']);
    expect(api).toMatchObject({ service: 'api_poc3', why: expect.stringContaining('run `npm run api:image` against this engine') as unknown });
    expect(remedy('grafana')).not.toContain('images:local');
    expect(remedy('prometheus')).toContain('images:local');
  });
});
