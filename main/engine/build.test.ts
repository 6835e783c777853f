import { describe, expect, it } from 'vitest';
import { dockerignoreFilter } from './build.js';

describe('dockerignoreFilter', () => {
  it('keeps only what api/.dockerignore lets through', () => {
    const keep = dockerignoreFilter('# only the staged bundle\n*\n!Dockerfile\n!.image\n');
    expect(['Dockerfile', '.image/', '.image/app/server.cjs', '.image/data/.keep'].every(keep)).toBe(true);
    expect(['src/', 'src/server.ts', 'package.json'].some(keep)).toBe(false);
  });

  it('supports **, ? and the last matching line winning', () => {
    const keep = dockerignoreFilter('**/*.test.ts\nnode_modules\n!node_modules/keep\nlog?.txt\n');
    expect(keep('src/a.test.ts')).toBe(false);
    expect(keep('src/a.ts')).toBe(true);
    expect(keep('node_modules/x/index.js')).toBe(false);
    expect(keep('node_modules/keep/index.js')).toBe(true);
    expect(keep('node_modules/')).toBe(true); // it holds something that is kept
    expect(keep('log1.txt')).toBe(false);
    expect(keep('log10.txt')).toBe(true);
  });
});
