import { describe, expect, it } from 'vitest';
import { listCoreFiles, tableProblems } from '../../../scripts/mutation-targets.ts';

describe('npm run mutation: the core file -> tests table', () => {
  it('has an entry for every core file and names only existing test files', () => {
    // Assess: a new core file needs a line in scripts/mutation-targets.ts, or its mutants would never run.
    expect(tableProblems()).toEqual({ missing: [], stale: [], absentTests: [] });
  });

  it('reports a core file without an entry, an entry without a file, and a test file that does not exist', () => {
    // Prepare
    const coreFiles = [...listCoreFiles().filter((file) => file !== 'window.ts'), 'new-rule.ts'];

    // Act
    const problems = tableProblems(coreFiles, (path) => path !== 'test/unit/core/window.test.ts');

    // Assess
    expect(problems).toEqual({
      missing: ['new-rule.ts'],
      stale: ['window.ts'],
      absentTests: ['test/unit/core/window.test.ts'],
    });
  });
});
