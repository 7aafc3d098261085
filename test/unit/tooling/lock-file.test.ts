import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingPlatformEntries } from '../../../scripts/complete-lock.ts';

describe('package-lock.json', () => {
  it('lists every platform build of its optional dependencies, so `npm ci` accepts it on a fresh clone', () => {
    // Prepare
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));

    // Act
    const missing = missingPlatformEntries(lock.packages).map(({ key }) => key);

    // Assess: if this fails after `npm install`, run `node scripts/complete-lock.ts` through npx.
    expect(missing).toEqual([]);
  });

  it('derives os, cpu and libc from a platform package name', () => {
    // Act
    const [entry] = missingPlatformEntries({
      'node_modules/tool': {
        version: '1.0.0',
        dev: true,
        optionalDependencies: { 'tool-linux-x64-musl': '1.0.0' },
      },
    });

    // Assess
    expect(entry).toEqual({
      key: 'node_modules/tool-linux-x64-musl',
      entry: {
        version: '1.0.0',
        cpu: ['x64'],
        dev: true,
        optional: true,
        os: ['linux'],
        libc: ['musl'],
      },
    });
  });
});
